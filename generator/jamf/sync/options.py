"""``SyncOptions``, the knobs of one run, and the ``Progress`` callback type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..client import ClientOptions

Progress = Callable[[str, str], None]  # (tenant, message)


@dataclass
class SyncOptions:
    """Knobs for one run.  ``now`` and ``sleep`` are injectable so tests cost no real time."""

    ca_file: str | None = None
    client_options: ClientOptions | None = None
    prune: bool = False
    retire: bool = False
    settle_seconds: float = 1.0  # wait before re-reading after an ambiguous POST
    create_attempts: int = 3
    # Jamf Cloud replication between web-app nodes takes up to 60 s (jamf-api-facts §1): how long
    # a create refused as a duplicate waits for the existing object to become visible here.
    replication_wait: float = 60.0
    now: Callable[[], float] = time.time
    progress: Progress | None = None
    base_dir: str | None = None  # for relative file: credential references
