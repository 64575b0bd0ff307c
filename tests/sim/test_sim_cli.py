"""``python -m generator.sim`` (the same ``run_sim`` as ``jamf-enforcer sim``) in a real subprocess."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str, module: tuple[str, ...] = ("generator.sim",)) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen([sys.executable, "-m", *module, *args], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("serving"):
            break
    return process, lines


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    return out, err


def _value(lines: list[str], prefix: str) -> str:
    return next(line.split(": ", 1)[1] for line in lines if line.startswith(prefix))


def test_cli_serves_prints_where_and_hides_the_secret():
    process, lines = _start("--fleet", "3", "--tenants", "2", "--version", "11.12.0-t1772925731845",
                            "--faults", "seed=3")
    try:
        base0, base1 = _value(lines, "tenant 0"), _value(lines, "tenant 1")
        assert re.fullmatch(r"https://127\.0\.0\.1:\d+", base0) and base1 == base0 + "/t/1"
        ca_file, credentials = _value(lines, "CA file"), Path(_value(lines, "admin credentials (0600)"))
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        creds = json.loads(credentials.read_text())
        secret = creds[base1]["client_secret"]
        http = requests.Session()
        http.trust_env = False
        token = http.post(base1 + "/api/v1/oauth/token", verify=ca_file,
                          data={"client_id": creds[base1]["client_id"], "client_secret": secret,
                                "grant_type": "client_credentials"}).json()["access_token"]
        version = http.get(base1 + "/api/v1/jamf-pro-version", verify=ca_file,
                           headers={"Authorization": f"Bearer {token}"}).json()
        assert version == {"version": "11.12.0-t1772925731845"}
    finally:
        out, err = _stop(process)
    printed = "\n".join(lines) + out + err
    assert "stopped" in out
    assert secret not in printed and creds[base0]["client_secret"] not in printed
    assert creds[base0]["password"] not in printed
    assert not credentials.exists()  # the run directory goes away with the simulator


def test_cli_show_secret_and_plain_http():
    process, lines = _start("--fleet", "1", "--plain-http", "--show-secret")
    try:
        base = _value(lines, "tenant 0")
        assert base.startswith("http://")
        assert not any(line.startswith("CA file") for line in lines)
        shown = next(line for line in lines if "client_secret=" in line)
        secret = shown.rsplit("client_secret=", 1)[1]
        client_id = re.search(r"client_id=(\S+)", shown).group(1)
        http = requests.Session()
        http.trust_env = False
        response = http.post(base + "/api/v1/oauth/token", data={"client_id": client_id, "client_secret": secret,
                                                                 "grant_type": "client_credentials"})
        assert response.status_code == 200
    finally:
        _stop(process)


def test_cli_refuses_a_bad_fault_spec():
    result = subprocess.run([sys.executable, "-m", "generator.sim", "--faults", "5xx=7"], cwd=ROOT,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "bad fault spec item" in result.stderr


def test_jamf_enforcer_sim_front_door_and_plan_rate_limit():
    """``jamf-enforcer sim`` reaches the same run_sim; --plan-rate makes plan creation answer 429."""
    process, lines = _start("--fleet", "2", "--plan-rate", "1", module=("generator", "sim"))
    try:
        base, ca_file = _value(lines, "tenant 0"), _value(lines, "CA file")
        creds = json.loads(Path(_value(lines, "admin credentials (0600)")).read_text())[base]
        http = requests.Session()
        http.trust_env = False
        token = http.post(base + "/api/v1/oauth/token", verify=ca_file,
                          data={"client_id": creds["client_id"], "client_secret": creds["client_secret"],
                                "grant_type": "client_credentials"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        http.put(base + "/api/v1/managed-software-updates/plans/feature-toggle", json={"toggle": True},
                 headers=headers, verify=ca_file)
        statuses = []
        for device in ("1", "2"):
            body = {"devices": [{"objectType": "COMPUTER", "deviceId": device}],
                    "config": {"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"}}
            reply = http.post(base + "/api/v1/managed-software-updates/plans", json=body, headers=headers, verify=ca_file)
            statuses.append((reply.status_code, reply.headers.get("Retry-After")))
        assert statuses[0][0] == 201
        assert statuses[1][0] == 429 and statuses[1][1] is not None
    finally:
        _stop(process)
    assert any("at most 1 per minute" in line for line in lines)
