"""A local Jamf Pro simulator, held to Jamf's published contract.

It serves, over HTTPS on 127.0.0.1 (a CA generated per run; plain HTTP only on request), the
Jamf Pro API and Classic API endpoints jamf-enforcer's agent and uploader use: OAuth and
basic-auth tokens, API roles and clients, scripts, extension attributes, categories, computer
inventory, managed software update plans (and the legacy send-updates), the v2 blank push,
Classic profiles, policies and accounts, and the web app's login page and ``/healthCheck.html``.
Every operation checks the privileges Jamf's specs require
(``generator.catalogue.operation_for``) against the token's, and answers in Jamf's shapes.
Faults, latency and Jamf Cloud replication delay are injectable and seeded; time is an
injectable ``Clock``. JSON answers are pretty-printed as Jackson does. What it assumes where
Jamf publishes nothing is in one table, ``ASSUMPTIONS.md`` (copied into the README).

    from generator.sim import Simulator, SimConfig
    with Simulator(SimConfig(version="11.12.0", fleet=50)) as sim:
        client_id, secret = sim.tenant(0).admin_client
        requests.post(sim.base_url() + "/api/v1/oauth/token", data=..., verify=sim.ca_file)

Module map: ``simulator`` (lifecycle, addressing), ``server`` (HTTP, faults, log), ``app``
(dispatch, privileges), ``routes`` (route table, version gates), ``api_*``, ``classic`` and
``web`` (handlers), ``tenant`` (state), ``fleet`` (the per-Mac fact record, shared with the harness),
``plan_rules`` (the cited table of plan paths), ``auth`` (tokens), ``plans`` (plan progress), ``bodies``
(request-body rules), ``jackson`` (JSON layout), ``assumptions`` (the table), ``rsql``
(filter/sort/page), ``faults``, ``clock``, ``tls``, ``recorder`` (exchange recording), ``admin``
(the non-Jamf ``/__sim/`` endpoints), ``cli``.
"""

from .clock import Clock
from .config import SimConfig, cloud_version, parse_version
from .faults import FaultSpec
from .simulator import Simulator
from .tenant import Tenant

__all__ = ["Clock", "FaultSpec", "SimConfig", "Simulator", "Tenant", "cloud_version", "parse_version"]
