"""The transport-level retry policy: one logical exchange with bounded retries, backoff and jitter.

429 is retried for every method (honouring ``Retry-After``); 500/502/503/504 and dropped
connections only for reads and idempotent writes.  A POST that may have been applied is never
resent: ``AmbiguousWriteError`` (see the package docstring).  No auth logic lives here.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from .errors import AmbiguousWriteError, ServerError, UnreachableError
from .options import ClientOptions, Exchange, RequestStats
from .secret import Secret

log = logging.getLogger(__name__)

RETRY_IDEMPOTENT = frozenset({500, 502, 503, 504})
# A POST answered 503 was refused before it reached the web app, so it is retried.  502/504 come
# from the load balancer and say nothing about whether the web app applied the write, and a 500
# may come after a commit: those are never resent (the caller re-reads by name).
RETRY_POST = frozenset({503})
AMBIGUOUS_POST = frozenset({500, 502, 504})


class Transport:
    """Mixin of ``JamfClient``: sends one exchange with the retry policy and records it."""

    base_url: str
    tenant: str
    options: ClientOptions
    session: requests.Session
    stats: RequestStats
    _rng: random.Random
    _slots: threading.BoundedSemaphore
    _verify: str | bool

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
                self._no_answer(exc, method, path, attempt, idempotent)
                continue
            self._record(method, path, resp.status_code, started)
            if self._retry_status(resp, method, path, attempt, idempotent):
                continue
            return resp

    def _no_answer(self, exc: requests.exceptions.RequestException, method: str, path: str, attempt: int,
                   idempotent: bool) -> None:
        """No answer arrived: raise, or back off before the caller's next attempt."""
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

    def _retry_status(self, resp: requests.Response, method: str, path: str, attempt: int, idempotent: bool) -> bool:
        """True after waiting when this answer's status is retried; raises when a POST may have been applied."""
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
            return True
        if not idempotent and status in AMBIGUOUS_POST:
            raise AmbiguousWriteError(f"HTTP {status}; the write may have been applied "
                                      "and is not resent", tenant=self.tenant, method=method, path=path,
                                      status=status)
        retryable = RETRY_IDEMPOTENT if idempotent else RETRY_POST
        if status in retryable and attempt < self.options.max_attempts:
            self._drain(resp)
            self._backoff(attempt, method, path, f"HTTP {status}")
            return True
        return False

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

