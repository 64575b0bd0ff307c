"""The README's rehearsal ("First hour", step 4), performed exactly as written: the simulator started
with ``--env-file`` in its own process, the env file loaded by the shell line the README gives, then
plan, apply and plan as separate CLI processes with the exit codes the README's comments promise."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ".venv/bin/jamf-enforcer "


def readme_rehearsal() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- rehearsal:start -->", 1)[1].split("<!-- rehearsal:end -->", 1)[0]
    lines = [line.strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("```")]


def cli(line: str) -> list[str]:
    """A README command line as argv: ``.venv/bin/jamf-enforcer`` is this interpreter's package."""
    assert line.startswith(CLI), line
    return [sys.executable, "-m", "generator", *shlex.split(line[len(CLI):], comments=True)]


def test_the_readme_rehearsal_runs_as_written(tmp_path):
    start, load, *commands = readme_rehearsal()
    assert len(commands) == 3
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "bundle.toml", tmp_path / "examples" / "bundle.toml")
    outputs: list[str] = []
    reports: list[str] = []  # stdout of plan, apply, plan
    sim = subprocess.Popen(cli(start), cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert sim.stdout is not None
        for line in sim.stdout:
            outputs.append(line)
            if line.startswith("serving"):
                break
        env_file = tmp_path / shlex.split(start)[-1]
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        loaded = subprocess.run(["bash", "-c", f"{load}\nenv -0"], cwd=tmp_path, capture_output=True, text=True,
                                check=True, timeout=30).stdout
        env = dict(item.split("=", 1) for item in loaded.split("\0") if "=" in item)
        secret = env["JAMF_SIM_CLIENT_SECRET"]
        assert env["JAMF_SIM_URL"].startswith("https://127.0.0.1:") and Path(env["JAMF_SIM_CA_FILE"]).is_file()
        for line in commands:
            expected = int(re.search(r"# exit (\d+)", line).group(1))
            proc = subprocess.run(cli(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                                  check=False)
            outputs += [proc.stdout, proc.stderr]
            reports.append(proc.stdout)
            assert proc.returncode == expected, (line, proc.stdout, proc.stderr)
    finally:
        sim.send_signal(signal.SIGINT)
        out, err = sim.communicate(timeout=30)
        outputs += [out, err]
    assert sim.returncode == 0, err
    assert "created policy" in reports[1] and "in sync" in reports[2]
    assert not env_file.exists()  # its CA and secret died with the simulator
    assert secret not in "".join(outputs)
