"""Benchmark plan/apply against the simulator at a simulated network latency.

Prints requests and wall time for (a) a first apply, (b) a no-op plan, (c) a no-op apply of one
tenant, and (d) a no-op plan of 20 tenants at once, with the wall times also expressed in round
trips (one round trip = the median time of a single authenticated GET).  Targets: a no-op plan
of one tenant makes at most one token request, one list per Jamf Pro API kind and one read per
Classic object, within 4 round trips; 20 tenants within 2x one tenant.

The simulator runs in its own process (``python -m generator.sim``), so client and server do not
share a GIL.  To tell whether the simulator is the bottleneck in (d), the server-side time per
request (from its ``/__sim/log``) is compared with the single-tenant run.  Figures are printed,
never asserted.

    python bench/sync.py [--latency-ms 50] [--tenants 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.bundle import load_bundle  # noqa: E402
from generator.jamf import sync  # noqa: E402
from generator.jamf.client import ClientCredentials, ClientOptions, JamfClient, Secret  # noqa: E402


def start_simulator(tenants: int, latency_ms: int, fleet: int = 0,
                    agent_states: bool = False) -> tuple[subprocess.Popen[str], list[str], str, dict]:
    process = subprocess.Popen([sys.executable, "-m", "generator.sim", "--fleet", str(fleet), "--tenants", str(tenants),
                                "--latency-ms", str(latency_ms), *(["--agent-states"] if agent_states else [])],
                               cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    fields: dict[str, str] = {}
    urls: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        key, _, value = line.rstrip("\n").partition(": ")
        if key.startswith("tenant "):
            urls.append(value)
        fields[key] = value
        if line.startswith("serving"):
            break
    creds = json.loads(Path(fields["admin credentials (0600)"]).read_text())
    return process, urls, fields["CA file"], creds


def write_bundle(urls: list[str], creds: dict, folder: Path) -> Path:
    text = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8").split("[tenants.production]")[0]
    for i, url in enumerate(urls):
        os.environ[f"BENCH_{i}_ID"] = creds[url]["client_id"]
        os.environ[f"BENCH_{i}_SECRET"] = creds[url]["client_secret"]
        text += f'\n[tenants.t{i}]\nurl = "{url}"\nclient_id = "env:BENCH_{i}_ID"\nclient_secret = "env:BENCH_{i}_SECRET"\n'
    path = folder / "bundle.toml"
    path.write_text(text, encoding="utf-8")
    return path


def round_trip(url: str, ca_file: str, creds: dict) -> float:
    client = JamfClient(url, ClientCredentials(creds["client_id"], Secret(creds["client_secret"])),
                        options=ClientOptions(ca_file=ca_file))
    client.get_json("/api/v1/jamf-pro-version")  # token and connection first
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        client.get_json("/api/v1/jamf-pro-version")
        samples.append(time.perf_counter() - started)
    client.close()
    return statistics.median(samples)


def server_ms(url: str, ca_file: str) -> tuple[int, float]:
    session = requests.Session()
    session.trust_env = False
    log = session.get(url + "/__sim/log", verify=ca_file).json()
    entries = log if isinstance(log, list) else log.get("log") or log.get("entries") or []
    ms = [e["ms"] for e in entries if "ms" in e]
    session.post(url + "/__sim/log/reset", verify=ca_file)
    return len(ms), (statistics.mean(ms) if ms else 0.0)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc (Linux); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, float] = {}


def run(spec, tenants, command: str, ca_file: str, server_pid: int = 0) -> tuple[list[sync.TenantResult], float]:
    options = sync.SyncOptions(ca_file=ca_file)
    cpu, server = time.process_time(), process_cpu(server_pid) if server_pid else 0.0
    started = time.perf_counter()
    results = sync.run_tenants(spec, tenants, command, options)
    wall = time.perf_counter() - started
    CPU["client"], CPU["server"] = time.process_time() - cpu, (process_cpu(server_pid) - server) if server_pid else 0.0
    return results, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=20)
    args = parser.parse_args()
    process, urls, ca_file, creds = start_simulator(args.tenants, args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as folder:
            spec = load_bundle(write_bundle(urls, creds, Path(folder)))
            rtt = round_trip(urls[0], ca_file, creds[urls[0]])
            first = spec.tenants[:1]
            rows = []
            server_ms(urls[0], ca_file)

            def row(label: str, results: list[sync.TenantResult], wall: float, note: str = "") -> None:
                bad = [r.error or r.failures for r in results if r.status() in ("error", "failed")]
                if bad:
                    raise SystemExit(f"{label}: {bad[0]}")
                requests_ = sum(r.requests for r in results)
                tokens = sum(r.token_requests for r in results)
                writes = sum(len(r.writes) for r in results)
                rows.append((label, str(len(results)), str(requests_), str(tokens), str(writes), f"{wall * 1000:.0f}",
                             f"{wall / rtt:.1f}", f"{CPU['client'] * 1000:.0f}", f"{CPU['server'] * 1000:.0f}", note))

            pid = process.pid
            results, wall = run(spec, first, "apply", ca_file, pid)
            row("(a) first apply", results, wall)
            results, wall = run(spec, first, "plan", ca_file, pid)
            one_plan = wall
            _, ms_single = server_ms(urls[0], ca_file)
            row("(b) no-op plan", results, wall, f"{results[0].counts().get('unchanged', 0)} objects unchanged")
            results, wall = run(spec, first, "apply", ca_file, pid)
            row("(c) no-op apply", results, wall)
            run(spec, list(spec.tenants[1:]), "apply", ca_file)  # set-up for (d), not measured
            for url in urls:
                server_ms(url, ca_file)
            results, wall = run(spec, list(spec.tenants), "plan", ca_file, pid)
            per_tenant = [server_ms(url, ca_file) for url in urls]
            ms_many = statistics.mean(ms for _, ms in per_tenant if ms)
            row(f"(d) {len(urls)} tenants no-op plan", results, wall, f"{wall / one_plan:.2f}x one tenant")

        header = ("scenario", "tenants", "requests", "tokens", "writes", "wall ms", "round trips", "client cpu ms",
                  "sim cpu ms", "")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        print(f"jamf-enforcer sync benchmark: simulator in its own process, latency {args.latency_ms} ms, "
              f"one round trip (median authenticated GET) = {rtt * 1000:.1f} ms")
        for r in [header, *rows]:
            print("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
        print(f"simulator time per request: {ms_single:.1f} ms in (b), {ms_many:.1f} ms in (d) (latency "
              f"{args.latency_ms} ms; a large rise would mean the simulator's request handling is the bottleneck)")
        print(f"CPU: {os.cpu_count()} cores shared by client and simulator; when client + simulator CPU in (d) "
              "approaches cores x wall time, the machine, not the network, bounds (d)")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
