"""The coverage contract between the agent and the endpoint catalogue, in both directions.

Every HTTP request in the rendered agent goes through ``jamf_api KEY``, and the method/path/
privileges table (``EP_METHOD`` / ``EP_PATH`` / ``EP_PRIVS``) is rendered from
``agent_context()["endpoints"]``.  So scanning the rendered script for ``jamf_api <key>`` shows
what it can call: every key must be catalogued for the bundle's workflow, and every catalogued
endpoint of that workflow must be called.  The script must contain no other way to reach the
network (curl appears once, inside http_call).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import catalogue
from tests.agent.agentlib import VARIANTS, context_of, variant_id

CALL = re.compile(r"\bjamf_api\s+([a-z0-9.]+)\b")
TABLE = re.compile(r"^EP_METHOD\[([a-z0-9.]+)\]=(\S+) EP_PATH\[\1\]='([^']*)' EP_PRIVS\[\1\]='([^']*)'$", re.M)


def code_of(script: str) -> str:
    """The script without comment lines (a comment mentioning jamf_api is not a call)."""
    return "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("agent", VARIANTS, ids=variant_id)
def test_called_endpoints_equal_the_catalogue(agent: dict[str, str], render_variant: Callable[..., Path]) -> None:
    dist = render_variant(agent=agent)
    ctx = context_of(dist)
    script = code_of((dist / "agent" / f"{ctx['agent']['name']}.zsh").read_text())
    called = set(CALL.findall(script))
    catalogued = set(ctx["endpoints"])
    workflow = agent["msu_workflow"]
    expected = ({ep.key for ep in catalogue.agent_endpoints(workflow, "jamf-client")}
                | {ep.key for ep in catalogue.agent_endpoints(workflow, "jamf-account")})
    assert catalogued == expected
    assert called - catalogued == set(), "the agent calls endpoints the catalogue does not list"
    assert catalogued - called == set(), "catalogued endpoints the agent never calls"
    # The rendered table is exactly the catalogue: method, path and privileges.
    table = {key: (method, path, [p for p in privs.split("|") if p]) for key, method, path, privs in TABLE.findall(script)}
    assert table == {k: (v["method"], v["path"], v["privileges"]) for k, v in ctx["endpoints"].items()}
    # legacy never consults the toggle; the plan endpoints appear only where the new workflow can run.
    if workflow == "legacy":
        assert "msu.toggle" not in called and "msu.plan.create" not in called
    if workflow == "new":
        assert "msu.legacy.send" not in called


def functions_of(script: str) -> dict[str, str]:
    """name -> body of every top-level function (they all end with a "}" line)."""
    out = {}
    for match in re.finditer(r"^([a-z_]+)\(\) \{[^\n]*\n(.*?)^\}$", script, re.M | re.S):
        out[match.group(1)] = match.group(2)
    return out


def test_curl_is_reached_only_through_jamf_api(rendered: Path) -> None:
    script = code_of((rendered / "agent" / "enforcer.zsh").read_text())
    commands = [line for line in script.splitlines() if re.match(r"\s*curl\s", line)]
    assert len(commands) == 1 and "-K -" in commands[0]  # secrets via a config on stdin
    bodies = functions_of(script)
    assert [name for name, body in bodies.items() if re.search(r"^\s*curl\s", body, re.M)] == ["http_call"]
    assert [name for name, body in bodies.items() if re.search(r"\bhttp_call\b", body)] == ["jamf_api"]
