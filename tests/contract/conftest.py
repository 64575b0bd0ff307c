"""Run the whole-session contract check after every other test, whatever the collection order."""

from __future__ import annotations

import pytest

SESSION_CHECK = "test_every_recorded_exchange_keeps_the_contract"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    last = [item for item in items if item.name == SESSION_CHECK]
    if last:
        items[:] = [item for item in items if item.name != SESSION_CHECK] + last
