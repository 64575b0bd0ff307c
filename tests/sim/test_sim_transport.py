"""TLS with a per-run CA, keep-alive, plain HTTP only on request, curl and requests as clients."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
import requests
from cryptography import x509

from tests.sim.simclient import admin, session


def test_requests_trusts_the_ca_file_and_nothing_else(jamf_sim):
    ok = session(jamf_sim).get(jamf_sim.base_url() + "/api/v1/jamf-pro-version")
    assert ok.status_code == 401  # reached the server over verified TLS; no token yet
    strict = requests.Session()
    strict.trust_env = False  # verify against certifi's public roots only
    with pytest.raises(requests.exceptions.SSLError):
        strict.get(jamf_sim.base_url() + "/api/v1/jamf-pro-version")


def test_certificate_names_127_0_0_1_and_localhost(jamf_sim):
    pem = ssl.get_server_certificate(("127.0.0.1", jamf_sim.port))
    cert = x509.load_pem_x509_certificate(pem.encode())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    via_localhost = session(jamf_sim).get(f"https://localhost:{jamf_sim.port}/api/v1/jamf-pro-version")
    assert via_localhost.status_code == 401


def test_requests_session_reuses_one_connection(jamf_sim):
    api = admin(jamf_sim)
    for _ in range(20):
        assert api.get("/api/v1/jamf-pro-version").status_code == 200
    assert jamf_sim.connections_accepted == 1


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_with_cacert_reuses_the_connection(jamf_sim):
    client_id, secret = jamf_sim.tenant(0).admin_client
    token = admin(jamf_sim).http.headers["Authorization"]
    before = jamf_sim.connections_accepted
    url = jamf_sim.base_url() + "/api/v1/jamf-pro-version"
    env = {**os.environ, "CURL_CA_BUNDLE": jamf_sim.ca_file}
    out = subprocess.run(["curl", "-sS", "--fail", "-H", f"Authorization: {token}", url, url],
                         capture_output=True, text=True, env=env, timeout=30, check=True).stdout
    assert out.count('{\n  "version" : "11.12.0"\n}') == 2
    assert jamf_sim.connections_accepted == before + 1  # two requests, one TLS connection
    form = subprocess.run(["curl", "-sS", "--cacert", jamf_sim.ca_file, "-X", "POST",
                           "--data-urlencode", f"client_id={client_id}", "--data-urlencode", f"client_secret={secret}",
                           "--data-urlencode", "grant_type=client_credentials",
                           jamf_sim.base_url() + "/api/v1/oauth/token"],
                          capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(form)["token_type"] == "Bearer"


def test_plain_http_only_when_asked(jamf_sim_factory):
    plain = jamf_sim_factory(tls=False)
    assert plain.base_url().startswith("http://") and plain.ca_file is None
    assert session(plain).get(plain.base_url() + "/api/v1/jamf-pro-version").status_code == 401
    tls = jamf_sim_factory()
    assert tls.base_url().startswith("https://")
    with pytest.raises(requests.exceptions.ConnectionError):
        session(tls).get(f"http://127.0.0.1:{tls.port}/api/v1/jamf-pro-version", timeout=5)
    assert session(tls).get(tls.base_url() + "/api/v1/jamf-pro-version").status_code == 401  # still serving


def test_stop_removes_the_run_directory(jamf_sim_factory):
    sim = jamf_sim_factory()
    ca = Path(sim.ca_file)
    assert ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert (ca.parent / "server.key").stat().st_mode & 0o077 == 0
    sim.stop()
    assert not ca.parent.exists()
    with pytest.raises(RuntimeError):
        sim.base_url()
