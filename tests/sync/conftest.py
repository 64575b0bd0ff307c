"""Fixtures for the plan / apply / audit / rotate tests (helpers live in ``helpers.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.sim import Simulator
from tests.sync.helpers import Rig, make_rig


@pytest.fixture
def rig(jamf_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rig:
    return make_rig(jamf_sim, tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def _contract(sim_session_exchanges: list[dict[str, Any]]) -> Iterator[None]:
    """Every Jamf Pro API exchange a test in this suite makes must keep Jamf's published contract."""
    from tests.contract.openapi import validate_recorded

    start = len(sim_session_exchanges)
    yield
    problems = validate_recorded(sim_session_exchanges[start:])
    assert not problems, "contract violations:\n" + "\n".join(problems[:20])
