"""Golden renders: the agent and uninstall scripts of every variant must stay byte-identical.

``tests/golden/<workflow>-<method>/`` holds the scripts of each ``msu_workflow`` ×
``credential_method`` variant of the test bundle, ``tests/golden/example/`` those of
``examples/bundle.toml`` (dist/ pins the example's other artifacts, see tests/unit/test_dist.py).
A layout change to the templates (moving code between partials) must leave every byte alone.

A deliberate change to the agent's output updates them:
``JAMF_ENFORCER_UPDATE_GOLDEN=1 python3 -m pytest -q tests/agent/test_golden.py``; review the
diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.bundle import load_bundle
from generator.render import render_all
from tests.agent.agentlib import VARIANTS, variant_id

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("JAMF_ENFORCER_UPDATE_GOLDEN") == "1"
SCRIPTS = {"agent-script": "agent.zsh", "uninstall-script": "uninstall.zsh"}
NAMES = [*(variant_id(v) for v in VARIANTS), "example"]


def _scripts(dist: Path) -> dict[str, bytes]:
    agent = dist / "agent"
    uninstall = next(agent.glob("*-uninstall.zsh"))
    main = next(p for p in agent.glob("*.zsh") if p != uninstall)
    return {"agent.zsh": main.read_bytes(), "uninstall.zsh": uninstall.read_bytes()}


def _compare(name: str, rendered: dict[str, bytes]) -> None:
    folder = GOLDEN / name
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for file, content in rendered.items():
            (folder / file).write_bytes(content)
    for file, content in rendered.items():
        golden = folder / file
        assert golden.is_file(), f"{golden} missing: run with JAMF_ENFORCER_UPDATE_GOLDEN=1"
        assert content == golden.read_bytes(), f"{name}/{file} differs from its golden render"


@pytest.mark.parametrize("agent", VARIANTS, ids=variant_id)
def test_variant_renders_match_the_goldens(agent: dict[str, str], render_variant: Callable[..., Path]) -> None:
    _compare(variant_id(agent), _scripts(render_variant(agent=agent)))


def test_example_bundle_renders_match_the_goldens() -> None:
    arts = {a.kind: a.content for a in render_all(load_bundle(ROOT / "examples" / "bundle.toml"))}
    _compare("example", {file: arts[kind] for kind, file in SCRIPTS.items()})


def test_no_stale_goldens() -> None:
    present = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert present == sorted(f"{name}/{file}" for name in NAMES for file in SCRIPTS.values())
