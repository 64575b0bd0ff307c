"""``JamfClient``: one tenant's session (one connection pool and cookie jar, at most five requests in
flight), the secrets it scrubs, and the request API the adapters use (``request``, ``get_json``,
``list_all``, ``classic_get``).  Token handling, the retry policy and error mapping are its mixins
(``auth``, ``transport``, ``responses``).
"""

from __future__ import annotations

import json
import os
import random
import threading
from typing import Any
from urllib.parse import quote

import requests

from ... import __version__
from .auth import TokenAuth
from .errors import JamfError
from .options import ClientOptions, RequestStats
from .responses import ResponseErrors
from .secret import ClientCredentials, Credentials, Secret
from .transport import Transport

USER_AGENT = f"jamf-enforcer/{__version__}"
PAGE_SIZE = 1000  # Jamf's documented default is 100; bigger pages mean fewer round trips (max 2000).


class JamfClient(TokenAuth, Transport, ResponseErrors):
    """One tenant's Jamf Pro API and Classic API client (thread-safe)."""

    def __init__(self, base_url: str, credentials: Credentials, *, tenant: str = "",
                 options: ClientOptions | None = None) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ValueError(f"{tenant}: base URL must be http(s)://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant or self.base_url
        self.options = options or ClientOptions()
        self._credentials = credentials
        self._rng = random.Random(self.options.seed)
        self._slots = threading.BoundedSemaphore(self.options.max_concurrency)
        self._token_lock = threading.Lock()
        self._bearer: Secret | None = None
        self._expires_at = 0.0
        self._refresh_margin = 30.0
        self._auth_failure: JamfError | None = None
        self._oauth_path = "/api/v1/oauth/token"
        self._secrets: set[str] = set()
        self._secrets_lock = threading.Lock()
        self.stats = RequestStats()
        if isinstance(credentials, ClientCredentials):
            self.register_secret(credentials.client_secret)
        else:
            self.register_secret(credentials.password)
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=self.options.max_concurrency,
                                                max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = USER_AGENT
        # Read the environment once, not on every request: with trust_env requests looks up
        # ~/.netrc per request and a matching entry would *replace* our bearer Authorization
        # header with Basic auth.  Proxies and a CA bundle from the environment still apply.
        self.session.trust_env = False
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        self._verify: str | bool = (self.options.ca_file or os.environ.get("REQUESTS_CA_BUNDLE")
                                    or os.environ.get("CURL_CA_BUNDLE") or True)

    def __repr__(self) -> str:
        return f"JamfClient(tenant={self.tenant!r}, base_url={self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> JamfClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register_secret(self, value: Secret | str) -> None:
        """Make sure ``value`` is scrubbed from every message this client builds."""
        text = value.reveal() if isinstance(value, Secret) else value
        if text and len(text) >= 4:
            with self._secrets_lock:
                self._secrets.add(text)
                # URL-encoded and base64 forms appear in request lines and Basic headers.
                self._secrets.add(quote(text, safe=""))

    def scrub(self, text: str) -> str:
        with self._secrets_lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for s in secrets:
            if s in text:
                text = text.replace(s, "<secret>")
        return text

    def request(self, method: str, path: str, *, body: Any = None, xml: str | None = None,
                params: dict[str, Any] | None = None, accept: str = "application/json",
                idempotent: bool | None = None) -> requests.Response:
        """Send one request with auth and the retry policy; return a 2xx response or raise."""
        method = method.upper()
        if idempotent is None:
            idempotent = method != "POST"
        headers = {"Accept": accept}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        elif xml is not None:
            data = xml.encode("utf-8")
            headers["Content-Type"] = "application/xml"  # Classic writes must be XML (jamf-api-facts §11)
        reauthenticated = False
        while True:
            bearer = self._token()
            resp = self._send(method, path, data=data, params=params, headers=headers, idempotent=idempotent,
                              auth=bearer)
            if resp.status_code == 401 and not reauthenticated:
                # Expired or revoked early: re-acquire once (jamf-api-facts §1 "401/403/429").
                reauthenticated = True
                self._invalidate(bearer)
                continue
            if 200 <= resp.status_code < 300:
                return resp
            raise self._error(method, path, resp)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params).json()

    def list_all(self, path: str, *, rsql: str | None = None, sort: str | None = None) -> list[dict[str, Any]]:
        """Every item of a paged Jamf Pro API list (``page`` is zero-based; jamf-api-facts §8)."""
        items: list[dict[str, Any]] = []
        page = 0
        while True:
            params: dict[str, Any] = {"page": page, "page-size": PAGE_SIZE}
            if rsql:
                params["filter"] = rsql
            if sort:
                params["sort"] = sort
            answer = self.get_json(path, params)
            results = answer.get("results", []) if isinstance(answer, dict) else []
            items.extend(results)
            total = answer.get("totalCount", len(items)) if isinstance(answer, dict) else len(items)
            if not results or len(items) >= total:
                return items
            page += 1

    def classic_get(self, path: str) -> bytes:
        """A Classic API resource as XML bytes (XML is Classic's native form; jamf-api-facts §11)."""
        return self.request("GET", path, accept="application/xml").content
