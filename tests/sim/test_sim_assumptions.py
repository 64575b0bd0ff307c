"""The simulator's one table of assumptions: the README carries it unchanged, and every served
route the vendored specs do not describe has a row."""

from __future__ import annotations

import re
from pathlib import Path

from generator.sim.assumptions import table_markdown
from generator.sim.routes import routes
from generator.specindex import load_index

REPO = Path(__file__).resolve().parents[2]
_METHOD = re.compile(r"^(GET|HEAD|POST|PUT|DELETE|PATCH) ")


def _rows() -> list[tuple[int, list[str]]]:
    """(row number, the paths its Routes column names)."""
    rows = []
    for line in table_markdown().splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        paths = [_METHOD.sub("", token) for token in re.findall(r"`([^`]+)`", cells[1])]
        rows.append((int(cells[0]), [p for p in paths if p.startswith("/")]))
    return rows


def test_the_readme_carries_the_table_unchanged():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"<!-- sim-assumptions:start -->\n{table_markdown()}<!-- sim-assumptions:end -->" in readme, (
        "README's assumptions table is stale: run python tools/update_readme.py")


def test_rows_are_numbered_in_order_and_name_real_routes():
    rows = _rows()
    assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
    templates = {route.template for route in routes()}
    for n, paths in rows:
        for path in paths:
            assert any(t == path or t.startswith(path + "/") for t in templates), f"row {n}: {path} is not served"


def test_every_route_outside_the_vendored_specs_has_a_row():
    described = load_index()["pro"]
    named = [p for _, paths in _rows() for p in paths]
    outside = [route for route in routes() if route.key not in described]
    assert any(r.template == "/api/v2/mdm/blank-push" for r in outside)
    for route in outside:
        assert any(route.template == p or route.template.startswith(p + "/") for p in named), (
            f"{route.key}: served without a vendored spec, but no row of generator/sim/ASSUMPTIONS.md names it")
