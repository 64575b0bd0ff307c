"""Issue 11 §3: the agent's ``password_ok`` decides on dscl's documented success only.

The functions are cut out of the real rendered agent and run under real zsh with the harness's
dscl stub (modelled on public transcripts; see the stub's docstring for the assumption).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.bundle import load_bundle
from generator.harness import Mac
from generator.render import render_all

ROOT = Path(__file__).resolve().parents[2]


def _function(text: str, name: str) -> str:
    match = re.search(rf"^{name}\(\) {{.*?^}}$", text, re.S | re.M)
    assert match, name
    return match.group(0)


@pytest.fixture(scope="module")
def functions() -> str:
    agent = next(a for a in render_all(load_bundle(ROOT / "examples" / "bundle.toml")) if a.kind == "agent-script")
    text = agent.content.decode()
    return _function(text, "cq") + "\n" + _function(text, "password_ok") + "\n"


def check(tmp_path: Path, functions: str, name: str, password: str, dscl: dict | None = None) -> str:
    box = Mac(tmp_path / "mac")
    box.add_user("alice", "right 'pw' $(x)")
    if dscl is not None:
        box.write_state("dscl", dscl)
    script = tmp_path / "t.zsh"
    script.write_text("#!/bin/zsh --no-rcs\nPATH=$JAMF_ENFORCER_PATH\n" + functions
                      + 'if password_ok "$1" "$2"; then print ok; else print refused; fi\n')
    return box.run([name, password], script=script).stdout.strip()


def test_the_right_password_is_accepted_and_a_wrong_one_refused(tmp_path, functions):
    """Regression test (main already behaved so): silence and exit 0 is the only success."""
    assert check(tmp_path, functions, "alice", "right 'pw' $(x)") == "ok"
    assert check(tmp_path, functions, "alice", "wrong") == "refused"
    assert check(tmp_path, functions, "nobody", "right 'pw' $(x)") == "refused"


@pytest.mark.parametrize(("output", "rc"), [
    ("Data source (/Local/Default) is not valid.\n", 0),  # a real dscl message without eDS/Error/failed
    ("Invalid Path\n", 0),
    ("Operation not permitted\n", 0),
    ("", 1),  # silent but a non-zero exit
    ("> \n", 0),  # a prompt: -q was not honoured, so nothing is known
    ("Authentication succeeded\n", 0),  # not dscl's documented success (silence) either
    ("Password:\n", 0),
    ("Node not found\n", 0),
    ("Unable to connect to the directory service\n", 0),
    ("\x1b[0m\n", 0),
])
def test_unexpected_dscl_answers_are_failures(tmp_path, functions, output, rc):
    """Fails on main (04cae04): password_ok only looked for eDS/DS Error/failed in the output, so
    "Data source (/Local/Default) is not valid." or a silent non-zero exit counted as a correct password."""
    assert check(tmp_path, functions, "alice", "anything", {"authonly_output": output, "authonly_rc": rc}) == "refused"
