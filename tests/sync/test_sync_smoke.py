"""Smoke tier: the Jamf quirks the sync code handles, checked against a real Jamf Pro tenant.

Runs only when ``JAMF_ENFORCER_TEST_URL``, ``JAMF_ENFORCER_TEST_CLIENT_ID`` and
``JAMF_ENFORCER_TEST_CLIENT_SECRET`` are set (pytest marker ``smoke``); skipped otherwise.  The
API client needs the uploader role (``jamf/uploader-role.json``, including the Delete
privileges used for clean-up).

Safety: every object carries a random ``jamf-enforcer-smoke-<hex>`` prefix (the category too),
policies are written **disabled with an empty scope** and the profile with an empty scope, so
nothing reaches a Mac; everything with the prefix is deleted at the end, also on failure.

What it checks, each against the source the code cites:

* Classic profile payload escaping (PI-827, jamf-cli PR #310): ``&``, ``<``, quotes, ``]]>`` and
  non-ASCII survive a round trip;
* server-added profile keys and re-serialisation (jamf-api-facts §6 quirk 4): the next plan is
  in sync; an update keeps the server's PayloadUUID (§6 quirk 2);
* whitespace trimming of scripts and free text (terraform-provider-jamfpro #398, PR #1149);
* id types (§11): API integration ids are integers, API role ids strings;
* the credentials loop: the client id and secret handed to the credential policy get a token.
"""

from __future__ import annotations

import os
import plistlib
import secrets
from pathlib import Path

import pytest
import requests

from generator.bundle import load_bundle
from generator.jamf import resources as R
from generator.jamf import sync
from generator.jamf.client import ClientOptions

URL = os.environ.get("JAMF_ENFORCER_TEST_URL", "")
pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(not (URL and os.environ.get("JAMF_ENFORCER_TEST_CLIENT_ID")
                            and os.environ.get("JAMF_ENFORCER_TEST_CLIENT_SECRET")),
                       reason="set JAMF_ENFORCER_TEST_URL, JAMF_ENFORCER_TEST_CLIENT_ID and "
                              "JAMF_ENFORCER_TEST_CLIENT_SECRET to run the smoke tier against a real tenant"),
]
ROOT = Path(__file__).resolve().parents[2]
TRICKY = {"ampersand": "Tom & Jerry &amp; co", "angle": "a < b > c <tag/>", "quotes": "\"double\" 'single'",
          "cdata_end": "x ]]> y", "unicode": "café – 日本語"}


@pytest.fixture
def smoke(tmp_path: Path):  # type: ignore[no-untyped-def]
    prefix = f"jamf-enforcer-smoke-{secrets.token_hex(3)}"
    text = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8").split("[tenants.production]")[0]
    text = text.replace('category = "Software Updates"', f'category = "{prefix} category"')
    text = text.replace("[jamf]\n", f'[jamf]\nname_prefix = "{prefix}"\n')
    text += ('\n[tenants.smoke]\nurl = "' + URL.rstrip("/") + '"\nclient_id = "env:JAMF_ENFORCER_TEST_CLIENT_ID"\n'
             'client_secret = "env:JAMF_ENFORCER_TEST_CLIENT_SECRET"\n')
    path = tmp_path / "bundle.toml"
    path.write_text(text, encoding="utf-8")
    spec = load_bundle(path)
    options = sync.SyncOptions(ca_file=os.environ.get("JAMF_ENFORCER_TEST_CA_FILE") or None,
                               client_options=ClientOptions(timeout=60))
    desired = sync.desired_objects(spec)
    for want in desired:  # nothing may reach a Mac
        if want.kind == R.POLICY:
            want.spec["enabled"] = False
            want.spec["scope"] = {"computer_groups": []}
        elif want.kind == R.PROFILE:
            want.spec["groups"] = []
            plist = plistlib.loads(want.spec["plist"].encode())
            plist["PayloadContent"][0]["PayloadContent"][spec.domain]["Forced"][0]["mcx_preference_settings"].update(
                TRICKY)
            want.spec["plist"] = plistlib.dumps(plist, sort_keys=True).decode()
        elif want.kind == R.SCRIPT:
            want.spec["contents"] += "\n\n   \n"  # trailing whitespace Jamf trims
    client = sync.make_client(spec, spec.tenants[0], options)
    ts = sync.TenantSync(spec, "smoke", client, options, desired)
    try:
        yield ts, prefix
    finally:
        cleanup(ts, prefix)
        client.close()


def cleanup(ts: sync.TenantSync, prefix: str) -> None:
    observed = ts.observe(full=True, privileges=False)
    for kind in (*sync.PRUNE_ORDER, R.CATEGORY):
        for obj in observed.objects.get(kind, []):
            if obj.name.startswith(prefix):
                try:
                    R.ADAPTERS[kind].delete(ts.client, obj)
                except Exception as exc:  # report, keep cleaning
                    print(f"smoke clean-up: could not delete {obj.label}: {exc}")


def test_apply_on_a_real_tenant_round_trips_and_is_idempotent(smoke) -> None:  # type: ignore[no-untyped-def]
    ts, prefix = smoke
    first = ts.apply()
    assert first.ok, (first.error, first.failures)
    # Server-added keys, re-serialised plists and trimmed whitespace are not changes.
    second = ts.plan()
    assert not second.pending, [c.public() for c in second.pending]
    observed = ts.observe(full=True, privileges=False)
    profile = next(o for o in observed.objects[R.PROFILE] if o.name.startswith(prefix))
    settings = profile.data["plist"]["PayloadContent"][0]["PayloadContent"][ts.spec.domain]["Forced"][0]
    for key, value in TRICKY.items():
        assert settings["mcx_preference_settings"][key] == value, key
    # Id types (§11).
    clients = [o for o in observed.objects[R.CLIENT] if o.name.startswith(prefix)]
    roles = [o for o in observed.objects[R.ROLE] if o.name.startswith(prefix)]
    assert clients and all(isinstance(c.data["id"], int) for c in clients)
    assert roles and all(isinstance(r.data["id"], str) for r in roles)
    # The credentials loop: what the policy hands over gets a token.
    policy = next(o for o in observed.objects[R.POLICY] if "credentials" in o.name)
    params = policy.data["scripts"][0]["parameters"]
    token = requests.post(URL.rstrip("/") + "/api/v1/oauth/token", timeout=60,
                          verify=os.environ.get("JAMF_ENFORCER_TEST_CA_FILE") or True,
                          data={"grant_type": "client_credentials",
                                "client_id": params["parameter4"].partition("=")[2],
                                "client_secret": params["parameter5"].partition("=")[2]})
    assert token.status_code == 200
    # An update in place keeps the server's top-level PayloadUUID (no ghost profile).
    uuid_before = profile.data["plist"]["PayloadUUID"]
    for want in ts.desired:
        if want.kind == R.PROFILE:
            want.spec["description"] = "smoke: changed"
    assert ts.apply().ok
    again = ts.observe(full=True, privileges=False)
    profile = next(o for o in again.objects[R.PROFILE] if o.name.startswith(prefix))
    assert profile.data["plist"]["PayloadUUID"] == uuid_before
    assert not ts.plan().pending
