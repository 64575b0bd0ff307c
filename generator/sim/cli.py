"""``run_sim``: run the simulator in the foreground until SIGINT or SIGTERM.

It prints each tenant's base URL, the CA file to trust and the path of a 0600 JSON file with
each tenant's bootstrap admin client id and secret (and admin account).  The secrets
themselves are printed only with ``show_secret``.  ``generator/cli.py`` (``jamf-enforcer
sim``) and ``python -m generator.sim`` are the two front doors.

Every argument is checked before anything starts, and each problem is a ``ValueError`` whose
one-line message names the option (``--port``, ``--state``, …) and what is expected.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from .config import SimConfig
from .envfile import write_env_file
from .faults import FaultSpec
from .simulator import Simulator


def write_credentials(sim: Simulator, path: Path) -> None:
    data = {
        sim.base_url(t.index): {
            "tenant": t.name,
            "client_id": t.admin_client[0], "client_secret": t.admin_client[1],
            "username": t.admin_account[0], "password": t.admin_account[1],
        }
        for t in sim.tenants
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def _check_writable(option: str, path: Path) -> None:
    """``path`` must be a file (or not exist yet) in a folder we can really write to."""
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a folder; expected a file (created if missing)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ValueError(f"{option} {path}: folder {parent} does not exist")
    try:  # a real write: permission bits say nothing for root or a read-only file system
        fd, probe = tempfile.mkstemp(prefix=".sim-probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(f"{option} {path}: cannot write in {parent}: {exc.strerror or exc}") from None


def _check_arguments(port: int, fleet: int, tenants: int, latency_ms: int, plan_rate: int, faults: str,
                     state: Path | None, env_file: Path | None) -> None:
    for option, value, lo, hi in (("--port", port, 0, 65535), ("--fleet", fleet, 0, 100_000),
                                  ("--tenants", tenants, 1, 100), ("--latency-ms", latency_ms, 0, 600_000),
                                  ("--plan-rate", plan_rate, 0, 1_000_000)):
        if not lo <= value <= hi:
            raise ValueError(f"{option}: expected an integer from {lo} to {hi}, got {value}")
    try:
        FaultSpec.parse(faults)
    except ValueError as exc:
        raise ValueError(f"--faults: {exc}") from None
    for option, path in (("--state", state), ("--env-file", env_file)):
        if path is not None:
            _check_writable(option, Path(path))


def run_sim(port: int = 0, version: str = "11.12.0", fleet: int = 50, tenants: int = 1, state: str | None = None,
            latency_ms: int = 0, faults: str = "", plain_http: bool = False, show_secret: bool = False,
            out: TextIO | None = None, stop: threading.Event | None = None, plan_rate: int = 0,
            env_file: Path | None = None, agent_states: bool = False) -> int:
    """Start a simulator, print where it is, serve until SIGINT/SIGTERM (or ``stop`` is set)."""
    out = out or sys.stdout
    _check_arguments(port, fleet, tenants, latency_ms, plan_rate, faults, Path(state) if state else None,
                     Path(env_file) if env_file else None)
    try:
        config = SimConfig(version=version, fleet=fleet, tenants=tenants, tls=not plain_http, latency_ms=latency_ms,
                           faults=faults, state_file=str(state) if state else None, port=port,
                           plan_rate_per_minute=plan_rate, record_exchanges=False, publish_exchanges=False,
                           agent_states=agent_states)
    except ValueError as exc:
        raise ValueError(f"--version: {exc}" if "version" in str(exc) else str(exc)) from None
    try:
        simulator = Simulator(config)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        # A state file is the simulator's own format; anything it cannot load is not one.
        raise ValueError(f"--state {state}: not a simulator state file this version can load "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'malformed'})") from None
    try:
        sim = simulator.start()
    except OSError as exc:
        raise ValueError(f"--port {port}: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    stop = stop or threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        assert sim.run_dir is not None
        credentials = sim.run_dir / "admin-credentials.json"
        write_credentials(sim, credentials)
        print(f"Jamf Pro simulator {version} ({'plain HTTP' if plain_http else 'HTTPS'}), "
              f"{fleet} computers per tenant", file=out)
        for tenant in sim.tenants:
            print(f"tenant {tenant.name}: {sim.base_url(tenant.index)}", file=out)
        if sim.ca_file:
            print(f"CA file: {sim.ca_file}", file=out)
        print(f"admin credentials (0600): {credentials}", file=out)
        if env_file:  # see envfile.py; removed at stop, when its CA and secret die with the run
            print(f"environment (0600): {write_env_file(sim, env_file)}", file=out)
        if show_secret:
            for tenant in sim.tenants:
                client_id, secret = tenant.admin_client
                print(f"tenant {tenant.name} admin client_id={client_id} client_secret={secret}", file=out)
        if state:
            print(f"state file: {state}", file=out)
        if faults:
            print(f"faults: {sim.faults}", file=out)
        if plan_rate:
            print(f"managed software update plans: at most {plan_rate} per minute (429 beyond)", file=out)
        print("serving; press Ctrl-C to stop", file=out, flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        sim.stop()
        if env_file:
            Path(env_file).unlink(missing_ok=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        print("stopped", file=out, flush=True)
    return 0
