"""dist/ holds the rendered example bundle, committed: this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from generator.bundle import load_bundle
from generator.render import render_all

ROOT = Path(__file__).resolve().parents[2]


def test_committed_dist_matches_a_fresh_render():
    expected = {a.path: a.content for a in render_all(load_bundle(ROOT / "examples" / "bundle.toml"))}
    present = {p.relative_to(ROOT / "dist").as_posix(): p.read_bytes() for p in (ROOT / "dist").rglob("*") if p.is_file()}
    stale = sorted(p for p in expected if present.get(p) != expected[p])
    extra = sorted(set(present) - set(expected))
    assert not stale and not extra, (
        f"dist/ is stale ({stale[:5]}, extra {extra[:5]}): run jamf-enforcer render examples/bundle.toml --out dist")
