"""The Jamf client: auth, token cache, retries, no POST resend, concurrency, TLS, credential refs.

HTTP goes through ``responses`` (edge cases a server rarely produces on demand) or through the
simulator over a real TLS socket.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import requests
import responses

from generator.bundle import Tenant
from generator.jamf.client import (
    AccountCredentials,
    AmbiguousWriteError,
    AuthError,
    ClientCredentials,
    ClientOptions,
    CredentialError,
    JamfClient,
    PrivilegeError,
    Secret,
    ServerError,
    UnreachableError,
    resolve_ref,
    tenant_credentials,
)

BASE = "https://jamf.example.test"
TOKEN = BASE + "/api/v1/oauth/token"


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def make(clock: Clock | None = None, creds: ClientCredentials | AccountCredentials | None = None,
         **kw: object) -> JamfClient:
    clock = clock or Clock()
    options = ClientOptions(sleep=clock.sleep, now=clock.now, seed=3, **kw)  # type: ignore[arg-type]
    return JamfClient(BASE, creds or ClientCredentials("cid", Secret("s3cret-value")), tenant="t", options=options)


def token_ok(rsps: responses.RequestsMock, lifetime: int = 300, url: str = TOKEN) -> None:
    rsps.add(responses.POST, url, json={"access_token": "tok-abc-123", "expires_in": lifetime,
                                        "token_type": "Bearer", "scope": "api-role:1"})


def calls(rsps: responses.RequestsMock, method: str, url_part: str) -> int:
    return sum(1 for c in rsps.calls if c.request.method == method and url_part in (c.request.url or ""))


# --- auth ---------------------------------------------------------------------------------
def test_oauth_token_is_cached_and_sent_as_bearer() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        client = make()
        for _ in range(3):
            client.get_json("/api/v1/scripts")
        assert calls(rsps, "POST", "/oauth/token") == 1
        sent = rsps.calls[1].request
        assert sent.headers["Authorization"] == "Bearer tok-abc-123"
        form = rsps.calls[0].request.body
        assert "grant_type=client_credentials" in form and "client_id=cid" in form


def test_oauth_falls_back_to_the_unversioned_endpoint_on_404_and_remembers() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TOKEN, status=404, json={"httpStatus": 404, "errors": []})
        token_ok(rsps, lifetime=1, url=BASE + "/api/oauth/token")
        rsps.add(responses.GET, BASE + "/api/v1/categories", json={"totalCount": 0, "results": []})
        clock = Clock()
        client = make(clock)
        client.get_json("/api/v1/categories")
        clock.t += 5  # expired: the next token comes from the remembered path directly
        client.get_json("/api/v1/categories")
        assert calls(rsps, "POST", "/api/v1/oauth/token") == 1
        assert calls(rsps, "POST", "/api/oauth/token") == 2


def test_basic_auth_gets_a_bearer_token_with_the_server_expiry() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, BASE + "/api/v1/auth/token",
                 json={"token": "user-token", "expires": "2030-01-01T00:20:00.000Z"},
                 headers={"Date": "Tue, 01 Jan 2030 00:00:00 GMT"})
        rsps.add(responses.GET, BASE + "/api/v1/jamf-pro-version", json={"version": "11.12.0"})
        client = make(creds=AccountCredentials("admin", Secret("pa55-word!")))
        client.get_json("/api/v1/jamf-pro-version")
        auth = rsps.calls[0].request.headers["Authorization"]
        assert auth.startswith("Basic ") and "pa55" not in auth
        assert rsps.calls[1].request.headers["Authorization"] == "Bearer user-token"
        # 20 minutes by the server's Date header, refreshed a minute early.
        assert client._expires_at - client.options.now() == pytest.approx(1200)
        assert client._refresh_margin == 60


def test_token_is_refreshed_before_it_expires() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps, lifetime=300)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        clock = Clock()
        client = make(clock)
        client.get_json("/api/v1/scripts")
        clock.t += 200  # 100 s left, inside the 60 s... not yet: margin is min(60, 300/4) = 60
        client.get_json("/api/v1/scripts")
        assert calls(rsps, "POST", "/oauth/token") == 1
        clock.t += 45  # 55 s left: refresh now rather than let the server see an expired token
        client.get_json("/api/v1/scripts")
        assert calls(rsps, "POST", "/oauth/token") == 2


def test_a_401_reacquires_the_token_once() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", status=401, json={"httpStatus": 401, "errors": []})
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        client = make()
        client.get_json("/api/v1/scripts")
        assert calls(rsps, "POST", "/oauth/token") == 2


def test_a_second_401_is_an_auth_error_not_a_loop() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", status=401,
                 json={"httpStatus": 401, "errors": [{"code": "INVALID_TOKEN", "description": "Unauthorized"}]})
        client = make()
        with pytest.raises(AuthError, match="not authorised even after re-authenticating"):
            client.get_json("/api/v1/scripts")
        assert calls(rsps, "GET", "/api/v1/scripts") == 2
        assert calls(rsps, "POST", "/oauth/token") == 2


def test_wrong_credentials_fail_once_with_a_clear_message_and_no_retry_storm() -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TOKEN, status=401,
                 json={"error": "invalid_client", "error_description": "Client authentication failed"})
        client = make()
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                client.get_json("/api/v1/scripts")
            except AuthError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(errors) == 5
        assert calls(rsps, "POST", "/oauth/token") == 1
        message = str(errors[0])
        assert "rejected the API client credentials" in message and "'cid'" in message
        assert "invalid_client" in message and "s3cret" not in message


# --- retries ------------------------------------------------------------------------------
def test_429_honours_retry_after_even_for_a_post() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=429, headers={"Retry-After": "7"},
                 json={"httpStatus": 429, "errors": []})
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=201, json={"id": "5", "href": "x"})
        clock = Clock()
        client = make(clock)
        assert client.request("POST", "/api/v1/scripts", body={"name": "x"}).json()["id"] == "5"
        assert calls(rsps, "POST", "/api/v1/scripts") == 2
        assert clock.slept == [7.0]


def test_a_retry_after_beyond_the_cap_is_reported_not_slept_through() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", status=429, headers={"Retry-After": "3600"},
                 json={"httpStatus": 429, "errors": []})
        clock = Clock()
        with pytest.raises(ServerError, match="wait 3600 s"):
            make(clock).get_json("/api/v1/scripts")
        assert clock.slept == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_5xx_is_retried_with_exponential_backoff_and_jitter_for_idempotent_methods(method: str) -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        url = BASE + "/api/v1/scripts/1"
        for status in (503, 502, 504, 500):
            rsps.add(method, url, status=status, json={"httpStatus": status, "errors": []})
        rsps.add(method, url, status=200, json={"id": "1"})
        clock = Clock()
        make(clock, backoff_base=1.0).request(method, "/api/v1/scripts/1", body={} if method == "PUT" else None)
        assert calls(rsps, method, "/api/v1/scripts/1") == 5
        # Equal jitter: attempt n waits between 2^(n-1)/2 and 2^(n-1) seconds.
        for n, slept in enumerate(clock.slept, start=1):
            assert 2 ** (n - 1) / 2 <= slept <= 2 ** (n - 1)
        assert len(set(clock.slept)) == 4


def test_a_5xx_storm_gives_up_with_a_clear_error() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", status=500,
                 json={"httpStatus": 500, "errors": [{"code": "SERVER_ERROR", "description": "boom"}]})
        with pytest.raises(ServerError) as info:
            make(max_attempts=4).get_json("/api/v1/scripts")
        assert calls(rsps, "GET", "/api/v1/scripts") == 4
        assert "GET /api/v1/scripts (HTTP 500): SERVER_ERROR: boom (gave up after 4 attempts)" in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_post_that_may_have_been_applied_is_never_resent(status: int) -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=status, body="<html>Bad Gateway</html>")
        with pytest.raises(AmbiguousWriteError, match="may have been applied"):
            make().request("POST", "/api/v1/scripts", body={"name": "x"})
        assert calls(rsps, "POST", "/api/v1/scripts") == 1


def test_a_post_whose_connection_dropped_is_never_resent_but_a_get_is_retried() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", body=requests.exceptions.ConnectionError("reset"))
        rsps.add(responses.GET, BASE + "/api/v1/scripts", body=requests.exceptions.ConnectionError("reset"))
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        client = make()
        with pytest.raises(AmbiguousWriteError, match="connection dropped"):
            client.request("POST", "/api/v1/scripts", body={"name": "x"})
        assert calls(rsps, "POST", "/api/v1/scripts") == 1
        client.get_json("/api/v1/scripts")
        assert calls(rsps, "GET", "/api/v1/scripts") == 2


def test_a_post_that_timed_out_is_never_resent() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", body=requests.exceptions.ReadTimeout("slow"))
        with pytest.raises(AmbiguousWriteError, match="no answer before the timeout"):
            make().request("POST", "/api/v1/scripts", body={"name": "x"})
        assert calls(rsps, "POST", "/api/v1/scripts") == 1


def test_a_post_refused_with_503_was_not_applied_and_is_retried() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=503, json={"httpStatus": 503, "errors": []})
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=201, json={"id": "9", "href": "x"})
        assert make().request("POST", "/api/v1/scripts", body={"name": "x"}).status_code == 201
        assert calls(rsps, "POST", "/api/v1/scripts") == 2


def test_every_request_has_a_timeout_and_the_ca_file() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        make(timeout=12.5, ca_file="/path/ca.pem").get_json("/api/v1/scripts")
        for call in rsps.calls:
            assert call.request.req_kwargs["timeout"] == 12.5
            assert call.request.req_kwargs["verify"] == "/path/ca.pem"


def test_a_403_names_the_missing_privilege_and_the_endpoint() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=403, json={
            "httpStatus": 403, "errors": [{"code": "INVALID_PRIVILEGE", "description": "Missing privilege: Create Scripts",
                                           "id": "0", "field": None}]})
        with pytest.raises(PrivilegeError) as info:
            make().request("POST", "/api/v1/scripts", body={"name": "x"})
        text = str(info.value)
        assert "POST /api/v1/scripts (HTTP 403)" in text and "Missing privilege: Create Scripts" in text
        assert info.value.needed == ("Create Scripts",)


def test_classic_errors_are_read_from_the_html_page() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.PUT, BASE + "/JSSResource/policies/id/3", status=409, content_type="text/html",
                 body="<html><body><p>Conflict</p><p>Error: Problem with computer group in scope</p></body></html>")
        with pytest.raises(Exception, match="Problem with computer group in scope"):
            make().request("PUT", "/JSSResource/policies/id/3", xml="<policy/>")


def test_at_most_five_requests_are_in_flight_per_tenant() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.03)
        with lock:
            active -= 1
        return 200, {}, '{"totalCount": 0, "results": []}'

    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add_callback(responses.GET, BASE + "/api/v1/scripts", callback=slow, content_type="application/json")
        client = make()
        threads = [threading.Thread(target=client.get_json, args=("/api/v1/scripts",)) for _ in range(15)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert 2 <= peak <= 5


# --- real sockets -------------------------------------------------------------------------
def test_an_unreachable_tenant_is_a_clear_error_after_bounded_retries() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again at the end of the block: connections are refused
    clock = Clock()
    client = JamfClient(f"https://127.0.0.1:{port}", ClientCredentials("cid", Secret("s3cret-value")), tenant="t",
                        options=ClientOptions(sleep=clock.sleep, now=clock.now, max_attempts=3, timeout=2))
    with pytest.raises(UnreachableError, match="cannot connect") as info:
        client.get_json("/api/v1/scripts")
    assert "gave up after 3 attempts" in str(info.value)
    assert client.stats.total == 3


def test_tls_needs_the_simulator_ca(jamf_sim) -> None:
    creds = ClientCredentials(*jamf_sim.tenant(0).admin_client[:1], Secret(jamf_sim.tenant(0).admin_client[1]))
    good = JamfClient(jamf_sim.base_url(), creds, options=ClientOptions(ca_file=jamf_sim.ca_file))
    assert good.get_json("/api/v1/jamf-pro-version")["version"].startswith("11.12")
    bad = JamfClient(jamf_sim.base_url(), creds, options=ClientOptions(max_attempts=1))
    with pytest.raises(UnreachableError, match="--ca-file"):
        bad.get_json("/api/v1/jamf-pro-version")


def test_one_cookie_jar_keeps_a_tenant_on_one_node(jamf_sim) -> None:
    creds = ClientCredentials(jamf_sim.tenant(0).admin_client[0], Secret(jamf_sim.tenant(0).admin_client[1]))
    client = JamfClient(jamf_sim.base_url(), creds, options=ClientOptions(ca_file=jamf_sim.ca_file))
    for _ in range(10):
        client.get_json("/api/v1/categories")
    assert "jpro-ingress" in client.session.cookies
    nodes = {e["node"] for e in jamf_sim.tenant(0).request_log}
    assert len(nodes) == 1


# --- credential references ----------------------------------------------------------------
def test_env_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JE_REF", "value")
    assert resolve_ref("env:JE_REF") == "value"
    monkeypatch.delenv("JE_REF")
    with pytest.raises(CredentialError, match="environment variable JE_REF is not set"):
        resolve_ref("env:JE_REF")


def test_file_reference_strips_exactly_one_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("abc \n\n", encoding="utf-8")
    assert resolve_ref("file:secret", base_dir=tmp_path) == "abc \n"
    (tmp_path / "crlf").write_text("abc\r\n", encoding="utf-8")
    assert resolve_ref(f"file:{tmp_path / 'crlf'}") == "abc"
    with pytest.raises(CredentialError, match="cannot read"):
        resolve_ref("file:missing", base_dir=tmp_path)


def test_keyring_reference_without_the_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_keyring(name: str, *args: object, **kw: object) -> object:
        if name == "keyring":
            raise ImportError("no keyring")
        return real_import(name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_keyring)
    with pytest.raises(CredentialError, match=r"pip install 'jamf-enforcer\[keyring\]'"):
        resolve_ref("keyring:jamf/uploader")


def test_keyring_reference_reads_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, account: "kr-secret" if (service, account) == ("jamf", "up") else None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert resolve_ref("keyring:jamf/up") == "kr-secret"
    with pytest.raises(CredentialError, match="no keyring entry"):
        resolve_ref("keyring:jamf/other")


def test_tenant_credentials_prefer_the_api_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JE_ID", "the-id")
    monkeypatch.setenv("JE_SECRET", "the-secret")
    creds = tenant_credentials(Tenant("p", "https://x", client_id="env:JE_ID", client_secret="env:JE_SECRET"))
    assert isinstance(creds, ClientCredentials) and creds.client_id == "the-id"
    assert "the-secret" not in repr(creds)
    with pytest.raises(CredentialError, match="no credentials"):
        tenant_credentials(Tenant("p", "https://x"))


def test_secret_never_shows_itself() -> None:
    s = Secret("hunter2-canary")
    assert "hunter2" not in repr(s) + str(s) + f"{s}" + repr([s]) + repr({"k": s})
    assert s.reveal() == "hunter2-canary"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s)


def test_error_messages_are_scrubbed_of_known_secrets() -> None:
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=400,
                 json={"httpStatus": 400, "errors": [{"code": "X", "description": "bad value s3cret-value tok-abc-123"}]})
        with pytest.raises(Exception) as info:
            make().request("POST", "/api/v1/scripts", body={"name": "x"})
        assert "s3cret-value" not in str(info.value) and "tok-abc-123" not in str(info.value)
        assert "<secret>" in str(info.value)


def test_a_secret_cut_by_the_message_length_limit_is_still_scrubbed() -> None:
    # The server's text is cut to a sane length: cutting before scrubbing would leave the
    # head of a secret that straddles the cut in the message.
    secret = "s3cret-value-that-is-long-enough-to-straddle"
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.POST, BASE + "/api/v1/scripts", status=400,
                 json={"httpStatus": 400, "errors": [{"code": "X", "description": "x" * 280 + " " + secret}]})
        client = make(creds=ClientCredentials("cid", Secret(secret)))
        with pytest.raises(Exception) as info:
            client.request("POST", "/api/v1/scripts", body={"name": "x"})
        assert secret[:12] not in str(info.value)


def test_a_netrc_entry_never_replaces_the_bearer_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine jamf.example.test login someone password netrc-pass\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    with responses.RequestsMock() as rsps:
        token_ok(rsps)
        rsps.add(responses.GET, BASE + "/api/v1/scripts", json={"totalCount": 0, "results": []})
        make().get_json("/api/v1/scripts")
        assert rsps.calls[1].request.headers["Authorization"] == "Bearer tok-abc-123"


def test_an_unknown_host_fails_at_once_without_retries() -> None:
    clock = Clock()
    client = JamfClient("https://jamf-enforcer-test.invalid", ClientCredentials("cid", Secret("s3cret-value")),
                        tenant="t", options=ClientOptions(sleep=clock.sleep, now=clock.now, timeout=5))
    with pytest.raises(UnreachableError, match=r"unknown host 'jamf-enforcer-test\.invalid'"):
        client.get_json("/api/v1/scripts")
    assert client.stats.total == 1 and clock.slept == []
