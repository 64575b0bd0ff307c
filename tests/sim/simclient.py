"""A small HTTP client for the simulator tests: a keep-alive ``requests.Session`` that trusts
the simulator's CA, ignores the environment's CA bundle and proxies (``trust_env=False``:
``REQUESTS_CA_BUNDLE`` would otherwise override ``verify``), and knows how to get tokens."""

from __future__ import annotations

import base64
from typing import Any

import requests

from generator.sim import Simulator


def session(sim: Simulator) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = sim.ca_file if sim.config.tls else False
    return s


class Api:
    def __init__(self, sim: Simulator, tenant: int = 0, token: str | None = None) -> None:
        self.sim, self.tenant = sim, tenant
        self.base = sim.base_url(tenant)
        self.http = session(sim)
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    # --- tokens -----------------------------------------------------------------------------
    def client_token(self, client_id: str, secret: str, path: str = "/api/v1/oauth/token",
                     **extra: str) -> requests.Response:
        data = {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials", **extra}
        return self.http.post(self.base + path, data=data)

    def basic_token(self, user: str, password: str) -> requests.Response:
        value = base64.b64encode(f"{user}:{password}".encode()).decode()
        return self.http.post(self.base + "/api/v1/auth/token", headers={"Authorization": f"Basic {value}"})

    def use(self, token: str) -> Api:
        self.http.headers["Authorization"] = f"Bearer {token}"
        return self

    def login_client(self, client_id: str, secret: str) -> Api:
        response = self.client_token(client_id, secret)
        assert response.status_code == 200, response.text
        return self.use(response.json()["access_token"])

    def login_account(self, user: str, password: str) -> Api:
        response = self.basic_token(user, password)
        assert response.status_code == 200, response.text
        return self.use(response.json()["token"])

    # --- verbs --------------------------------------------------------------------------------
    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.http.get(self.base + path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.http.post(self.base + path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.http.put(self.base + path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.http.delete(self.base + path, **kw)

    def xml(self, method: str, path: str, body: str | bytes) -> requests.Response:
        data = body.encode() if isinstance(body, str) else body
        return self.http.request(method, self.base + path, data=data, headers={"Content-Type": "application/xml"})


def admin(sim: Simulator, tenant: int = 0) -> Api:
    """A session holding a token of the tenant's bootstrap admin client (every privilege)."""
    return Api(sim, tenant).login_client(*sim.tenant(tenant).admin_client)


def client_with(sim: Simulator, privileges: list[str], name: str = "t", tenant: int = 0,
                lifetime: int = 300) -> Api:
    """A session holding a token of a new client whose one role has exactly ``privileges``."""
    t = sim.tenant(tenant)
    t.add_role(f"role {name}", privileges)
    _, client_id, secret = t.add_client(f"client {name}", [f"role {name}"], lifetime)
    return Api(sim, tenant).login_client(client_id, secret)
