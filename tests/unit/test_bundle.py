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
