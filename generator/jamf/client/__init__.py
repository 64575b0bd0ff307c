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

Why not jamf-pro-sdk (macadmins/jamf-pro-sdk-python) at run time?  Checked against jamf-pro-sdk
**0.9a1** (the wheel on PyPI; paths are inside its ``jamf_pro_sdk`` package) with requests 2.x and
urllib3 2.x; tests/interop shows each point on the real SDK against the simulator:

* **It logs whole response bodies at ERROR.**  ``clients/__init__.py``: ``classic_api_request``
  and ``pro_api_request`` call ``logger.error(resp.text)`` on every HTTP error before raising,
  and a body can carry anything the server sent.
* **It logs the OAuth token response at DEBUG.**  ``clients/auth.py``,
  ``ApiClientCredentialsProvider._request_access_token``: ``logger.debug(resp.content)``, the
  raw body with ``access_token``.
* **Retries are urllib3's, off by default, and never for a POST.**  ``clients/__init__.py``
  ``_setup_session`` mounts ``HTTPAdapter(max_retries=session_config.max_retries)``;
  ``models/client.py`` ``SessionConfig.max_retries`` defaults to ``0``.  With ``max_retries`` above
  0, urllib3's ``Retry`` does honour ``Retry-After``, but only on 413/429/503 and only for its
  idempotent methods (``DEFAULT_ALLOWED_METHODS``: no POST, no PATCH), so a 429 on a POST (plan
  creation) is never retried, and nothing tells a POST that was refused (429, 503) from one
  that may have been applied (timeout, dropped connection, 500/502/504).  No 401 re-acquires a
  token either: the SDK trusts its own ``expires_in`` clock.
* **No request timeout by default.**  ``models/client.py``: ``SessionConfig.timeout`` is ``None``
  ("defaults to no timeout set"); only the token requests in ``clients/auth.py`` pass ``timeout=15``.
* **Failed pages of a concurrent read are not raised.**  ``clients/__init__.py``
  ``concurrent_api_requests`` catches every exception, logs it at WARNING and, with
  ``return_exceptions`` (default ``True``), yields the exception object in place of a result, or
  with ``False`` yields nothing for it.  ``clients/pro_api/pagination.py`` ``Paginator._request``
  passes those through, so a page generator silently yields exceptions or drops pages (150 of
  250 computers, no error); the list form sorts them by ``.page`` and fails with an
  ``AttributeError``.  A plan or ``--prune`` that took a short list for the whole would act on
  missing objects.
* **Its concurrency limit lives inside one call.**  ``max_concurrency`` (default 5) sizes the
  thread pool of a single ``concurrent_api_requests`` call and the connection pool, which does
  not block; it is no per-tenant limit on requests in flight.
* **It brings pydantic** (``Requires-Dist: pydantic<3,>=2``, plus dicttoxml and defusedxml) for
  models this tool does not use.

Where it helps is as a second client nobody on this project wrote: tests/interop drives the
simulator with it (``test`` extra, pinned exactly since it is alpha).  Its quirks seen there:
``SessionConfig.ca_cert_bundle`` is ignored when ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` is set
(requests' environment overrides ``Session.verify``), and ``JamfProClient`` takes a host and port,
so a server under a path (the simulator's ``/t/n`` tenants) is out of its reach.

Layout: ``jamf_client`` (``JamfClient``: session, secrets, request API) with its mixins ``auth``
(tokens), ``transport`` (retry policy) and ``responses`` (errors from answers); ``secret``
(``Secret`` and the credential types), ``credentials`` (bundle references → credentials),
``errors``, ``options`` (``ClientOptions``, ``RequestStats``) and ``paths`` (Classic paths, RSQL).
This package re-exports all of their public names.
"""

from __future__ import annotations

from .credentials import resolve_ref, tenant_credentials
from .errors import (
    AmbiguousWriteError,
    AuthError,
    BadRequestError,
    ConflictError,
    CredentialError,
    JamfError,
    NotFoundError,
    PrivilegeError,
    ServerError,
    UnreachableError,
)
from .jamf_client import PAGE_SIZE, USER_AGENT, JamfClient
from .options import ClientOptions, Exchange, RequestStats
from .paths import classic_path, rsql_quote
from .secret import AccountCredentials, ClientCredentials, Credentials, Secret
from .transport import AMBIGUOUS_POST, RETRY_IDEMPOTENT, RETRY_POST

__all__ = [
    "AMBIGUOUS_POST", "PAGE_SIZE", "RETRY_IDEMPOTENT", "RETRY_POST", "USER_AGENT", "AccountCredentials",
    "AmbiguousWriteError", "AuthError", "BadRequestError", "ClientCredentials", "ClientOptions", "ConflictError",
    "CredentialError", "Credentials", "Exchange", "JamfClient", "JamfError", "NotFoundError", "PrivilegeError",
    "RequestStats", "Secret", "ServerError", "UnreachableError", "classic_path", "resolve_ref", "rsql_quote",
    "tenant_credentials",
]
