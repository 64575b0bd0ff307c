"""Run a real zsh script under the macOS harness: stubbed macOS commands, a minimal allow-list of
portable tools, a private root, an injectable clock and a clean environment.

``run_script`` is the one entry point; ``tool_path`` builds (once per process, cached on disk
by content hash) the directory pair that becomes the script's ``PATH``:

* ``stubs/`` — copies of ``generator/harness/stubs`` whose shebang points at this Python with
  ``-SE`` (no site, no PYTHON* variables: ~20 ms per simulated command instead of ~50 ms);
* ``allow/`` — symlinks to host tools that behave the same on macOS.  Kept minimal on purpose;
  every entry is in ``ALLOW_LIST`` with the reason it is safe.  GNU ``date``, ``sed``,
  ``stat``, ``readlink``, ``grep``, ``awk`` … are deliberately absent, so a script that
  grows a GNU-only habit fails here instead of on a Mac.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STUB_SOURCE = Path(__file__).parent / "stubs"

# name -> why it may come from the Linux host unchanged.
ALLOW_LIST: dict[str, str] = {
    "curl": "HTTP to Jamf Pro. macOS ships curl (7.64 on macOS 11); the agent uses only options "
            "that 7.64 has (-s -S -K - -o -D -w -X --cacert --max-time --connect-timeout), which "
            "tests/agent/test_portability.py checks in the rendered script.",
}

DEFAULT_NOW = 1767268800  # 2026-01-01 12:00:00 UTC: a fixed, readable start for every harness clock


@dataclass
class Result:
    """What one script run did."""

    returncode: int
    stdout: str
    stderr: str
    stub_calls: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def calls(self, cmd: str) -> list[dict[str, Any]]:
        return [c for c in self.stub_calls if c["cmd"] == cmd]

    def argv_of(self, cmd: str) -> list[list[str]]:
        return [c["argv"] for c in self.calls(cmd)]


def _stub_files() -> list[Path]:
    return sorted(p for p in STUB_SOURCE.iterdir() if p.is_file() and not p.name.startswith("."))


def _fingerprint() -> str:
    h = hashlib.sha256(sys.executable.encode())
    for p in _stub_files():
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    for name in sorted(ALLOW_LIST):
        h.update(name.encode() + str(shutil.which(name)).encode())
    return h.hexdigest()[:16]


_TOOL_PATH: str | None = None


def build_tools(dest: Path) -> str:
    """Write ``stubs/`` and ``allow/`` into ``dest`` (which must not exist); the PATH they make."""
    dest.mkdir(parents=True)
    (dest / "stubs").mkdir()
    (dest / "allow").mkdir()
    for src in _stub_files():
        text = src.read_text(encoding="utf-8")
        if text.startswith("#!/usr/bin/env python3"):
            # PATH inside the harness has no python3 (macOS scripts must not use one).
            text = f"#!{sys.executable} -SE" + text[len("#!/usr/bin/env python3"):]
        dst = dest / "stubs" / src.name
        dst.write_text(text, encoding="utf-8")
        dst.chmod(0o755 if not src.name.endswith(".py") else 0o644)
    for name in ALLOW_LIST:
        target = shutil.which(name)
        if target is None:
            raise RuntimeError(f"harness: allow-listed tool {name!r} is not installed on this host")
        (dest / "allow" / name).symlink_to(target)
    return f"{dest / 'stubs'}:{dest / 'allow'}"


def tool_path() -> str:
    """``stubs:allow`` — the PATH a harnessed script gets (built once, shared between processes)."""
    global _TOOL_PATH
    if _TOOL_PATH is not None:
        return _TOOL_PATH
    base = Path(tempfile.gettempdir()) / f"jamf-enforcer-harness-{os.getuid()}-{_fingerprint()}"
    if not (base / "ready").exists():
        staging = Path(tempfile.mkdtemp(prefix=base.name + ".", dir=base.parent))
        build_tools(staging / "tree")
        for child in (staging / "tree").iterdir():
            child.rename(staging / child.name)
        (staging / "tree").rmdir()
        (staging / "ready").write_text("ok\n")
        try:
            os.rename(staging, base)
        except OSError:
            # Another process won the race; its copy is identical (same fingerprint).
            shutil.rmtree(staging, ignore_errors=True)
    _TOOL_PATH = f"{base / 'stubs'}:{base / 'allow'}"
    return _TOOL_PATH


def zsh_binary() -> str:
    for candidate in ("/bin/zsh", shutil.which("zsh")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("harness: zsh is not installed")


def _interpreter_args(script: Path) -> list[str]:
    """Honour the script's shebang options (e.g. ``--no-rcs``) while using the host's zsh."""
    with open(script, "rb") as fh:
        first = fh.readline().decode("utf-8", "replace").strip()
    if first.startswith("#!") and "zsh" in first:
        return first[2:].split()[1:]
    return []


def read_calls(log: Path, offset: int = 0) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    with open(log, encoding="utf-8") as fh:
        fh.seek(offset)
        return [json.loads(line) for line in fh if line.strip()]


def harness_env(*, root: Path, state: Path, env: dict[str, str] | None = None, tools: str | None = None) -> dict[str, str]:
    """The complete environment of a harnessed script (nothing inherited from the caller).

    ``tools`` is a PATH from ``build_tools`` (default: the shared copy of ``tool_path``)."""
    path = tools or tool_path()
    home = state / "home"
    tmp = state / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    base = {
        "PATH": path,
        "JAMF_ENFORCER_PATH": path,
        "JAMF_ENFORCER_ROOT": str(root),
        "JAMF_ENFORCER_STUB_STATE": str(state),
        "JAMF_ENFORCER_STUB_LOG": str(state / "calls.jsonl"),
        "JAMF_ENFORCER_NOW_FILE": str(state / "now"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "TZ": "UTC",
        "LANG": "C",
        "USER": "root",
        "LOGNAME": "root",
        "SHELL": "/bin/zsh",
    }
    base.update(env or {})
    return base


def run_script(script: Path, args: list[str], *, root: Path, state: Path, env: dict[str, str] | None = None,
               now: int | None = None, stdin: str | None = None, timeout: float = 60,
               prefix: list[str] | None = None, tools: str | None = None) -> Result:
    """Run ``script`` with ``args`` under zsh inside the harness and collect what it did.

    ``root`` stands in for ``/`` (the script prefixes every path with ``$JAMF_ENFORCER_ROOT``);
    ``state`` holds the stubs' JSON configuration, the call log and the clock file.  ``now``
    sets the clock (epoch seconds) before the run; otherwise the clock keeps its value.
    ``prefix`` wraps the shell (e.g. ``["strace", "-f", ...]`` to count processes); ``tools``
    replaces the shared stub PATH (``build_tools``).
    """
    # Absolute: the script runs with a private working directory.
    root, state, script = Path(root).absolute(), Path(state).absolute(), Path(script).absolute()
    root.mkdir(parents=True, exist_ok=True)
    state.mkdir(parents=True, exist_ok=True)
    full_env = harness_env(root=root, state=state, env=env, tools=tools)
    clock = Path(full_env["JAMF_ENFORCER_NOW_FILE"])
    if now is not None:
        clock.write_text(f"{int(now)}\n")
    elif not clock.exists():
        clock.write_text(f"{DEFAULT_NOW}\n")
    log = Path(full_env["JAMF_ENFORCER_STUB_LOG"])
    offset = log.stat().st_size if log.exists() else 0
    cmd = [*(prefix or []), zsh_binary(), *_interpreter_args(script), str(script), *args]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=full_env, cwd=str(state / "tmp"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(stdin or "", timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        raise TimeoutError(f"{script} did not finish within {timeout}s:\n{stdout}\n{stderr}") from None
    return Result(proc.returncode, stdout, stderr, read_calls(log, offset), time.monotonic() - started)
