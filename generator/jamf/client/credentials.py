"""Bundle credential references (``env:``, ``file:``, ``keyring:``/``keychain:``) resolved into the uploader's credentials.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...bundle import CREDENTIAL_REF_FORMS, KEYRING_REF, Tenant
from .errors import CredentialError
from .secret import AccountCredentials, ClientCredentials, Credentials, Secret


def resolve_ref(ref: str, *, base_dir: str | Path | None = None, what: str = "credential") -> str:
    """Resolve a bundle credential reference: ``env:VAR``, ``file:PATH`` or ``keyring:SERVICE/ACCOUNT``.

    ``file:`` strips exactly one trailing newline (``echo secret > file`` adds one; a secret
    may legitimately end in other whitespace).  A relative ``file:`` path is relative to the
    bundle's folder.  ``keyring:`` needs the optional ``keyring`` package
    (``pip install 'jamf-enforcer[keyring]'``); ``keychain:`` is the same (jamf-cli's spelling;
    on a Mac keyring reads the login keychain).  ACCOUNT is what follows the *last* ``/``, so
    the layout of jamf-pro-sdk's ``load_from_keychain`` (service ``https://host``, account the
    client id or user name) reads as ``keychain:https://acme.jamfcloud.com/CLIENT_ID``; an
    account containing ``/`` cannot be named.
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
    if kind in ("keyring", "keychain"):
        parts = KEYRING_REF.fullmatch(ref)
        if parts is None:
            raise CredentialError(f"{what}: {ref!r} is not {kind}:SERVICE/ACCOUNT (ACCOUNT follows the last /)")
        service, account = parts["service"], parts["account"]
        try:
            import keyring  # optional dependency
        except ImportError:
            raise CredentialError(f"{what}: {ref!r} needs the optional keyring package: "
                                  "pip install 'jamf-enforcer[keyring]'") from None
        try:
            value = keyring.get_password(service, account)
        except Exception as exc:  # keyring backends raise their own types
            raise CredentialError(f"{what}: keyring lookup of service {service!r}, account {account!r} failed: "
                                  f"{type(exc).__name__}") from None
        if not value:
            raise CredentialError(f"{what}: no keyring entry for service {service!r}, account {account!r}")
        return value
    raise CredentialError(f"{what}: {ref!r} is not a credential reference ({CREDENTIAL_REF_FORMS})")


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
