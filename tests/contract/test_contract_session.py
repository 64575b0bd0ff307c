"""Everything the simulator answered during this test session -- every suite, every test that used
``jamf_sim`` or ``Simulator`` -- held to Jamf's published contract.  Runs last (see conftest)."""

from __future__ import annotations

import pytest

from tests.contract.openapi import validate_recorded


def test_every_recorded_exchange_keeps_the_contract(sim_session_exchanges):
    if not sim_session_exchanges:
        pytest.skip("no simulator traffic was recorded in this session")
    problems = validate_recorded(list(sim_session_exchanges))
    assert problems == [], f"{len(problems)} contract breaches, first ones:\n" + "\n".join(problems[:20])
