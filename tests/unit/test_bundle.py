"""bundle.toml parsing: every kind of bad input gives one line naming file, key and expectation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.bundle import BundleError, load_bundle, parse_bundle, reference_markdown

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle.toml"
MINIMAL = '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n'


def parse(extra: str = "", base: str = MINIMAL):
    return parse_bundle(base + extra, "b.toml")


def error_of(text: str) -> str:
    with pytest.raises(BundleError) as info:
        parse_bundle(text, "b.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("b.toml:")
    return message


def test_example_bundle_parses_and_derives_identities():
    spec = load_bundle(EXAMPLE)
    assert spec.domain == "com.example.enforcer"
    assert spec.status_plist == "/Library/Management/com.example.enforcer/status.plist"
    assert spec.managed_plist == "/Library/Managed Preferences/com.example.enforcer.plist"
    assert spec.keychain_service == "com.example.enforcer"
    assert spec.tenant("production").client_secret == "env:JAMF_CLIENT_SECRET"


def test_defaults_are_filled_in():
    spec = parse()
    assert spec.agent["msu_workflow"] == "auto"
    assert spec.profile["computer_id_from_jssid"] is True
    assert spec.agent["mdm_failover_to_user"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[bundle]\nname = "X"\nversion = \n', r"TOML syntax error: .*line 3"),
        (MINIMAL + "[agent]\nmsu_workflw = 'new'\n", r"agent\.msu_workflw: unknown key \(did you mean 'msu_workflow'\?\)"),
        (MINIMAL + "[agnet]\n", r"agnet: unknown section \(did you mean 'agent'\?\)"),
        (MINIMAL + "[agent]\nsoft_deadline_days = 'seven'\n", r"agent\.soft_deadline_days: expected an integer"),
        (MINIMAL + "[agent]\ncredential_failover_to_user = 1\n", r"agent\.credential_failover_to_user: expected true or false"),
        ('[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "Example"\n', r"bundle\.identifier: expected a lower-case reverse-DNS"),
        ('[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com..x"\n', r"bundle\.identifier"),
        (MINIMAL + "[profile]\ncustom_url = 'http://jamf.example.com'\n", r"profile\.custom_url: expected an https:// URL"),
        (MINIMAL + "[agent]\nmdm_failover_to_user = ['ALWAYS', 'SOMETIMES']\n", r"agent\.mdm_failover_to_user: expected failover types from ALWAYS"),
        (MINIMAL + "[agent]\nmdm_failover_to_user = ['SOFT', 'SOFT']\n", r"each failover type once"),
        (MINIMAL + "[agent]\nmsu_workflow = 'newest'\n", r"agent\.msu_workflow: expected one of auto, new, legacy"),
        (MINIMAL + "[agent]\nsoft_deadline_days = 20\nhard_deadline_days = 10\n", r"soft_deadline_days: expected at most"),
        (MINIMAL + "[agent]\nsoft_deadline_date = '2026-13-01'\n", r"agent\.soft_deadline_date: expected a date"),
        (MINIMAL + "[agent]\nextra_options = ['verbose']\n", r"agent\.extra_options: expected options of the form"),
        ('[bundle]\nname = "X"\nversion = "1.0"\n', r"bundle\.identifier: required key is missing"),
        ("[agent]\n", r"\[bundle\]: required section is missing"),
        (MINIMAL + "[tenants.prod]\nurl = 'http://x'\n", r"tenants\.prod\.url: expected an https:// URL"),
        (MINIMAL + "[tenants.prod]\nurl = 'https://x'\nclient_secret = 'hunter2'\n", r"tenants\.prod\.client_secret: expected a credential reference"),
        (MINIMAL + "[tenants.prod]\nurl = 'https://x'\nclient_id = 'env:A'\n", r"client_id and client_secret together"),
        (MINIMAL + "[tenants.prod]\nurl = 'https://x'\ntoken = 'env:A'\n", r"tenants\.prod\.token: unknown key"),
        (MINIMAL + "[jamf]\ncategory = ' Updates'\n", r"jamf\.category: expected a non-empty name"),
    ],
)
def test_bad_input_is_one_clear_line(text, expected):
    assert re.search(expected, error_of(text))


def test_literal_secret_is_never_echoed_back_in_error():
    # A literal secret in a credential slot must not be copied into logs via the error message
    # more than the admin already typed; the message names the key and what is expected.
    message = error_of(MINIMAL + "[tenants.prod]\nurl = 'https://x'\nclient_secret = 'hunter2'\n")
    assert "tenants.prod.client_secret" in message


def test_dates_accept_toml_dates_and_strings():
    spec = parse("[agent]\nsoft_deadline_date = 2026-12-01\nhard_deadline_date = '2026-12-24'\n")
    assert spec.agent["soft_deadline_date"] == "2026-12-01"
    assert spec.agent["hard_deadline_date"] == "2026-12-24"


def test_missing_file_and_directory_forms(tmp_path):
    with pytest.raises(BundleError, match=r"file not found"):
        load_bundle(tmp_path / "nope.toml")
    (tmp_path / "bundle.toml").write_text(MINIMAL)
    assert load_bundle(tmp_path).domain == "com.example.enforcer"


def test_unknown_tenant_names_known_ones():
    spec = load_bundle(EXAMPLE)
    with pytest.raises(BundleError, match=r"no tenant named 'staging'.*known: production"):
        spec.tenant("staging")


def test_readme_reference_is_in_sync():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert reference_markdown() in readme, "README's bundle.toml reference is stale: paste bundle.reference_markdown()"


def test_readme_status_reference_is_in_sync():
    from generator.status import reference_markdown as status_reference

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert status_reference() in readme, "README's status reference is stale: run python tools/update_readme.py"


def test_deadline_already_past_is_a_warning_with_an_injectable_clock():
    """Fails on main (no such check): a past fixed deadline warns; a future one does not."""
    from datetime import date

    from generator.bundle import deadline_warnings

    spec = parse("[agent]\nsoft_deadline_date = 2026-03-01\nhard_deadline_date = 2026-04-01\n")
    assert deadline_warnings(spec, date(2026, 1, 1)) == []
    warnings = deadline_warnings(spec, date(2026, 3, 15))
    assert len(warnings) == 1 and "agent.soft_deadline_date" in warnings[0] and "already past" in warnings[0]


@pytest.mark.parametrize("text", ["soft_deadline_date = 2026-01-01T00:00:00", "soft_deadline_date = 1999-12-31",
                                  "hard_deadline_date = '2101-01-01'", "soft_deadline_date = '2026-W01-1'"])
def test_date_times_and_years_outside_2000_2100_are_errors(text):
    """Fails on main: a TOML date-time was accepted and rendered as 2026-01-01T00:00:00."""
    assert "agent." in error_of(MINIMAL + "[agent]\n" + text + "\n")


SIM_TENANT = ("[tenants.sim]\nurl = 'env:T_URL'\nclient_id = 'env:T_ID'\nclient_secret = 'env:T_SECRET'\n"
              "ca_file = 'env:T_CA'\n")


def test_env_references_for_url_and_ca_file_resolve_from_the_environment(tmp_path, monkeypatch):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("T_URL", "https://127.0.0.1:8443")
    monkeypatch.setenv("T_CA", str(ca))
    tenant = parse(SIM_TENANT).tenant("sim")
    assert (tenant.url, tenant.ca_file) == ("env:T_URL", "env:T_CA")  # kept as references in the spec
    assert tenant.endpoint(tmp_path) == ("https://127.0.0.1:8443", str(ca))


def test_literal_ca_file_is_relative_to_the_bundle_folder_and_empty_means_none(tmp_path):
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "corp.pem").write_text("x")
    tenant = parse("[tenants.p]\nurl = 'https://jamf.example.com'\nca_file = 'certs/corp.pem'\n").tenant("p")
    assert tenant.endpoint(tmp_path) == ("https://jamf.example.com", str(tmp_path / "certs" / "corp.pem"))
    assert parse("[tenants.p]\nurl = 'https://jamf.example.com'\n").tenant("p").endpoint(tmp_path) == (
        "https://jamf.example.com", None)


@pytest.mark.parametrize(("env", "expected"), [
    ({"T_CA": "/x"}, r"^tenants\.sim\.url: environment variable T_URL is not set \(from 'env:T_URL'\)$"),
    ({"T_URL": "http://127.0.0.1:1"}, r"^tenants\.sim\.url: expected an https:// URL, got 'http://127\.0\.0\.1:1'"),
    ({"T_URL": "https://h"}, r"^tenants\.sim\.ca_file: environment variable T_CA is not set"),
    ({"T_URL": "https://h", "T_CA": "/nonexistent/ca.pem"}, r"^tenants\.sim\.ca_file: /nonexistent/ca\.pem is not a file$"),
])
def test_unresolvable_endpoint_is_one_line_naming_the_key(tmp_path, monkeypatch, env, expected):
    for name in ("T_URL", "T_CA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(BundleError, match=expected):
        parse(SIM_TENANT).tenant("sim").endpoint(tmp_path)


@pytest.mark.parametrize(("table", "expected"), [
    ("url = 'env:1BAD'\n", r"tenants\.p\.url: expected an https:// URL or env:VAR"),
    ("url = 'https://x'\nca_file = 'env:'\n", r"tenants\.p\.ca_file: expected a file path or env:VAR"),
    ("url = 'https://x'\nca_file = 3\n", r"tenants\.p\.ca_file: expected a string"),
])
def test_bad_url_or_ca_file_reference_is_refused_at_load(table, expected):
    assert re.search(expected, error_of(MINIMAL + "[tenants.p]\n" + table))
