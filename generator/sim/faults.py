"""Seeded fault injection and the Jamf Cloud node model.

A fault spec is a comma-separated list of ``key=value``::

    5xx=0.1,429=0.05,drop_before=0.02,drop_after=0.02,slow=0.01,replication_ms=2000,seed=7

Fractions (0..1, summing to at most 1) are drawn from one ``random.Random(seed)`` per
request, so one request gets at most one fault:

* ``drop_before``: the connection is closed before the request is applied;
* ``429``: ApiError 429 with ``Retry-After: <retry_after>``, not applied;
* ``5xx``: 500, 502, 503 or 504, not applied;
* ``slow``: applied, then answered after ``slow_ms`` (longer than a client's timeout);
* ``drop_after``: applied (the state changes), then the connection is closed unanswered.

Other keys: ``latency_ms`` (added to every request), ``slow_ms`` (default 3000),
``retry_after`` (seconds, default 1), ``replication_ms`` (Jamf Cloud replication delay
between the two simulated nodes), ``seed``, ``methods`` (``POST+PUT``: only these methods get
faults) and ``path`` (only paths starting with this prefix get faults).  The empty string
means no faults.  Faults never touch the simulator's own ``/__sim/`` endpoints.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, fields
from typing import NamedTuple

_FRACTIONS = ("drop_before", "rate_429", "rate_5xx", "slow", "drop_after")
_ALIASES = {"5xx": "rate_5xx", "429": "rate_429"}
NODES = ("node-1", "node-2")
COOKIE = "jpro-ingress"


@dataclass(frozen=True)
class FaultSpec:
    rate_5xx: float = 0.0
    rate_429: float = 0.0
    drop_before: float = 0.0
    drop_after: float = 0.0
    slow: float = 0.0
    slow_ms: int = 3000
    latency_ms: int = 0
    retry_after: int = 1
    replication_ms: int = 0
    seed: int = 0
    methods: frozenset[str] | None = None
    path: str | None = None

    @classmethod
    def parse(cls, spec: str) -> FaultSpec:
        """Parse ``"5xx=0.1,seed=7"``; ValueError naming the bad item and the known keys."""
        known = {f.name for f in fields(cls)}
        values: dict[str, object] = {}
        for item in (spec or "").split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, raw = item.partition("=")
            key = _ALIASES.get(key.strip(), key.strip())
            if not sep or key not in known:
                names = sorted({*(_ALIASES), *(known - set(_ALIASES.values()))})
                raise ValueError(f"bad fault spec item {item!r}: expected key=value with key one of {', '.join(names)}")
            raw = raw.strip()
            try:
                if key in _FRACTIONS:
                    number = float(raw)
                    if not 0.0 <= number <= 1.0:
                        raise ValueError
                    values[key] = number
                elif key == "methods":
                    values[key] = frozenset(m.strip().upper() for m in raw.split("+") if m.strip())
                elif key == "path":
                    values[key] = raw
                else:
                    number = int(raw)
                    if number < 0:
                        raise ValueError
                    values[key] = number
            except ValueError:
                raise ValueError(f"bad fault spec item {item!r}: expected a fraction 0..1 or a non-negative integer") from None
        result = cls(**values)  # type: ignore[arg-type]
        if sum(getattr(result, f) for f in _FRACTIONS) > 1.0 + 1e-9:
            raise ValueError(f"fault fractions sum to more than 1 in {spec!r}")
        return result

    def __str__(self) -> str:
        default = FaultSpec()
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            name = {v: k for k, v in _ALIASES.items()}.get(f.name, f.name)
            text = "+".join(sorted(value)) if isinstance(value, frozenset) else str(value)
            parts.append(f"{name}={text}")
        return ",".join(parts)


class Decision(NamedTuple):
    kind: str | None  # None, "drop_before", "429", "5xx", "slow", "drop_after"
    status: int | None = None


class FaultInjector:
    """Draws the fault (if any) for each request from a seeded generator; thread-safe."""

    def __init__(self, spec: FaultSpec | str = "") -> None:
        self._lock = threading.Lock()
        self.set(spec)

    def set(self, spec: FaultSpec | str) -> None:
        parsed = spec if isinstance(spec, FaultSpec) else FaultSpec.parse(spec)
        with self._lock:
            self.spec = parsed
            self._rng = random.Random(parsed.seed)
            self._node_rng = random.Random(parsed.seed + 1)

    def decide(self, method: str, path: str) -> Decision:
        spec = self.spec
        if spec.methods is not None and method.upper() not in spec.methods:
            return Decision(None)
        if spec.path is not None and not path.startswith(spec.path):
            return Decision(None)
        with self._lock:
            draw = self._rng.random()
            status_pick = self._rng.choice((500, 502, 503, 504))
        edge = 0.0
        for name in _FRACTIONS:
            edge += getattr(spec, name)
            if draw < edge:
                if name == "rate_429":
                    return Decision("429", 429)
                if name == "rate_5xx":
                    return Decision("5xx", status_pick)
                return Decision(name)
        return Decision(None)

    def pick_node(self) -> str:
        with self._lock:
            return self._node_rng.choice(NODES)


def node_from_cookie(cookie_header: str) -> str | None:
    """The node a ``jpro-ingress`` cookie pins the client to, if it names one."""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value in NODES:
            return value
    return None
