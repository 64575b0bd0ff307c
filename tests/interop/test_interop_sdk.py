"""jamf-pro-sdk (macadmins/jamf-pro-sdk-python, pinned in the ``test`` extra) as a client of the simulator.

Nobody on this project wrote the SDK, so it is an independent check that the simulator answers
as a real tenant does: its OAuth client-credentials provider and token refresh, a paginated
Pro API inventory read, Classic API reads and writes.  The simulator has no special case for it;
its traffic also goes through the session's contract check against Jamf's specs.

SDK quirks these tests pin down (documented in ``generator/jamf/client/__init__.py`` too):

* ``SessionConfig.ca_cert_bundle`` becomes ``Session.verify``, which requests overrides with
  ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` when they are set, so the tests clear both.
* The SDK keeps its own clock for a token (``expires_in`` from the response); a 401 is raised,
  never answered by fetching a new token.
* ``JamfProClient(server, port=...)`` addresses a host and port, not a URL with a path, so only
  the simulator's tenant 0 (served at the root) is reachable by it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

# jamf-pro-sdk is in the test extra, so a missing one fails here rather than skipping quietly.
from jamf_pro_sdk import ApiClientCredentialsProvider, JamfProClient, SessionConfig
from jamf_pro_sdk.clients import auth as sdk_auth
from jamf_pro_sdk.clients.classic_api import parse_response_id
from jamf_pro_sdk.models import client as sdk_models

from generator.sim import SimConfig, Simulator
from generator.sim.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
FLEET = 250  # three pages of 100


class _SharedTime:
    """One offset moving the simulator's clock and the SDK's ``datetime.now`` together, as real time would."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.offset = timedelta()

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def no_ca_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def shared_time(monkeypatch: pytest.MonkeyPatch) -> _SharedTime:
    shared = _SharedTime(Clock())

    class ShiftedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.now(tz) + shared.offset

    # The SDK reads the time in these two modules only (token expiry and is_expired).
    monkeypatch.setattr(sdk_auth, "datetime", ShiftedDatetime)
    monkeypatch.setattr(sdk_models, "datetime", ShiftedDatetime)
    return shared


@pytest.fixture
def sim(shared_time: _SharedTime, no_ca_env: None) -> Iterator[Simulator]:
    with Simulator(SimConfig(tls=True, port=0, fleet=FLEET, clock=shared_time.clock)) as running:
        yield running


def _sdk(sim: Simulator, client_id: str, secret: str, **config: Any) -> JamfProClient:
    url = urlsplit(sim.base_url(0))
    assert url.hostname and url.port
    return JamfProClient(url.hostname, ApiClientCredentialsProvider(client_id, secret), port=url.port,
                         session_config=SessionConfig(ca_cert_bundle=sim.ca_file, timeout=10, **config))


def _admin(sim: Simulator, **config: Any) -> JamfProClient:
    client_id, secret = sim.tenant(0).admin_client
    return _sdk(sim, client_id, secret, **config)


def _calls(sim: Simulator, path: str) -> list[dict[str, Any]]:
    """Tenant 0's request log entries for ``path`` (method, path, redacted query, status)."""
    return [e for e in sim.tenant(0).request_log if e["path"] == path]


def test_paginated_v3_inventory_reads_the_whole_fleet_with_one_token(sim: Simulator) -> None:
    sdk = _admin(sim)
    computers = sdk.pro_api.get_computer_inventory_v3(page_size=100)
    listed = requests.get(sim.base_url(0) + "/api/v3/computers-inventory", verify=sim.ca_file, timeout=10,
                          params={"page-size": 2000, "section": "GENERAL"},
                          headers={"Authorization": f"Bearer {sdk.get_access_token()}"}).json()
    assert listed["totalCount"] == FLEET
    assert sorted(c.id for c in computers) == sorted(r["id"] for r in listed["results"])
    assert all(c.general is not None and c.general.name for c in computers)
    pages = [parse_qs(e["query"]) for e in _calls(sim, "/api/v3/computers-inventory")][:3]
    assert sorted(p["page"][0] for p in pages) == ["0", "1", "2"]
    assert all(p["page-size"] == ["100"] and p["section"] == ["GENERAL"] for p in pages)
    assert len(_calls(sim, "/api/v1/oauth/token")) == 1


def test_deprecated_v1_inventory_still_paginates(sim: Simulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        computers = _admin(sim).pro_api.get_computer_inventory_v1(page_size=100)
    assert len({c.id for c in computers}) == FLEET


def _short_lived_client(sdk: JamfProClient, lifetime: int) -> tuple[str, str]:
    """An API role and client made through the SDK's own request methods, as an admin script would."""
    role = sdk.pro_api_request("post", "v1/api-roles", data={"displayName": "sdk reader",
                                                              "privileges": ["Read Computers"]}).json()
    assert role["displayName"] == "sdk reader"
    client = sdk.pro_api_request("post", "v1/api-integrations", data={
        "displayName": "sdk reader", "authorizationScopes": ["sdk reader"], "enabled": True,
        "accessTokenLifetimeSeconds": lifetime}).json()
    secret = sdk.pro_api_request("post", f"v1/api-integrations/{client['id']}/client-credentials").json()
    return secret["clientId"], secret["clientSecret"]


def test_oauth_token_is_cached_then_refreshed_when_it_expires(sim: Simulator, shared_time: _SharedTime) -> None:
    client_id, secret = _short_lived_client(_admin(sim), lifetime=60)
    sdk = _sdk(sim, client_id, secret)
    before = len(_calls(sim, "/api/v1/oauth/token"))

    first = sdk.pro_api.get_computer_inventory_v3(page_size=2000)
    token = sdk.get_access_token()
    assert token.type == "oauth" and token.scope and token.seconds_remaining <= 59
    shared_time.advance(30)
    assert len(sdk.pro_api.get_computer_inventory_v3(page_size=2000)) == len(first) == FLEET
    assert len(_calls(sim, "/api/v1/oauth/token")) == before + 1  # still the first token

    shared_time.advance(40)  # past the 59 s the simulator granted (Jamf answers lifetime - 1)
    old = token.token
    assert len(sdk.pro_api.get_computer_inventory_v3(page_size=2000)) == FLEET
    assert len(_calls(sim, "/api/v1/oauth/token")) == before + 2
    assert sdk.get_access_token().token != old
    # The old token is dead on the server as on a real tenant: sent by hand, it gets a 401.
    stale = requests.get(sim.base_url(0) + "/api/v1/jamf-pro-version", verify=sim.ca_file, timeout=10,
                         headers={"Authorization": f"Bearer {old}"})
    assert stale.status_code == 401


def test_a_token_revoked_early_is_not_renewed_by_the_sdk(sim: Simulator) -> None:
    sdk = _admin(sim)
    assert sdk.pro_api_request("get", "v1/jamf-pro-version").json() == {"version": "11.12.0"}
    assert sdk.pro_api_request("post", "v1/auth/invalidate-token").status_code == 204
    with pytest.raises(requests.HTTPError) as caught:
        sdk.pro_api_request("get", "v1/jamf-pro-version")
    assert caught.value.response.status_code == 401  # SDK quirk: no re-authentication on 401


def test_a_wrong_secret_is_refused_with_the_oauth_error(sim: Simulator) -> None:
    client_id, _ = sim.tenant(0).admin_client
    with pytest.raises(requests.HTTPError) as caught:
        _sdk(sim, client_id, "not-the-secret").pro_api_request("get", "v1/jamf-pro-version")
    assert caught.value.response.status_code == 401
    assert caught.value.response.json()["error"] == "invalid_client"


def test_classic_api_reads_and_writes_as_json_and_xml(sim: Simulator) -> None:
    sdk = _admin(sim)
    # An empty Classic list is an empty array (the spec's schema), which the SDK's list parsers iterate.
    assert sdk.classic_api_request("get", "policies").json() == {"policies": []}
    assert sdk.classic_api_request("get", "osxconfigurationprofiles").json() == {"os_x_configuration_profiles": []}

    xml = ("<policy><general><name>sdk &amp; sim</name><enabled>false</enabled></general>"
           "<scope><all_computers>false</all_computers></scope></policy>")
    policy_id = parse_response_id(sdk.classic_api_request("post", "policies/id/0", data=xml).text)
    listed = sdk.classic_api_request("get", "policies").json()
    assert listed == {"policies": [{"id": policy_id, "name": "sdk & sim"}]}

    by_id = sdk.classic_api_request("get", f"policies/id/{policy_id}").json()["policy"]
    by_name = sdk.classic_api_request("get", "policies/name/sdk%20%26%20sim").json()["policy"]
    assert by_id["general"]["id"] == by_name["general"]["id"] == policy_id
    assert by_id["general"]["enabled"] is False
    general = sdk.classic_api_request("get", f"policies/id/{policy_id}/subset/general").json()["policy"]
    assert set(general) == {"general"}

    with pytest.raises(requests.HTTPError) as caught:
        sdk.classic_api_request("get", "policies/id/999")
    assert caught.value.response.status_code == 404


@pytest.mark.parametrize("return_exceptions", [True, False])
def test_a_failed_page_is_not_raised_by_the_paginator(sim: Simulator, return_exceptions: bool) -> None:
    """The docstring's claim, shown on the real SDK: concurrent pages that fail are yielded as
    exception objects (the default) or dropped with only a warning log (``return_exceptions=False``)."""
    pages = _admin(sim, return_exceptions=return_exceptions).pro_api.get_computer_inventory_v3(
        page_size=100, return_generator=True)
    first = next(pages)
    assert first.total_count == FLEET
    sim.set_faults("5xx=1")
    rest = list(pages)
    sim.set_faults("")
    if return_exceptions:
        assert len(rest) == 2 and all(isinstance(p, requests.HTTPError) for p in rest)
    else:
        assert rest == []  # 150 of 250 computers gone, no exception


@pytest.mark.parametrize(("max_retries", "method", "path", "attempts"), [
    (0, "GET", "/api/v1/jamf-pro-version", 1),  # the default: no retry at all
    (2, "GET", "/api/v1/jamf-pro-version", 3),  # urllib3 honours Retry-After on 429 for an idempotent method
    (2, "POST", "/api/v1/categories", 1),       # ... and never for a POST
])
def test_retries_are_urllib3s(sim: Simulator, caplog: pytest.LogCaptureFixture, max_retries: int, method: str,
                              path: str, attempts: int) -> None:
    sdk = _admin(sim, max_retries=max_retries)
    sdk.get_access_token()
    sim.set_faults(f"429=1,retry_after=0,methods={method},path={path}")
    with caplog.at_level(logging.ERROR, logger="jamf_pro_sdk"), pytest.raises(requests.HTTPError) as caught:
        sdk.pro_api_request(method.lower(), path.removeprefix("/api/"), data={"name": "sdk", "priority": 9})
    sim.set_faults("")
    assert caught.value.response.status_code == 429
    assert [e["status"] for e in _calls(sim, path)] == [429] * attempts
    # The whole response body goes to the log at ERROR (a body can carry anything the server sent).
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [caught.value.response.text]


def test_the_oauth_token_response_is_logged_at_debug(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    sdk = _admin(sim)
    with caplog.at_level(logging.DEBUG, logger="jamf_pro_sdk"):
        token = sdk.get_access_token().token
    assert any(token in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)


def _start_cli(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    process = subprocess.Popen([sys.executable, "-m", "generator", "sim", "--port", "0", *args], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    printed: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("serving"):
            break
        key, sep, value = line.rstrip("\n").partition(": ")
        if sep:
            printed[key] = value
    return process, printed


def test_the_sdk_talks_to_a_jamf_enforcer_sim_process(no_ca_env: None) -> None:
    process, printed = _start_cli("--fleet", "120", "--version", "11.12.0-t1772925731845")
    try:
        base = printed["tenant 0"]
        creds = json.loads(Path(printed["admin credentials (0600)"]).read_text())[base]
        url = urlsplit(base)
        assert url.hostname and url.port
        sdk = JamfProClient(url.hostname, ApiClientCredentialsProvider(creds["client_id"], creds["client_secret"]),
                            port=url.port, session_config=SessionConfig(ca_cert_bundle=printed["CA file"], timeout=10))
        assert sdk.pro_api_request("get", "v1/jamf-pro-version").json() == {"version": "11.12.0-t1772925731845"}
        assert len(sdk.pro_api.get_computer_inventory_v3(page_size=50)) == 120
        assert sdk.classic_api_request("get", "policies").json() == {"policies": []}
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert creds["client_secret"] not in out + err


def test_requests_ca_bundle_overrides_the_sdk_ca_bundle(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """SDK quirk (requests' environment beats ``Session.verify``): with REQUESTS_CA_BUNDLE pointing at
    a bundle without the simulator's CA, ``ca_cert_bundle`` is ignored and TLS verification fails."""
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    with pytest.raises(requests.exceptions.SSLError):
        _admin(sim).pro_api_request("get", "v1/jamf-pro-version")


