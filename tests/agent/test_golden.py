"""Golden renders: the agent and uninstall scripts of every variant must stay byte-identical.

``tests/golden/index.json`` maps the scripts of each ``msu_workflow`` × ``credential_method``
variant of the test bundle (``<workflow>-<method>/agent.zsh``, ``…/uninstall.zsh``) and of
``examples/bundle.toml`` (``example/…``) to a golden file. Variants that render the same bytes share
one file (``credential_method`` does not change the agent script), named after the first of them.
dist/ pins the example's other artifacts (tests/unit/test_dist.py). A layout change to the templates
(moving code between partials) must leave every byte alone.

A deliberate change to the agent's output updates them:
``JAMF_ENFORCER_UPDATE_GOLDEN=1 python3 -m pytest -q tests/agent/test_golden.py``; review the
diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
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


def _index() -> dict[str, str]:
    return json.loads((GOLDEN / "index.json").read_text(encoding="utf-8"))


def _compare(name: str, rendered: dict[str, bytes]) -> None:
    for file, content in rendered.items():
        key = f"{name}/{file}"
        if UPDATE:
            _update(key, content)
        golden = _index().get(key)
        assert golden is not None, f"{key} has no golden render: run with JAMF_ENFORCER_UPDATE_GOLDEN=1"
        assert content == (GOLDEN / golden).read_bytes(), f"{key} differs from its golden render {golden}"


def _update(key: str, content: bytes) -> None:
    """Point KEY at the golden file holding CONTENT, writing one named after KEY if none does."""
    index = _index() if (GOLDEN / "index.json").is_file() else {}
    same = [f for f in sorted(set(index.values())) if (GOLDEN / f).read_bytes() == content]
    index[key] = same[0] if same else key.replace("/", ".")
    if not same:
        (GOLDEN / index[key]).write_bytes(content)
    used = set(index.values())
    for stale in GOLDEN.glob("*.zsh"):
        if stale.name not in used:
            stale.unlink()
    (GOLDEN / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@pytest.mark.parametrize("agent", VARIANTS, ids=variant_id)
def test_variant_renders_match_the_goldens(agent: dict[str, str], render_variant: Callable[..., Path]) -> None:
    _compare(variant_id(agent), _scripts(render_variant(agent=agent)))


def test_example_bundle_renders_match_the_goldens() -> None:
    arts = {a.kind: a.content for a in render_all(load_bundle(ROOT / "examples" / "bundle.toml"))}
    _compare("example", {file: arts[kind] for kind, file in SCRIPTS.items()})


def test_no_stale_goldens() -> None:
    index = _index()
    assert sorted(index) == sorted(f"{name}/{file}" for name in NAMES for file in SCRIPTS.values())
    present = sorted(p.name for p in GOLDEN.iterdir() if p.name != "index.json")
    assert present == sorted(set(index.values())), "golden files no variant uses, or missing ones"
