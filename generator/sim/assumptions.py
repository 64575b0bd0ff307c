"""The simulator's one table of assumptions about unpublished Jamf Pro behaviour.

The table lives in ``ASSUMPTIONS.md`` next to this module (the simulator's docs);
``tools/update_readme.py`` copies it into README.md, and the tests hold the two equal and
require a row for every served route the vendored specs do not describe.
"""

from __future__ import annotations

import re
from pathlib import Path

ASSUMPTIONS = Path(__file__).with_name("ASSUMPTIONS.md")
_TABLE = re.compile(r"<!-- table:start -->\n(.*?)<!-- table:end -->", re.S)


def table_markdown() -> str:
    found = _TABLE.search(ASSUMPTIONS.read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{ASSUMPTIONS}: no table between <!-- table:start --> and <!-- table:end -->")
    return found.group(1)
