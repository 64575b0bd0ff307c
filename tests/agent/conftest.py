"""Fixtures for the agent and harness tests.

* ``render_variant(**overrides)`` renders a bundle (the example bundle plus section overrides,
  e.g. ``agent={"msu_workflow": "legacy"}``) once per session and returns its output folder.
* ``rendered`` is the example bundle's output folder.
* ``mac`` is a fresh simulated Mac (``generator.harness.Mac``) whose ``run(args, **kw)`` runs the
  rendered agent; ``mac.domain`` / ``mac.context`` describe the rendered bundle.
* ``mac_for(dist)`` builds a Mac for another rendered variant.
* ``jamf_setup(...)`` starts a Jamf Pro simulator arranged from a rendered bundle (API role and
  client from dist/jamf/*.json, a standard account with the manifest's account privileges, this
  Mac registered) and points the Mac at it.  ``CANARY`` is the account password: it must never
  show up in a log, the status plist or a recorded command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.bundle import parse_bundle
from generator.render import render_all, write_dist
from generator.sim import Simulator
from tests.agent.agentlib import CANARY, AgentMac, FileClock, JamfSetup, context_of

REPO = Path(__file__).resolve().parents[2]

BASE_BUNDLE: dict[str, dict[str, Any]] = {
    "bundle": {"name": "Example Software Updates", "version": "1.0.0", "identifier": "com.example"},
    "agent": {"name": "enforcer", "msu_workflow": "auto", "credential_method": "jamf-client",
              "mdm_failover_to_user": [], "credential_failover_to_user": False,
              "soft_deadline_days": 7, "hard_deadline_days": 14, "error_deferral_minutes": 60},
    "profile": {"computer_id_from_jssid": True, "custom_url": "", "include_failover_keys": True},
    "jamf": {"category": "Software Updates", "token_lifetime_seconds": 300},
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def bundle_text(**overrides: dict[str, Any]) -> str:
    lines: list[str] = []
    for section, values in BASE_BUNDLE.items():
        merged = {**values, **overrides.get(section, {})}
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in merged.items())
        lines.append("")
    return "\n".join(lines)


_RENDERED: dict[str, Path] = {}


@pytest.fixture(scope="session")
def render_variant(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    def render(**overrides: dict[str, Any]) -> Path:
        text = bundle_text(**overrides)
        if text not in _RENDERED:
            spec = parse_bundle(text, "bundle.toml")
            out = tmp_path_factory.mktemp("dist")
            write_dist(render_all(spec), out)
            (out / "bundle.toml").write_text(text)
            _RENDERED[text] = out
        return _RENDERED[text]

    return render


@pytest.fixture(scope="session")
def rendered(render_variant: Callable[..., Path]) -> Path:
    return render_variant()


@pytest.fixture(scope="session")
def context(rendered: Path) -> dict[str, Any]:
    """agent_context() of the example bundle."""
    return context_of(rendered)


@pytest.fixture
def mac_for(tmp_path: Path) -> Callable[[Path], AgentMac]:
    count = 0

    def build(dist: Path) -> AgentMac:
        nonlocal count
        count += 1
        return AgentMac(tmp_path / f"mac{count}", dist)

    return build


@pytest.fixture
def mac(mac_for: Callable[[Path], AgentMac], rendered: Path) -> AgentMac:
    return mac_for(rendered)


@pytest.fixture
def jamf_setup(jamf_sim_factory: Callable[..., Simulator], mac_for: Callable[[Path], AgentMac],
               rendered: Path) -> Callable[..., JamfSetup]:
    """``jamf_setup(dist=None, version=..., toggle=True, role_privileges=None, account_privileges=None,
    managed_id=True, updates=True, facts=None)``: simulator + Mac, role/client created from the rendered JSON;
    ``facts`` (``generator.sim.fleet.MacFacts`` fields) describe the registered Mac to both sides."""

    def build(dist: Path | None = None, *, version: str = "11.12.0", toggle: bool = True,
              role_privileges: list[str] | None = None, account_privileges: list[str] | None = None,
              managed_id: bool = True, updates: bool = True, register: bool = True,
              client_lifetime: int | None = None, facts: dict[str, Any] | None = None,
              **sim_options: Any) -> JamfSetup:
        dist = dist or rendered
        mac = mac_for(dist)
        sim = jamf_sim_factory(version=version, fleet=3, clock=FileClock(mac.state / "now"), **sim_options)
        tenant = sim.tenant(0)
        role = json.loads((dist / "jamf" / "api-role.json").read_text())
        client = json.loads((dist / "jamf" / "api-client.json").read_text())
        manifest = json.loads((dist / "manifest.json").read_text())
        client_id = secret = ""
        if tuple(int(x) for x in version.split("-")[0].split(".")[:2]) >= (10, 49):
            tenant.add_role(role["displayName"], role["privileges"] if role_privileges is None else role_privileges)
            _, client_id, secret = tenant.add_client(client["displayName"], client["authorizationScopes"],
                                                     lifetime=client_lifetime or client["accessTokenLifetimeSeconds"])
        account = "update-agent"
        tenant.add_account(account, CANARY, manifest["privileges"]["account"]
                           if account_privileges is None else account_privileges)
        jamf_id = ""
        if register:
            jamf_id = tenant.register_computer("C02TEST0001", "00000000-0000-4000-8000-000000000001", "mgmt-0001",
                                               **(facts or {}))
        tenant.set_feature_toggle(toggle)
        mac.set_jamf(version=version, jss_url=sim.base_url() + "/", recon_id=int(jamf_id or 1))
        mac.set_bootstrap()
        if jamf_id:
            mac.apply_facts(tenant.facts(jamf_id))  # one record: the inventory and the Mac agree
        if updates:
            mac.set_updates([mac.macos_update()])
        if managed_id and jamf_id:
            mac.managed(AuthJamfComputerID=jamf_id)
        mac.env["JAMF_ENFORCER_CA_FILE"] = str(sim.ca_file)
        return JamfSetup(sim, mac, jamf_id, client_id, secret, account, CANARY)

    return build
