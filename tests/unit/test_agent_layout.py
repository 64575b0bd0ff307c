"""The agent template's layout: a short entry template including one partial per concern.

Each partial under templates/agent/partials/ opens with a template comment (``@@# ... #@@``,
which never reaches the script) whose first line is ``<name>: owns ...`` and which names, on a
``Status keys:`` line, the status keys its code writes.  The test holds that line to the code:
every literal ``S[Key]=`` write and every ``status_set`` / ``next_run_in`` call must be listed,
and together the partials list every key of the status model.  No zsh function spans two
partials, and each stays short enough to read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.bundle import load_bundle
from generator.render import render_all
from generator.status import MODEL

ROOT = Path(__file__).resolve().parents[2]
AGENT = ROOT / "templates" / "agent"
ENTRY = AGENT / "agent.zsh.j2"
PARTIALS = sorted((AGENT / "partials").glob("*.zsh.j2"))
INCLUDE = re.compile(r'^@@% include "agent/partials/([a-z_]+\.zsh\.j2)" %@@$')
COMMENT = re.compile(r"\A@@#\n(?P<text>.*?)\n#@@\n", re.S)
WRITE = re.compile(r'\bS\[([A-Z][A-Za-z]*)\]=|unset "S\[([A-Z][A-Za-z]*)\]"')
HELPER_KEYS = {"status_set": {"Status", "StatusTime"}, "next_run_in": {"NextRun"}}
MAX_LINES = 250


def _comment(path: Path) -> tuple[str, set[str], str]:
    """(comment text, the status keys it lists, the template body after it)."""
    text = path.read_text()
    match = COMMENT.match(text)
    assert match, f"{path.name}: must open with a @@# ... #@@ template comment"
    keys_line = re.search(r"^Status keys: (.+)$", match["text"], re.M)
    assert keys_line, f"{path.name}: the opening comment needs a 'Status keys: A, B' (or 'none') line"
    listed = set() if keys_line[1] == "none" else set(keys_line[1].split(", "))
    return match["text"], listed, text[match.end():]


def test_entry_template_only_includes_the_partials_once_each_in_a_short_file() -> None:
    text = ENTRY.read_text()
    head = COMMENT.match(text)
    assert head, "the entry template opens with a comment saying how it is built"
    body = text[head.end():].splitlines()
    assert len(text.splitlines()) <= 60
    includes = [INCLUDE.match(line) for line in body if line]
    assert all(includes), [line for line in body if line and not INCLUDE.match(line)]
    names = [m[1] for m in includes if m]
    assert sorted(names) == [p.name for p in PARTIALS] and len(set(names)) == len(names)


@pytest.mark.parametrize("path", PARTIALS, ids=lambda p: p.name.split(".")[0])
def test_partial_says_what_it_owns_and_which_status_keys_it_writes(path: Path) -> None:
    text, listed, body = _comment(path)
    name = path.name.split(".")[0]
    assert text.startswith(f"{name}: owns "), f"{path.name}: the comment starts with '{name}: owns ...'"
    assert len(path.read_text().splitlines()) < MAX_LINES
    assert listed <= {k.key for k in MODEL.keys}, f"{path.name}: lists keys the status model does not have"
    written = {a or b for a, b in WRITE.findall(body)}
    for helper, keys in HELPER_KEYS.items():
        if re.search(rf"^\s*(?!{helper}\(\)).*\b{helper}\b", body, re.M):
            written |= keys
    assert written <= listed, f"{path.name}: writes {sorted(written - listed)} but its comment does not list them"


@pytest.mark.parametrize("path", PARTIALS, ids=lambda p: p.name.split(".")[0])
def test_no_function_spans_two_partials(path: Path) -> None:
    open_function = None
    for line in _comment(path)[2].splitlines():
        opener = re.match(r"^([a-z_]+)\(\) \{", line)
        if opener and not line.rstrip().endswith("}"):
            assert open_function is None, f"{path.name}: {opener[1]} starts inside {open_function}"
            open_function = opener[1]
        elif line == "}":
            assert open_function, f"{path.name}: a closing brace without a function"
            open_function = None
    assert open_function is None, f"{path.name}: {open_function} continues past the end of the partial"


def test_the_partials_together_name_every_status_key() -> None:
    listed = set().union(*(_comment(p)[1] for p in PARTIALS))
    assert listed == {k.key for k in MODEL.keys}


def test_template_comments_never_reach_the_script() -> None:
    arts = {a.kind: a.content.decode() for a in render_all(load_bundle(ROOT / "examples" / "bundle.toml"))}
    script = arts["agent-script"]
    assert script.startswith("#!/bin/zsh")
    assert "@@" not in script and "Status keys:" not in script and ": owns " not in script
