"""Getting and keeping the bearer token: OAuth client credentials (``/api/v1/oauth/token``, falling back to
``/api/oauth/token`` on a 404) or a user account's basic auth (``/api/v1/auth/token``), cached, refreshed
early, and a refused credential remembered so parallel requests never storm the token endpoint.
"""

from __future__ import annotations

import base64
import email.utils
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from .errors import AuthError, JamfError
from .options import ClientOptions
from .secret import AccountCredentials, ClientCredentials, Credentials, Secret


class TokenAuth:
    """Mixin of ``JamfClient``: the token life cycle (the transport and error mapping come from the others)."""

    tenant: str
    options: ClientOptions
    _credentials: Credentials
    _token_lock: threading.Lock
    _bearer: Secret | None
    _expires_at: float
    _refresh_margin: float
    _auth_failure: JamfError | None
    _oauth_path: str

    if TYPE_CHECKING:  # provided by JamfClient and its other mixins
        def register_secret(self, value: Secret | str) -> None:
            ...

        def _send(self, method: str, path: str, **kw: Any) -> requests.Response:
            ...

        def _describe(self, resp: requests.Response) -> str:
            ...

        def _json_or_error(self, method: str, path: str, resp: requests.Response) -> Any:
            ...

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
            self._acquire_oauth(creds)
        else:
            self._acquire_user(creds)

    def _acquire_oauth(self, creds: ClientCredentials) -> None:
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

    def _acquire_user(self, creds: AccountCredentials) -> None:
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
