"""Fixtures shared by every test suite.

The repository root goes on ``sys.path`` so suites can import shared test helpers as
``tests.<suite>.<module>`` (e.g. ``from tests.contract.openapi import validate_exchange``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# --- the local Jamf Pro simulator (generator.sim) ---------------------------------------------
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from generator.sim import SimConfig, Simulator  # noqa: E402
from generator.sim import recorder as _sim_recorder  # noqa: E402

# Every exchange any simulator answers during the session; tests/contract validates them all
# against Jamf's specs in a test that runs last (see tests/contract/conftest.py).
SIM_EXCHANGES: list[dict[str, Any]] = []
_sim_recorder.add_listener(SIM_EXCHANGES.append)


@pytest.fixture(scope="session")
def sim_session_exchanges() -> list[dict[str, Any]]:
    return SIM_EXCHANGES


@pytest.fixture
def jamf_sim() -> Iterator[Simulator]:
    """A fresh simulator (HTTPS, Jamf Pro 11.12.0, 50 computers) on a free port."""
    with Simulator(SimConfig(tls=True, port=0)) as sim:
        yield sim


@pytest.fixture
def jamf_sim_factory() -> Iterator[Callable[..., Simulator]]:
    """``jamf_sim_factory(version="10.48.0", tenants=2, ...)``: started simulators, all stopped at teardown."""
    started: list[Simulator] = []

    def make(**kwargs: Any) -> Simulator:
        kwargs.setdefault("port", 0)
        sim = Simulator(SimConfig(**kwargs)).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
