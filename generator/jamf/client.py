"""The Jamf Pro HTTP client: one object per tenant owning its session, token and retry policy.

What it guarantees (each rule has bitten a peer tool; see docs/peer-lessons.md):

* **Auth.**  API client credentials (preferred) get an OAuth token from ``/api/v1/oauth/token``,
  falling back to the unversioned ``/api/oauth/token`` on a 404 (jamf-api-facts §1: the first
  Jamf Pro version serving the versioned path is unknown).  Username/password gets a bearer
  token from ``/api/v1/auth/token``.  The token is cached, refreshed before it expires (the
  lifetime is read from the response, never assumed: §1 "Token lifetime facts"), and a 401
  re-acquires it once.  Rejected credentials fail at once and stay failed for this client, so
  five parallel requests never turn into a storm of token requests.
* **One session per tenant.**  One ``requests.Session`` (one connection pool, one cookie jar)
  per tenant, because Jamf Cloud pins a client to a web-app node with the ``jpro-ingress``
  cookie and a change made on one node can take up to 60 s to show on another (§1, [TF]
  README "Jamf Cloud Load Balancing and Cookies").  At most five requests are in flight per
  tenant (a semaphore; Jamf's scalability guidance, §1).  Every request has a timeout.
* **Retries.**  429 is retried for every method, honouring ``Retry-After`` (the request was
  not applied).  500/502/503/504 and dropped connections are retried with exponential backoff
  and jitter for reads and idempotent writes (GET, PUT, DELETE).  A POST that may have been
  applied (dropped connection after sending, read timeout, 500, 502, 504) is **never resent**:
  the client raises ``AmbiguousWriteError`` and the caller re-reads by name before deciding
  (jamf-cli #392 retried timed-out writes and made duplicates; TF #464).  A POST answered 503
  was refused before it was applied, so it is retried like a read.  ``sleep`` and
  ``now`` are injectable, so tests (and the simulator's clock) cost no real time.
* **Secrets never leak.**  Client secrets, passwords and bearer tokens live in ``Secret``
  objects whose ``repr``/``str`` are ``<secret>``; they never reach a log record, an exception
  message or a report.  Every message built from a server response is scrubbed of every
  secret this client knows (its own, and any registered with ``register_secret``).  Log
  records carry method, path, status and timing only.

Why not jamf-pro-sdk (macadmins/jamf-pro-sdk-python)?  It does not fit these rules: its
request methods log the whole response body at ERROR on any HTTP error (a body can carry a
secret), it hands retries to urllib3's ``max_retries`` (no ``Retry-After``, no distinction
between a POST that may have been applied and one that was refused), its concurrency limit
applies only inside one ``concurrent_api_requests`` call rather than per tenant, and it would
add pydantic as a dependency for models this tool does not use.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3

from .. import __version__
from ..bundle import Tenant

log = logging.getLogger(__name__)

USER_AGENT = f"jamf-enforcer/{__version__}"
PAGE_SIZE = 1000  # Jamf's documented default is 100; bigger pages mean fewer round trips (max 2000).
RETRY_IDEMPOTENT = frozenset({500, 502, 503, 504})
# A POST answered 503 was refused before it reached the web app, so it is retried.  502/504 come
# from the load balancer and say nothing about whether the web app applied the write, and a 500
# may come after a commit: those are never resent (the caller re-reads by name).
RETRY_POST = frozenset({503})
AMBIGUOUS_POST = frozenset({500, 502, 504})


# --- secrets ------------------------------------------------------------------------------
class Secret:
    """A string that never shows itself: ``repr``, ``str`` and f-strings give ``<secret>``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return "<secret>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class ClientCredentials:
    """An API client (Jamf Pro 10.49+): client id (not secret) and client secret."""

    client_id: str
    client_secret: Secret

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self.client_id!r}, client_secret=<secret>)"


@dataclass(frozen=True)
class AccountCredentials:
    """A Jamf Pro user account: username and password (basic auth → bearer token)."""

    username: str
    password: Secret

    def __repr__(self) -> str:
        return f"AccountCredentials(username={self.username!r}, password=<secret>)"


Credentials = ClientCredentials | AccountCredentials


# --- errors -------------------------------------------------------------------------------
class JamfError(Exception):
    """A failed Jamf Pro exchange, described on one line without any secret."""

    def __init__(self, message: str, *, tenant: str = "", method: str = "", path: str = "",
                 status: int | None = None) -> None:
        self.tenant = tenant
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        super().__init__(self._line())

    def _line(self) -> str:
        where = f"{self.method} {self.path}" if self.method else ""
        status = f" (HTTP {self.status})" if self.status else ""
        prefix = f"{self.tenant}: " if self.tenant else ""
        return f"{prefix}{where}{status}: {self.message}" if where else f"{prefix}{self.message}{status}"


class CredentialError(JamfError):
    """A credential reference that cannot be resolved (missing variable, file, keyring...)."""


class AuthError(JamfError):
    """The tenant rejected the uploader's credentials (wrong id/secret/password, disabled client)."""


class PrivilegeError(JamfError):
    """403: the uploader's own role or account lacks a privilege for this endpoint."""

    def __init__(self, message: str, *, needed: tuple[str, ...] = (), **kw: Any) -> None:
        self.needed = needed
        super().__init__(message, **kw)


class NotFoundError(JamfError):
    pass


class ConflictError(JamfError):
    pass


class BadRequestError(JamfError):
    pass


class ServerError(JamfError):
    """5xx (or 429) still failing after the bounded retries."""


class UnreachableError(JamfError):
    """No connection could be made (DNS, refused, TLS, connect timeout) after retries."""


class AmbiguousWriteError(JamfError):
    """A POST may or may not have been applied (connection dropped, timeout, 502/504).

    The client never resends it; the caller re-reads by name and decides.
    """


# --- credential references ----------------------------------------------------------------
def resolve_ref(ref: str, *, base_dir: str | Path | None = None, what: str = "credential") -> str:
    """Resolve a bundle credential reference: ``env:VAR``, ``file:PATH`` or ``keyring:SERVICE/ACCOUNT``.

    ``file:`` strips exactly one trailing newline (``echo secret > file`` adds one; a secret
    may legitimately end in other whitespace).  A relative ``file:`` path is relative to the
    bundle's folder.  ``keyring:`` needs the optional ``keyring`` package
    (``pip install 'jamf-enforcer[keyring]'``).
    """
    kind, _, rest = ref.partition(":")
    if kind == "env":
        value = os.environ.get(rest)
        if value is None or value == "":
            raise CredentialError(f"{what}: environment variable {rest} is not set (from {ref!r})")
        return value
    if kind == "file":
        path = Path(rest).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CredentialError(f"{what}: cannot read {path}: {exc.strerror or exc}") from None
        if text.endswith("\r\n"):
            text = text[:-2]
        elif text.endswith("\n"):
            text = text[:-1]
        if not text:
            raise CredentialError(f"{what}: {path} is empty")
        return text
    if kind == "keyring":
        service, _, account = rest.partition("/")
        try:
            import keyring  # optional dependency
        except ImportError:
            raise CredentialError(f"{what}: {ref!r} needs the optional keyring package: "
                                  "pip install 'jamf-enforcer[keyring]'") from None
        try:
            value = keyring.get_password(service, account)
        except Exception as exc:  # keyring backends raise their own types
            raise CredentialError(f"{what}: keyring lookup of {service}/{account} failed: "
                                  f"{type(exc).__name__}") from None
        if not value:
            raise CredentialError(f"{what}: no keyring entry for service {service!r}, account {account!r}")
        return value
    raise CredentialError(f"{what}: {ref!r} is not a credential reference (env:VAR, file:PATH, keyring:SERVICE/ACCOUNT)")


def tenant_credentials(tenant: Tenant, base_dir: str | Path | None = None) -> Credentials:
    """The uploader's credentials for a bundle tenant (client credentials preferred)."""
    if tenant.client_id:
        return ClientCredentials(resolve_ref(tenant.client_id, base_dir=base_dir, what=f"tenants.{tenant.name}.client_id"),
                                 Secret(resolve_ref(tenant.client_secret, base_dir=base_dir,
                                                    what=f"tenants.{tenant.name}.client_secret")))
    if tenant.username:
        return AccountCredentials(resolve_ref(tenant.username, base_dir=base_dir, what=f"tenants.{tenant.name}.username"),
                                  Secret(resolve_ref(tenant.password, base_dir=base_dir,
                                                     what=f"tenants.{tenant.name}.password")))
    raise CredentialError(f"tenants.{tenant.name}: no credentials (set client_id/client_secret or username/password)")


# --- the client ---------------------------------------------------------------------------
@dataclass
class ClientOptions:
    timeout: float = 30.0
    max_concurrency: int = 5  # Jamf: "no more than 5 concurrent connections" (jamf-api-facts §1)
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 120.0  # a longer Retry-After is reported, not slept through
    ca_file: str | None = None
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    seed: int | None = None


@dataclass
class Exchange:
    method: str
    path: str
    status: int | None  # None: no answer (dropped, timeout)
    seconds: float


@dataclass
class RequestStats:
    """Every exchange this client made (method, path, status, time): benchmarks and tests read it."""

    exchanges: list[Exchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, exchange: Exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    @property
    def total(self) -> int:
        return len(self.exchanges)

    def token_requests(self) -> int:
        return sum(1 for e in self.exchanges if e.path.endswith("/oauth/token") or e.path == "/api/v1/auth/token")

    def by_method(self) -> Counter[str]:
        return Counter(e.method for e in self.exchanges)

    def writes(self) -> int:
        return sum(1 for e in self.exchanges if e.method in ("POST", "PUT", "DELETE")
                   and not e.path.endswith("/oauth/token") and e.path != "/api/v1/auth/token")


_CLASSIC_ERROR = re.compile(r"<p>\s*Error:\s*(.*?)</p>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


class JamfClient:
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

    # --- secrets ----------------------------------------------------------------------------
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

    # --- tokens -----------------------------------------------------------------------------
    @property
    def identity(self) -> str:
        """Who the uploader is (client id or account name: neither is a secret)."""
        c = self._credentials
        return c.client_id if isinstance(c, ClientCredentials) else c.username

    @property
    def uses_client_credentials(self) -> bool:
        return isinstance(self._credentials, ClientCredentials)

    def ensure_token(self) -> None:
        """Get (or reuse) the bearer token now, e.g. before a parallel fan-out."""
        self._token()

    def _token(self) -> Secret:
        with self._token_lock:
            if self._auth_failure is not None:
                raise self._auth_failure
            if self._bearer is not None and self.options.now() < self._expires_at - self._refresh_margin:
                return self._bearer
            try:
                self._acquire()
            except JamfError as exc:
                # Remember the failure: parallel requests waiting on this lock must not each
                # repeat a token request the tenant has just refused (no retry storm).
                self._auth_failure = exc
                raise
            assert self._bearer is not None
            return self._bearer

    def _invalidate(self, bearer: Secret) -> None:
        with self._token_lock:
            if self._bearer == bearer:
                self._bearer = None

    def _set_token(self, token: str, lifetime: float) -> None:
        lifetime = max(lifetime, 1.0)
        self._bearer = Secret(token)
        self.register_secret(token)
        self._expires_at = self.options.now() + lifetime
        # Refresh a quarter of the lifetime early (at most a minute): a token must not expire
        # between our check and the server's.
        self._refresh_margin = min(60.0, lifetime / 4)

    def _acquire(self) -> None:
        creds = self._credentials
        if isinstance(creds, ClientCredentials):
            form = {"grant_type": "client_credentials", "client_id": creds.client_id,
                    "client_secret": creds.client_secret.reveal()}
            resp = self._send("POST", self._oauth_path, data=form, idempotent=True, auth=None)
            if resp.status_code == 404 and self._oauth_path == "/api/v1/oauth/token":
                # Servers before the versioned endpoint (jamf-api-facts §1): fall back once and remember.
                self._oauth_path = "/api/oauth/token"
                resp = self._send("POST", self._oauth_path, data=form, idempotent=True, auth=None)
            if resp.status_code in (400, 401, 403):
                raise AuthError(f"the tenant rejected the API client credentials for client id {creds.client_id!r} "
                                f"({self._describe(resp)}); check the client id/secret and that the client is enabled",
                                tenant=self.tenant, method="POST", path=self._oauth_path, status=resp.status_code)
            body = self._json_or_error("POST", self._oauth_path, resp)
            token = body.get("access_token") if isinstance(body, dict) else None
            if not token:
                raise AuthError("token response had no access_token", tenant=self.tenant, method="POST",
                                path=self._oauth_path, status=resp.status_code)
            self._set_token(token, float(body.get("expires_in") or 60))
        else:
            basic = base64.b64encode(f"{creds.username}:{creds.password.reveal()}".encode()).decode()
            self.register_secret(basic)
            path = "/api/v1/auth/token"
            resp = self._send("POST", path, idempotent=True, auth=f"Basic {basic}")
            if resp.status_code in (400, 401, 403):
                raise AuthError(f"the tenant rejected the password of account {creds.username!r} "
                                f"({self._describe(resp)})", tenant=self.tenant, method="POST", path=path,
                                status=resp.status_code)
            body = self._json_or_error("POST", path, resp)
            token = body.get("token") if isinstance(body, dict) else None
            if not token:
                raise AuthError("token response had no token", tenant=self.tenant, method="POST", path=path,
                                status=resp.status_code)
            self._set_token(token, self._lifetime(body.get("expires"), resp))

    def _lifetime(self, expires: Any, resp: requests.Response) -> float:
        # User tokens carry an absolute ISO-8601 expiry (jamf-api-facts §1).  Measure it against
        # the server's Date header, not our clock, so clock skew cannot make it look expired.
        try:
            expiry = datetime.fromisoformat(str(expires).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 60.0
        server_now = None
        if resp.headers.get("Date"):
            try:
                server_now = email.utils.parsedate_to_datetime(resp.headers["Date"]).timestamp()
            except (TypeError, ValueError):
                server_now = None
        return expiry - (server_now if server_now is not None else self.options.now())

    # --- requests ---------------------------------------------------------------------------
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

    def _send(self, method: str, path: str, *, data: bytes | dict[str, str] | None = None,
              params: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
              idempotent: bool, auth: Secret | str | None) -> requests.Response:
        """One logical exchange with the transport-level retry policy (no auth logic)."""
        url = self.base_url + path
        hdrs = dict(headers or {})
        if isinstance(auth, Secret):
            hdrs["Authorization"] = f"Bearer {auth.reveal()}"
        elif isinstance(auth, str):
            hdrs["Authorization"] = auth
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                with self._slots:
                    started = time.monotonic()  # the exchange's own time, not the wait for a slot
                    resp = self.session.request(method, url, data=data, params=params, headers=hdrs,
                                                timeout=self.options.timeout, allow_redirects=False,
                                                verify=self._verify)
            except requests.exceptions.SSLError:
                self._record(method, path, None, started)
                raise UnreachableError("TLS handshake failed (certificate not trusted? pass --ca-file)",
                                       tenant=self.tenant, method=method, path=path) from None
            except requests.exceptions.RequestException as exc:
                self._record(method, path, None, started)
                sent = not _never_sent(exc)
                what = _transport_reason(exc)
                if _unknown_host(exc):  # waiting will not make a name resolve: fail at once
                    raise UnreachableError(f"unknown host {urlsplit(self.base_url).hostname!r} (DNS lookup failed)",
                                           tenant=self.tenant, method=method, path=path) from None
                if sent and not idempotent:
                    raise AmbiguousWriteError(f"{what}; the write may have been applied and is not resent",
                                              tenant=self.tenant, method=method, path=path) from None
                if attempt >= self.options.max_attempts:
                    cls = UnreachableError if not sent else ServerError
                    raise cls(f"{what} (gave up after {attempt} attempts)", tenant=self.tenant, method=method,
                              path=path) from None
                self._backoff(attempt, method, path, what)
                continue
            self._record(method, path, resp.status_code, started)
            status = resp.status_code
            if status == 429 and attempt < self.options.max_attempts:
                wait = _retry_after(resp, self.options.now())
                if wait is not None and wait > self.options.retry_after_cap:
                    raise ServerError(f"rate limited; server asks to wait {wait:.0f} s", tenant=self.tenant,
                                      method=method, path=path, status=429)
                self._drain(resp)
                if wait is None:
                    self._backoff(attempt, method, path, "HTTP 429")
                else:
                    log.debug("%s %s: HTTP 429, waiting %.1f s (Retry-After)", method, path, wait)
                    self.options.sleep(wait)
                continue
            if not idempotent and status in AMBIGUOUS_POST:
                raise AmbiguousWriteError(f"HTTP {status}; the write may have been applied "
                                          "and is not resent", tenant=self.tenant, method=method, path=path,
                                          status=status)
            retryable = RETRY_IDEMPOTENT if idempotent else RETRY_POST
            if status in retryable and attempt < self.options.max_attempts:
                self._drain(resp)
                self._backoff(attempt, method, path, f"HTTP {status}")
                continue
            return resp

    @staticmethod
    def _drain(resp: requests.Response) -> None:
        # Closing a response we discard returns its connection to the pool; failure is harmless.
        with contextlib.suppress(Exception):
            resp.close()

    def _record(self, method: str, path: str, status: int | None, started: float) -> None:
        seconds = time.monotonic() - started
        self.stats.add(Exchange(method, path, status, seconds))
        log.debug("%s: %s %s -> %s (%.3f s)", self.tenant, method, path, status if status else "no answer", seconds)

    def _backoff(self, attempt: int, method: str, path: str, why: str) -> None:
        delay = min(self.options.backoff_cap, self.options.backoff_base * 2 ** (attempt - 1))
        delay = delay / 2 + self._rng.uniform(0, delay / 2)  # "equal jitter": never zero, never in lockstep
        log.debug("%s: %s %s: %s, retrying in %.2f s", self.tenant, method, path, why, delay)
        self.options.sleep(delay)

    # --- responses --------------------------------------------------------------------------
    def _describe(self, resp: requests.Response) -> str:
        """What the server said, on one line, scrubbed of secrets and cut to a sane length."""
        text = ""
        ctype = resp.headers.get("Content-Type", "")
        try:
            raw = resp.text or ""
        except Exception:
            raw = ""
        if "json" in ctype:
            try:
                body = resp.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("errors"), list):  # ApiError (§11)
                parts = []
                for err in body["errors"]:
                    if isinstance(err, dict):
                        code = err.get("code") or ""
                        desc = err.get("description") or ""
                        fld = f" [{err['field']}]" if err.get("field") else ""
                        parts.append(f"{code}: {desc}{fld}" if code else f"{desc}{fld}")
                text = "; ".join(parts)
            elif isinstance(body, dict) and "error" in body:  # OAuth (RFC 6749) error
                text = f"{body.get('error')}: {body.get('error_description') or ''}".strip(": ")
        if not text:
            match = _CLASSIC_ERROR.search(raw)  # Classic HTML status page (jamf-api-facts §6 quirk 6)
            text = match.group(1) if match else _TAGS.sub(" ", raw)
        # Scrub before collapsing whitespace and cutting: a cut through a secret would leave its head.
        text = " ".join(self.scrub(text).split())[:300] or resp.reason or "no details"
        return self.scrub(text)

    def _json_or_error(self, method: str, path: str, resp: requests.Response) -> Any:
        if not 200 <= resp.status_code < 300:
            raise self._error(method, path, resp)
        try:
            return resp.json()
        except ValueError:
            raise ServerError("expected a JSON body", tenant=self.tenant, method=method, path=path,
                              status=resp.status_code) from None

    def _error(self, method: str, path: str, resp: requests.Response) -> JamfError:
        status = resp.status_code
        detail = self._describe(resp)
        kw: dict[str, Any] = {"tenant": self.tenant, "method": method, "path": path, "status": status}
        if status == 401:
            return AuthError(f"not authorised even after re-authenticating: {detail}", **kw)
        if status == 403:
            needed = _catalogued_privileges(method, path)
            need = f"; the uploader role needs {', '.join(repr(p) for p in needed)} for this endpoint" if needed else ""
            return PrivilegeError(f"forbidden: the uploader's role or account lacks a privilege ({detail}){need}",
                                  needed=needed, **kw)
        if status == 404:
            return NotFoundError(detail, **kw)
        if status == 409:
            return ConflictError(detail, **kw)
        if status in (400, 422):
            return BadRequestError(detail, **kw)
        if status == 429 or status >= 500:
            return ServerError(f"{detail} (gave up after {self.options.max_attempts} attempts)", **kw)
        return JamfError(detail, **kw)

    # --- conveniences -----------------------------------------------------------------------
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


def rsql_quote(value: str) -> str:
    """A double-quoted RSQL value (backslash escapes quote and backslash)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _never_sent(exc: requests.exceptions.RequestException) -> bool:
    """True when the request certainly never reached the server (safe to resend even a POST)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)
    return False


def _unknown_host(exc: requests.exceptions.RequestException) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NameResolutionError)


def _transport_reason(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer before the timeout"
    if _never_sent(exc):
        return "cannot connect (refused or unknown host)"
    return "connection dropped before an answer arrived"


def _retry_after(resp: requests.Response, now: float) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - now)


def _catalogued_privileges(method: str, path: str) -> tuple[str, ...]:
    """The privileges the uploader catalogue says this endpoint needs (for 403 messages)."""
    from .. import catalogue

    try:
        op = catalogue.operation_for(method, path)
    except Exception:  # the catalogue cannot help; the server's own message still stands
        return ()
    return op.privileges if op else ()


def classic_path(kind: str, *parts: str | int) -> str:
    """``/JSSResource/<kind>/...`` with each part URL-quoted (names may hold spaces and slashes)."""
    return "/JSSResource/" + "/".join([kind, *(quote(str(p), safe="") for p in parts)])
