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
