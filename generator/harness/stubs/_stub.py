"""Shared plumbing of the macOS command stubs: call recording and file-backed state.

Every stub calls ``record(name, argv, stdin_used)`` first, so the log order is the call order.
The log is one JSON object per line; stdin *content* is never written, only whether the stub
read it (secrets travel on stdin by design).  State lives in JSON files under
``$JAMF_ENFORCER_STUB_STATE`` (see ``generator.harness`` for the format of each file).

This module must stay free of third-party and ``generator`` imports: the stubs run with
``python -S`` on every call, so startup time is the cost of each simulated macOS command.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from typing import Any

STATE_DIR = os.environ.get("JAMF_ENFORCER_STUB_STATE", "")
LOG_FILE = os.environ.get("JAMF_ENFORCER_STUB_LOG", "")


def record(name: str, argv: list[str], stdin_used: bool = False, **extra: Any) -> None:
    if not LOG_FILE:
        return
    entry = {"cmd": name, "argv": argv, "stdin": stdin_used, "pid": os.getpid(), **extra}
    with open(LOG_FILE, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(json.dumps(entry) + "\n")


def state_path(name: str) -> str:
    return os.path.join(STATE_DIR, name)


def load(name: str, default: Any = None) -> Any:
    try:
        with open(state_path(name + ".json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, ValueError):
        return {} if default is None else default


def save(name: str, data: Any) -> None:
    path = state_path(name + ".json")
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


class Locked:
    """Exclusive lock on one state file for read-modify-write stubs (security, sleep)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fh: Any = None

    def __enter__(self) -> Locked:
        self.fh = open(state_path(self.name + ".lock"), "a")  # released in __exit__
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def system() -> dict[str, Any]:
    return load("system")


def out(text: str) -> None:
    sys.stdout.write(text)


def err(text: str) -> None:
    sys.stderr.write(text)


def bump_now(seconds: float) -> int:
    """Advance the injectable clock (``$JAMF_ENFORCER_NOW_FILE``) instead of waiting."""
    path = os.environ.get("JAMF_ENFORCER_NOW_FILE", "")
    if not path:
        return 0
    with Locked("clock"):
        try:
            with open(path, encoding="utf-8") as fh:
                now = int(fh.read().strip() or 0)
        except FileNotFoundError:
            now = 0
        now += round(seconds)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"{now}\n")
    return now
