"""Helpers for the plan / apply / audit / rotate tests.

* ``bundle_text(sim, ...)`` gives a bundle.toml whose tenants point at a running simulator and
  whose credentials are ``env:`` references to the simulator's bootstrap admin client.
* ``fast_options(sim)`` makes every sleep advance the simulator's clock instead of waiting
  (Retry-After, backoff, the settle wait before a re-read), and reads time from that clock.
* ``assert_contract(sim)`` checks every recorded Jamf Pro API exchange against Jamf's specs
  (``tests/contract/openapi.py``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from generator.bundle import BundleSpec, load_bundle
from generator.groups import remediation_groups
from generator.jamf import sync
from generator.jamf.client import ClientOptions, JamfClient, tenant_credentials
from generator.sim import Simulator
from generator.status import MODEL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "bundle.toml"
# The example bundle's objects: one extension attribute per EA key of the status model, one smart
# group per remediation group, plus a category, an API role and client, two scripts, a profile and
# four policies; apply also writes the client's secret.
EA_COUNT = len(MODEL.ea_keys())
GROUP_COUNT = len(remediation_groups(load_bundle(EXAMPLE)))
OBJECT_COUNT = EA_COUNT + GROUP_COUNT + 10
WRITE_COUNT = OBJECT_COUNT + 1


def bundle_text(sim: Simulator, tenants: int = 1, *, method: str = "jamf-client", extra_jamf: str = "",
                env_prefix: str = "JE_TEST", names: list[str] | None = None) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.split("[tenants.production]")[0]
    text = text.replace('credential_method = "jamf-client"', f'credential_method = "{method}"')
    if extra_jamf:
        text = text.replace('scope_group = "All Managed Clients"', 'scope_group = "All Managed Clients"\n' + extra_jamf)
    names = names or [f"t{i}" for i in range(tenants)]
    for i, name in enumerate(names):
        text += (f"\n[tenants.{name}]\nurl = \"{sim.base_url(i)}\"\n"
                 f"client_id = \"env:{env_prefix}_{i}_ID\"\nclient_secret = \"env:{env_prefix}_{i}_SECRET\"\n")
    return text


def export_admin(sim: Simulator, monkeypatch: pytest.MonkeyPatch, tenants: int = 1,
                 env_prefix: str = "JE_TEST") -> None:
    for i in range(tenants):
        client_id, secret = sim.tenant(i).admin_client
        monkeypatch.setenv(f"{env_prefix}_{i}_ID", client_id)
        monkeypatch.setenv(f"{env_prefix}_{i}_SECRET", secret)


def write_bundle(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bundle.toml"
    path.write_text(text, encoding="utf-8")
    return path


def fast_options(sim: Simulator, **kw: Any) -> sync.SyncOptions:
    copts = ClientOptions(timeout=kw.pop("timeout", 5.0), sleep=sim.clock.advance, now=sim.clock.now, seed=1,
                          ca_file=sim.ca_file)
    return sync.SyncOptions(ca_file=sim.ca_file, client_options=copts, now=sim.clock.now, **kw)


class Rig:
    """One simulator, one bundle, and a way to build a fresh client and TenantSync per tenant."""

    def __init__(self, sim: Simulator, spec: BundleSpec, path: Path, options: sync.SyncOptions) -> None:
        self.sim, self.spec, self.path, self.options = sim, spec, path, options

    def client(self, tenant: int = 0) -> JamfClient:
        t = self.spec.tenants[tenant]
        return JamfClient(t.url, tenant_credentials(t), tenant=t.name, options=self.options.client_options)

    def sync(self, tenant: int = 0, client: JamfClient | None = None, **kw: Any) -> sync.TenantSync:
        t = self.spec.tenants[tenant]
        options = self.options if not kw else sync.SyncOptions(**{**self.options.__dict__, **kw})
        return sync.TenantSync(self.spec, t.name, client or self.client(tenant), options)

    def run(self, command: str, **kw: Any) -> sync.TenantResult:
        ts = self.sync(**kw)
        try:
            if command == "plan":
                return ts.plan(prune=ts.options.prune)
            if command == "apply":
                return ts.apply(prune=ts.options.prune)
            if command == "audit":
                return ts.audit()
            return ts.rotate(retire=ts.options.retire)
        finally:
            ts.client.close()

    def writes_in_log(self, tenant: int = 0) -> list[tuple[str, str | None]]:
        return [(e["method"], e["template"]) for e in self.sim.tenant(tenant).request_log
                if e["method"] in ("POST", "PUT", "DELETE") and not str(e["template"]).endswith("/token")]


def make_rig(sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, tenants: int = 1,
             method: str = "jamf-client", extra_jamf: str = "", **options: Any) -> Rig:
    export_admin(sim, monkeypatch, tenants)
    path = write_bundle(tmp_path, bundle_text(sim, tenants, method=method, extra_jamf=extra_jamf))
    return Rig(sim, load_bundle(path), path, fast_options(sim, **options))


def assert_contract(sim: Simulator) -> None:
    from tests.contract.openapi import validate_recorded

    problems = validate_recorded(sim.exchanges)
    assert not problems, "\n".join(problems[:20])


def policy_params(sim: Simulator, name_part: str, tenant: int = 0) -> dict[str, str]:
    for policy in sim.tenant(tenant).policies.values():
        if name_part in policy["name"]:
            script = ET.fromstring(policy["xml"]).find("scripts/script")
            assert script is not None
            return {c.tag: c.text or "" for c in script if c.tag.startswith("parameter")}
    raise AssertionError(f"no policy with {name_part!r}")




