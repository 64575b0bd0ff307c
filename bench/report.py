"""Benchmark ``jamf-enforcer report``: 20 tenants x 2,000 Macs (by default) against the simulator.

The simulator runs in its own process (``python -m generator.sim --agent-states``), so client and
server do not share a GIL.  Set-up (not timed): apply examples/bundle.toml to every tenant with the
bootstrap admin (so the agent's extension attributes exist) and create a client on exactly the
reporter role through the API.  Then the report reads every tenant with that client; printed:
the wall time of the reads, of building the summary and of rendering HTML / JSON / markdown, and
each tenant's requests next to the expected ``ceil(Macs / page size) + ceil(failed plans / page
size) + 2`` (token, /api/v1/auth).  Figures are printed, never asserted.

    python bench/report.py [--tenants 20] [--fleet 2000] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sync import start_simulator  # noqa: E402
from generator.bundle import load_bundle  # noqa: E402
from generator.catalogue import reporter_privileges  # noqa: E402
from generator.jamf import sync  # noqa: E402
from generator.jamf.client import ClientCredentials, ClientOptions, JamfClient, Secret  # noqa: E402
from generator.report.command import read_tenants, render  # noqa: E402
from generator.report.reader import PAGE_SIZE  # noqa: E402
from generator.report.summary import build_summary  # noqa: E402


def bundle(urls: list[str], folder: Path, prefix: str) -> Path:
    text = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8").split("[tenants.production]")[0]
    for i, url in enumerate(urls):
        text += f'\n[tenants.t{i}]\nurl = "{url}"\nclient_id = "env:{prefix}_{i}_ID"\nclient_secret = "env:{prefix}_{i}_SECRET"\n'
    path = folder / f"{prefix.lower()}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def reporter_client(url: str, ca_file: str, admin: dict) -> tuple[str, str]:
    """A client on exactly the reporter role, made through the Jamf Pro API (as an admin would)."""
    with JamfClient(url, ClientCredentials(admin["client_id"], Secret(admin["client_secret"])),
                    options=ClientOptions(ca_file=ca_file)) as client:
        client.request("POST", "/api/v1/api-roles", body={"displayName": "jamf-enforcer reporter",
                                                           "privileges": reporter_privileges()})
        made = client.request("POST", "/api/v1/api-integrations", body={
            "displayName": "bench reporter", "enabled": True, "accessTokenLifetimeSeconds": 1800,
            "authorizationScopes": ["jamf-enforcer reporter"]}).json()
        creds = client.request("POST", f"/api/v1/api-integrations/{made['id']}/client-credentials").json()
        return creds["clientId"], creds["clientSecret"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--fleet", type=int, default=2000)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    process, urls, ca_file, admins = start_simulator(args.tenants, args.latency_ms, fleet=args.fleet, agent_states=True)
    print(f"simulator: {args.tenants} tenants x {args.fleet} Macs with agent states, up in "
          f"{time.perf_counter() - started:.1f} s")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for i, url in enumerate(urls):
                os.environ[f"BENCHA_{i}_ID"] = admins[url]["client_id"]
                os.environ[f"BENCHA_{i}_SECRET"] = admins[url]["client_secret"]
                os.environ[f"BENCHR_{i}_ID"], os.environ[f"BENCHR_{i}_SECRET"] = reporter_client(url, ca_file, admins[url])
            admin = load_bundle(bundle(urls, folder, "BENCHA"))
            t0 = time.perf_counter()
            results = sync.run_tenants(admin, list(admin.tenants), "apply", sync.SyncOptions(ca_file=ca_file))
            assert all(r.ok for r in results), [r.error for r in results if not r.ok]
            print(f"set-up apply of {len(urls)} tenants: {time.perf_counter() - t0:.1f} s (not part of the report)")
            spec = load_bundle(bundle(urls, folder, "BENCHR"))
            t0 = time.perf_counter()
            reports = read_tenants(spec, "all", ca_file)
            read_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            summary = build_summary(reports, silent_days=spec.report["silent_days"])
            summary_s = time.perf_counter() - t0
            sizes = {}
            for output in ("html", "json", "markdown"):
                t0 = time.perf_counter()
                sizes[output] = (len(render(summary, output).encode()), time.perf_counter() - t0)
    finally:
        process.terminate()
        process.wait(timeout=30)
    errors = [r.error for r in reports if r.error]
    macs = sum(len(r.macs) for r in reports)
    print(f"read {len(reports)} tenants, {macs} Macs: {read_s:.2f} s ({macs / read_s:,.0f} Macs/s); "
          f"errors: {len(errors)} {errors[:1]}")
    print(f"summary: {summary_s:.2f} s; " + "; ".join(f"{k}: {b / 1e6:.2f} MB in {s:.2f} s" for k, (b, s) in sizes.items()))
    pages = math.ceil(args.fleet / PAGE_SIZE)
    print(f"requests per tenant (page size {PAGE_SIZE}): ceil({args.fleet} / {PAGE_SIZE}) = {pages} inventory pages "
          "+ failed-plan pages + 2 (token, /api/v1/auth)")
    counts = Counter()
    for r in reports:
        failed = sum(1 for m in r.macs if m.plan_errors)
        expected = pages + max(1, math.ceil(failed / PAGE_SIZE)) + 2
        counts[(r.requests, expected)] += 1
    for (got, expected), n in sorted(counts.items()):
        print(f"  {n} tenant(s): {got} requests (expected {expected})")
    print(f"total requests: {sum(r.requests for r in reports)} for {macs} Macs")
    print("states (all tenants): " + ", ".join(f"{k} {v}" for k, v in summary["all"]["states"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
