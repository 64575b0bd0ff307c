"""Every JSON field the rendered agent reads gives the same answer in the compact layout and in
Jamf's pretty-printed one.

The bodies are the simulator's real answers (token, token privileges, computer lookup, feature
toggle, plan creation, a failed plan, send-updates, an ApiError, an OAuth error).  Each is fed,
once compact and once as Jackson pretty-prints it, to the agent's own parsing code: the function
definitions of the *rendered* agent, sourced under zsh (``jamf_api`` stubbed to hand over the
body), plus the two inline parses in the MDM workflow (``errorReasons``, ``processManagerUuids``)
taken verbatim from the rendered script.  The agent's end-to-end tests run against the same
pretty-printing simulator.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from generator.bundle import load_bundle
from generator.render import render_all
from generator.sim import Clock
from generator.sim.jackson import dumps
from tests.sim.simclient import Api, admin

REPO = Path(__file__).resolve().parents[2]
PLANS = "/api/v1/managed-software-updates/plans"
_FUNCTION = re.compile(r"^[a-z_][a-z0-9_]*\(\) \{")


def _agent_script() -> str:
    artifacts = render_all(load_bundle(REPO / "examples" / "bundle.toml"))
    return next(a.content.decode() for a in artifacts if re.fullmatch(r"agent/[a-z0-9-]+\.zsh", a.path)
                and "uninstall" not in a.path)


def _function_definitions(script: str) -> str:
    """Only the top-level function definitions: one-liners, and blocks up to their closing ``}``."""
    lines, out, i = script.splitlines(), [], 0
    while i < len(lines):
        if _FUNCTION.match(lines[i]):
            if i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
                end = lines.index("}", i)
                out += lines[i:end + 1]
                i = end
            else:
                out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"


def _line(script: str, needle: str) -> str:
    found = [line.strip() for line in script.splitlines() if needle in line]
    assert len(found) == 1, needle
    return found[0]


def _bodies(sim) -> dict[str, object]:
    api = admin(sim)
    tenant = sim.tenant(0)
    out: dict[str, object] = {}
    out["oauth"] = Api(sim).client_token(*tenant.admin_client).json()
    out["basic"] = Api(sim).basic_token(*tenant.admin_account).json()
    out["auth"] = api.get("/api/v1/auth").json()
    serial = tenant.find_computer("2")["serialNumber"]
    out["lookup"] = api.get("/api/v3/computers-inventory", params={
        "section": "GENERAL", "page": 0, "page-size": 1, "filter": f'hardware.serialNumber=="{serial}"'}).json()
    api.put(PLANS + "/feature-toggle", json={"toggle": True})
    out["toggle"] = api.get(PLANS + "/feature-toggle").json()
    tenant.set_device_outcome("2", "fail")
    created = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": "2"}],
                                    "config": {"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"}})
    out["plan_created"] = created.json()
    sim.clock.advance(600)
    out["plan_failed"] = api.get(f"{PLANS}/{created.json()['plans'][0]['planId']}").json()
    out["send_updates"] = api.post("/api/v1/macos-managed-software-updates/send-updates",
                                   json={"deviceIds": ["2"], "version": "14.6.1", "updateAction": "DOWNLOAD_AND_INSTALL"}).json()
    out["api_error"] = api.get("/api/v1/scripts/404").json()
    out["oauth_error"] = Api(sim).client_token(tenant.admin_client[0], "wrong").json()
    return out


def _probes(script: str) -> dict[str, tuple[str, str]]:
    """name -> (body, zsh code printing what the agent made of it)."""
    reasons = _line(script, '"errorReasons"')
    pm_condition = _line(script, '"processManagerUuids"').removeprefix("if ").removesuffix("; then")
    probes = {f"field {key}": (body, f'json_field "$BODY" {key}; print -r -- "$?|$REPLY"') for body, key in [
        ("oauth", "access_token"), ("basic", "token"), ("toggle", "toggle"), ("plan_failed", "state"),
        ("plan_created", "planId"), ("api_error", "code"), ("api_error", "description"),
        ("oauth_error", "error"), ("oauth_error", "error_description")]}
    probes |= {
        "api_error_text ApiError": ("api_error", 'HTTP_BODY=$BODY; api_error_text; print -r -- "$REPLY"'),
        "api_error_text OAuth": ("oauth_error", 'HTTP_BODY=$BODY; api_error_text; print -r -- "$REPLY"'),
        "determine_workflow": ("toggle", 'WORKFLOW=; JAMF_NUM=111200; determine_workflow; print -r -- "$?|$WORKFLOW"'),
        "lookup_computer_id": ("lookup", 'COMPUTER_ID=; SERIAL=C02; UDID=U; lookup_computer_id; print -r -- "$?|$COMPUTER_ID"'),
        "check_token_privileges": ("auth", 'ROLE_PRIVILEGES=("Read Computers" "No Such Privilege"); '
                                           'check_token_privileges; print -r -- "$?|$API_FAILURE"'),
        "errorReasons": ("plan_failed", f'HTTP_BODY=$BODY; reasons=; {reasons}; print -r -- "$reasons"'),
        "processManagerUuids": ("send_updates", f'HTTP_BODY=$BODY; if {pm_condition}; then print refused; '
                                                'else print accepted; fi'),
    }
    return probes


def _run(tmp: Path, functions: str, probes: dict[str, tuple[str, str]], bodies: dict[str, str]) -> dict[str, str]:
    driver = ["emulate -R zsh", "setopt extended_glob typeset_silent no_nomatch", "zmodload zsh/datetime zsh/regex",
              f"source {tmp / 'functions.zsh'}",
              # The network and the log are stubbed; everything that parses is the agent's own.
              'jamf_api() { HTTP_STATUS=200; HTTP_BODY=$BODY; return 0 }',
              'error() { print -r -- "error: $*" }', 'warn() { : }', 'info() { : }', 'audit() { : }',
              "typeset -gA S ACCOUNT_FORM; typeset -g API_FAILURE= STATUS_DIRTY=0 REPLY="]
    (tmp / "functions.zsh").write_text(functions)
    for n, (name, (body, code)) in enumerate(probes.items()):
        path = tmp / f"body{n}.json"
        path.write_text(bodies[body])
        driver += [f"print -r -- '### {name}'", f'BODY="$(<{path})"', f"{{ {code} }}"]
    (tmp / "driver.zsh").write_text("\n".join(driver) + "\n")
    out = subprocess.run(["zsh", "-f", str(tmp / "driver.zsh")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and not out.stderr, out.stderr
    results = {}
    for chunk in out.stdout.split("### ")[1:]:
        name, _, value = chunk.partition("\n")
        results[name] = value.strip()
    return results


def test_every_field_the_agent_reads_is_read_alike_in_both_layouts(jamf_sim_factory, tmp_path):
    sim = jamf_sim_factory(fleet=3, clock=Clock(frozen=True))
    objects = _bodies(sim)
    script = _agent_script()
    functions, probes = _function_definitions(script), _probes(script)
    assert {"json_field", "api_error_text", "determine_workflow", "lookup_computer_id",
            "check_token_privileges"} <= set(re.findall(r"^([a-z_]+)\(\)", functions, re.M))
    (tmp_path / "compact").mkdir()
    (tmp_path / "pretty").mkdir()
    compact = _run(tmp_path / "compact", functions, probes,
                   {k: json.dumps(v, separators=(",", ":"), ensure_ascii=False) for k, v in objects.items()})
    pretty = _run(tmp_path / "pretty", functions, probes, {k: dumps(v) for k, v in objects.items()})
    assert set(pretty) == set(probes)
    assert pretty == compact
    token = objects["oauth"]["access_token"]  # type: ignore[index]
    assert pretty["field access_token"] == f"0|{token}"
    assert pretty["field token"] == f"0|{objects['basic']['token']}"  # type: ignore[index]
    assert pretty["field toggle"] == "0|true" and pretty["determine_workflow"] == "0|NEW"
    assert pretty["field state"] == "0|PlanFailed" and pretty["errorReasons"]
    assert pretty["field planId"].startswith("0|") and len(pretty["field planId"]) > 2
    assert pretty["lookup_computer_id"] == "0|2"
    assert pretty["check_token_privileges"].splitlines()[-1] == "1|PRIVILEGE"
    assert "No Such Privilege" in pretty["check_token_privileges"]
    assert "Read Computers" not in pretty["check_token_privileges"]
    assert pretty["processManagerUuids"] == "accepted"
    assert pretty["api_error_text ApiError"].startswith(objects["api_error"]["errors"][0]["code"])  # type: ignore[index]
    assert pretty["api_error_text OAuth"] == "invalid_client: " + objects["oauth_error"]["error_description"]  # type: ignore[index]
