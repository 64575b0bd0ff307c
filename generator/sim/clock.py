"""The simulator's injectable clock.

Everything time-dependent in the simulator (token expiry, managed-software-update plan
progress, the plan-creation rate window, Jamf Cloud replication delay) reads this clock and
nothing else, so a test can move time forward with ``advance`` instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """Wall-clock time plus an offset that only ever grows.

    ``frozen=True`` stops the real-time part: time then moves only through ``advance``.
    """

    def __init__(self, start: float | None = None, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._base = time.time() if start is None else float(start)
        self._mono0 = time.monotonic()
        self._offset = 0.0
        self.frozen = frozen

    def now(self) -> float:
        """Seconds since the epoch, as the simulated server sees them."""
        with self._lock:
            elapsed = 0.0 if self.frozen else time.monotonic() - self._mono0
            return self._base + elapsed + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backward); returns the new ``now()``."""
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    def iso(self, when: float | None = None) -> str:
        """ISO-8601 UTC with milliseconds and a ``Z``, the form Jamf uses for ``expires``."""
        return iso_z(self.now() if when is None else when)


def iso_z(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(when * 1000) % 1000:03d}Z"
