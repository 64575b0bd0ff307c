"""Credential references that meet admins where their secrets are: ``keyring:``/``keychain:`` and URL services.

A real keyring (the ``keyring`` package) with an in-memory backend installed by ``keyring.set_keyring``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.bundle import CREDENTIAL_REF, BundleError, load_bundle, parse_bundle
from generator.jamf.client import ClientCredentials, CredentialError, resolve_ref, tenant_credentials

keyring = pytest.importorskip("keyring", reason="keyring comes with the keyring extra")
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import KeyringLocked, PasswordDeleteError  # noqa: E402

CANARY = "kr-canary-7f3e1d"
CLIENT_ID = "5b1e7c0a-6f0d-4a57-9a0e-2d6f3c1b9e42"
MINIMAL = '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n'


class MemoryKeyring(KeyringBackend):
    """A keyring backend holding ``(service, account) -> password`` in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.lookups: list[tuple[str, str]] = []
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked(f"locked while reading {service}")
        self.lookups.append((service, username))
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_jamf_pro_sdk_layout_reads_with_the_service_url(memory_keyring: MemoryKeyring) -> None:
    # What jamf-pro-sdk's load_from_keychain reads: service "https://" + server, account the client id.
    keyring.set_password("https://acme.jamfcloud.com", CLIENT_ID, CANARY)
    assert resolve_ref(f"keychain:https://acme.jamfcloud.com/{CLIENT_ID}") == CANARY
    assert resolve_ref(f"keyring:https://acme.jamfcloud.com/{CLIENT_ID}") == CANARY
    assert memory_keyring.lookups == [("https://acme.jamfcloud.com", CLIENT_ID)] * 2


@pytest.mark.parametrize(("ref", "service", "account"), [
    ("keyring:jamf-enforcer/prod", "jamf-enforcer", "prod"),
    ("keychain:jamf-enforcer/prod", "jamf-enforcer", "prod"),
    ("keyring:https://jss.example.com:8443/uploader", "https://jss.example.com:8443", "uploader"),
    ("keyring:https://example.com/jamf/uploader", "https://example.com/jamf", "uploader"),  # a server under a path
    ("keyring:com.example/jamf/prod", "com.example/jamf", "prod"),  # the account is after the LAST /
])
def test_the_account_follows_the_last_slash(memory_keyring: MemoryKeyring, ref: str, service: str, account: str) -> None:
    memory_keyring.set_password(service, account, CANARY)
    assert resolve_ref(ref) == CANARY
    assert memory_keyring.lookups == [(service, account)]
    assert CREDENTIAL_REF.fullmatch(ref)


@pytest.mark.parametrize("ref", [
    "keyring:https://acme.jamfcloud.com",  # no account: "https:/" + "acme..." would be a wrong split
    "keychain:https://acme.jamfcloud.com/",
    "keyring:svc/",
    "keyring:/account",
    "keyring:svc//account",
    "keyring:noslash",
    "keychain:",
])
def test_a_reference_without_service_or_account_is_refused_before_any_lookup(memory_keyring: MemoryKeyring, ref: str) -> None:
    assert CREDENTIAL_REF.fullmatch(ref) is None
    with pytest.raises(CredentialError, match=r"SERVICE/ACCOUNT \(ACCOUNT follows the last /\)"):
        resolve_ref(ref, what="tenants.prod.client_secret")
    assert memory_keyring.lookups == []
    message = _bundle_error(f"client_id = 'env:ID'\nclient_secret = '{ref}'\n")
    assert "tenants.prod.client_secret: expected a credential reference" in message and "keychain:" in message


@pytest.mark.parametrize("value", ["env:JAMF_ID\nextra", "keyring:a/b\n", " env:JAMF_ID", "env:JAMF-ID", "secret-keyring:a/b"])
def test_the_bundle_pattern_matches_whole_values(value: str) -> None:
    assert CREDENTIAL_REF.fullmatch(value) is None


def test_missing_entry_and_locked_keyring_name_service_and_account_but_no_secret(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(CredentialError, match=r"no keyring entry for service 'https://acme\.jamfcloud\.com', account 'id-1'"):
        resolve_ref("keychain:https://acme.jamfcloud.com/id-1")
    memory_keyring.set_password("https://acme.jamfcloud.com", "id-1", CANARY)
    memory_keyring.locked = True
    with pytest.raises(CredentialError) as caught:
        resolve_ref("keychain:https://acme.jamfcloud.com/id-1", what="tenants.prod.client_secret")
    assert str(caught.value) == ("tenants.prod.client_secret: keyring lookup of service 'https://acme.jamfcloud.com', "
                                 "account 'id-1' failed: KeyringLocked")
    assert CANARY not in str(caught.value)


def test_a_bundle_tenant_reads_its_secret_from_the_sdk_layout(memory_keyring: MemoryKeyring, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_password("https://acme.jamfcloud.com", CLIENT_ID, CANARY)
    monkeypatch.setenv("JAMF_CLIENT_ID", CLIENT_ID)
    bundle = tmp_path / "bundle.toml"
    bundle.write_text(MINIMAL + "[tenants.prod]\nurl = 'https://acme.jamfcloud.com'\nclient_id = 'env:JAMF_CLIENT_ID'\n"
                      f"client_secret = 'keychain:https://acme.jamfcloud.com/{CLIENT_ID}'\n", encoding="utf-8")
    creds = tenant_credentials(load_bundle(bundle).tenant("prod"), base_dir=tmp_path)
    assert isinstance(creds, ClientCredentials)
    assert creds.client_id == CLIENT_ID and creds.client_secret.reveal() == CANARY
    assert CANARY not in repr(creds)


def _bundle_error(tenant_lines: str) -> str:
    with pytest.raises(BundleError) as caught:
        parse_bundle(MINIMAL + "[tenants.prod]\nurl = 'https://x'\n" + tenant_lines, "b.toml")
    return str(caught.value)
