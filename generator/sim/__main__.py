"""``python -m generator.sim``: an argparse front door to ``cli.run_sim`` (same options as
``jamf-enforcer sim``)."""

from __future__ import annotations

import argparse
import sys

from .cli import run_sim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.sim", description="Run a local Jamf Pro simulator.")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 = a free one)")
    parser.add_argument("--version", default="11.12.0", help="Jamf Pro version to simulate (e.g. 11.12.0-t1772925731845)")
    parser.add_argument("--fleet", type=int, default=50, help="computers seeded per tenant")
    parser.add_argument("--tenants", type=int, default=1, help="isolated tenants (tenant n at /t/n)")
    parser.add_argument("--state", default=None, help="JSON file to load state from and save it to")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every request")
    parser.add_argument("--faults", default="", help='fault spec, e.g. "5xx=0.1,429=0.05,seed=7"')
    parser.add_argument("--plan-rate", type=int, default=0, help="plans per minute before 429 (0 = unlimited)")
    parser.add_argument("--agent-states", action="store_true",
                        help="seed the agent's status on every Mac (for jamf-enforcer report)")
    parser.add_argument("--plain-http", action="store_true", help="serve plain HTTP instead of HTTPS")
    parser.add_argument("--show-secret", action="store_true", help="also print the admin client secret")
    args = parser.parse_args(argv)
    try:
        return run_sim(port=args.port, version=args.version, fleet=args.fleet, tenants=args.tenants, state=args.state,
                       latency_ms=args.latency_ms, faults=args.faults, plain_http=args.plain_http,
                       show_secret=args.show_secret, plan_rate=args.plan_rate,
                       agent_states=args.agent_states)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
