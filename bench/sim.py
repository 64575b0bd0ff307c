"""Benchmark the local Jamf Pro simulator: requests per second for (token + GET) and for POST plans,
at concurrency 1 and 5, over HTTPS with keep-alive (one ``requests.Session`` per worker thread).

The simulator runs in its own process through its real front door (``python -m generator.sim``),
so client and server do not share a GIL.  Each cell runs for ``--seconds`` (default 4); the whole
run stays under 30 s.  Figures are printed, never asserted.

    python bench/sim.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
FLEET = 20000


def start_simulator() -> tuple[subprocess.Popen[str], str, str, tuple[str, str]]:
    process = subprocess.Popen([sys.executable, "-m", "generator.sim", "--fleet", str(FLEET)], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    fields: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if ": " in line:
            key, _, value = line.rstrip("\n").partition(": ")
            fields[key] = value
        if line.startswith("serving"):
            break
    base, ca_file = fields["tenant 0"], fields["CA file"]
    creds = json.loads(Path(fields["admin credentials (0600)"]).read_text())[base]
    return process, base, ca_file, (creds["client_id"], creds["client_secret"])


def new_session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
    session.verify = ca_file
    return session


def run_cell(workers: int, seconds: float, make_worker: Callable[[], Callable[[], list[int]]]) -> tuple[int, int, Counter]:
    """Run ``workers`` threads for ``seconds``; each worker's step returns the statuses of its requests."""
    stop = threading.Event()
    totals: list[tuple[int, Counter]] = []
    lock = threading.Lock()

    def loop() -> None:
        step = make_worker()
        iterations, statuses = 0, Counter()
        while not stop.is_set():
            statuses.update(step())
            iterations += 1
        with lock:
            totals.append((iterations, statuses))

    threads = [threading.Thread(target=loop) for _ in range(workers)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    statuses = sum((s for _, s in totals), Counter())
    return sum(i for i, _ in totals), sum(statuses.values()), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="duration of each of the four cells")
    args = parser.parse_args()
    started = time.perf_counter()
    process, base, ca_file, (client_id, secret) = start_simulator()
    try:
        control = new_session(ca_file)
        control.put(base + "/__sim/feature-toggle", json={"toggle": True}).raise_for_status()
        form = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
        serials = itertools.count(1)
        devices = itertools.count(1)
        device_lock = threading.Lock()

        def token_and_get() -> Callable[[], list[int]]:
            session = new_session(ca_file)

            def step() -> list[int]:
                token = session.post(base + "/api/v1/oauth/token", data=form)
                serial = f"C02SIM{next(serials) % FLEET + 1:06d}"
                lookup = session.get(base + "/api/v3/computers-inventory",
                                     params={"section": "GENERAL", "page-size": 1,
                                             "filter": f'hardware.serialNumber=="{serial}"'},
                                     headers={"Authorization": f"Bearer {token.json()['access_token']}"})
                return [token.status_code, lookup.status_code]
            return step

        def post_plans() -> Callable[[], list[int]]:
            session = new_session(ca_file)
            token = session.post(base + "/api/v1/oauth/token", data=form).json()["access_token"]
            session.headers["Authorization"] = f"Bearer {token}"

            def step() -> list[int]:
                with device_lock:
                    device = str(next(devices))
                response = session.post(base + "/api/v1/managed-software-updates/plans", json={
                    "devices": [{"objectType": "COMPUTER", "deviceId": device}],
                    "config": {"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"}})
                return [response.status_code]
            return step

        print(f"jamf-enforcer simulator benchmark -- Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
              f"HTTPS keep-alive, simulator in its own process, {args.seconds:g} s per cell")
        print(f"{'scenario':<34}{'workers':>8}{'iterations/s':>14}{'requests/s':>12}  statuses")
        for label, factory in (("token + GET (inventory by serial)", token_and_get), ("POST plans", post_plans)):
            for workers in (1, 5):
                iterations, count, statuses = run_cell(workers, args.seconds, factory)
                status_text = ", ".join(f"{k}x{v}" for k, v in sorted(statuses.items()))
                print(f"{label:<34}{workers:>8}{iterations / args.seconds:>14.0f}{count / args.seconds:>12.0f}"
                      f"  {status_text}")
        print(f"total wall time {time.perf_counter() - started:.1f} s")
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
