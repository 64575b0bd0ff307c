"""Render benchmark: prints cold CLI wall time and in-process render time.

For the example bundle and for a bundle whose status model has 200 extension attributes.
Run: python bench/render.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator import render, status  # noqa: E402
from generator.bundle import load_bundle  # noqa: E402


def cold_cli(bundle: Path, runs: int = 5) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "generator", "render", str(bundle), "--out", f"{tmp}/d{i}"],
                           check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(runs: int = 50) -> float:
    spec = load_bundle(ROOT / "examples" / "bundle.toml")
    render.render_all(spec)  # warm the template cache, as a long-lived process would be
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render.render_all(spec)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def with_200_eas(runs: int = 20) -> tuple[float, int]:
    base = status.STATUS_KEYS[1]
    many = tuple(replace(base, key=f"Fact{i:03d}", ea_name=f"Fact {i:03d}") for i in range(200))
    original = status.MODEL
    render.MODEL = status.StatusModel(keys=status.STATUS_KEYS + many)
    try:
        spec = load_bundle(ROOT / "examples" / "bundle.toml")
        arts = render.render_all(spec)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            render.render_all(spec)
            times.append(time.perf_counter() - start)
        return statistics.median(times), sum(1 for a in arts if a.kind == "extension-attribute")
    finally:
        render.MODEL = original


if __name__ == "__main__":
    example = ROOT / "examples" / "bundle.toml"
    print(f"cold CLI render, example bundle:        {cold_cli(example) * 1000:8.1f} ms (median of 5)")
    print(f"in-process render, example bundle:      {in_process() * 1000:8.1f} ms (median of 50)")
    seconds, count = with_200_eas()
    print(f"in-process render, {count} EAs:            {seconds * 1000:8.1f} ms (median of 20)")
