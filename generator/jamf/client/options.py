"""``ClientOptions`` (timeouts, concurrency, retry policy, injectable clock) and ``RequestStats``,
the record of every exchange a client made.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class ClientOptions:
    """How a client talks to one tenant.  ``sleep`` and ``now`` are injectable so tests cost no real time."""

    timeout: float = 30.0
    max_concurrency: int = 5  # Jamf: "no more than 5 concurrent connections" (jamf-api-facts §1)
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 120.0  # a longer Retry-After is reported, not slept through
    ca_file: str | None = None
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    seed: int | None = None


@dataclass
class Exchange:
    method: str
    path: str
    status: int | None  # None: no answer (dropped, timeout)
    seconds: float


@dataclass
class RequestStats:
    """Every exchange this client made (method, path, status, time): benchmarks and tests read it."""

    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    @property
    def total(self) -> int:
        return len(self.exchanges)

    def token_requests(self) -> int:
        return sum(1 for e in self.exchanges if e.path.endswith("/oauth/token") or e.path == "/api/v1/auth/token")

    def by_method(self) -> Counter[str]:
        return Counter(e.method for e in self.exchanges)

    def writes(self) -> int:
        return sum(1 for e in self.exchanges if e.method in ("POST", "PUT", "DELETE")
                   and not e.path.endswith("/oauth/token") and e.path != "/api/v1/auth/token")
