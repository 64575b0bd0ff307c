"""Refresh the generated tables in README.md (bundle.toml keys, status model, the simulator's assumptions and plan paths)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator import bundle, status  # noqa: E402
from generator.sim.assumptions import table_markdown  # noqa: E402
from generator.sim.plan_rules import plan_paths_markdown  # noqa: E402

SECTIONS = {"bundle-reference": bundle.reference_markdown, "status-reference": status.reference_markdown,
            "sim-assumptions": table_markdown, "sim-plan-paths": plan_paths_markdown}


def main() -> None:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    for name, produce in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m, p=produce: m.group(1) + p() + m.group(2), text)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
