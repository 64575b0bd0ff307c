"""ARCHITECTURE.md stays true: every module it names exists, and every module is named."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUBS = "generator/harness/stubs/"


def _named() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return set(re.findall(r"^- `((?:generator|templates/agent)/[^`]+)` — ", text, re.M))


def _modules() -> set[str]:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "generator", "templates/agent"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = {f for f in files if (ROOT / f).exists() and (f.endswith(".py") or f.endswith(".j2")) and not f.startswith(STUBS)}
    return found | {STUBS}


def test_every_named_module_exists() -> None:
    missing = sorted(name for name in _named() if not (ROOT / name).exists())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"


def test_every_module_is_named() -> None:
    unnamed = sorted(_modules() - _named())
    assert not unnamed, f"modules missing from ARCHITECTURE.md (one line each): {unnamed}"


def test_readme_links_to_it() -> None:
    assert "(ARCHITECTURE.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
