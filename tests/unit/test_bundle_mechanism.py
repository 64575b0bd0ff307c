"""bundle.toml keys of the update mechanism: agent.update_mechanism, agent.ddm_lead_minutes and their checks."""

from __future__ import annotations

import pytest

from generator.bundle import BundleError, parse_bundle

BASE = '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n[agent]\n'


def error_of(agent: str) -> str:
    with pytest.raises(BundleError) as info:
        parse_bundle(BASE + agent, "b.toml")
    message = str(info.value)
    assert "\n" not in message and message.startswith("b.toml: ")
    return message


def test_defaults():
    spec = parse_bundle(BASE, "b.toml")
    assert (spec.agent["update_mechanism"], spec.agent["ddm_lead_minutes"]) == ("auto", 60)


def test_ddm_with_the_legacy_workflow_is_an_error():
    message = error_of('update_mechanism = "ddm"\nmsu_workflow = "legacy"\n')
    assert "agent.update_mechanism" in message and "msu_workflow is legacy" in message
    assert parse_bundle(BASE + 'update_mechanism = "mdm-command"\nmsu_workflow = "legacy"\n', "b.toml")


def test_update_action_refuses_the_ddm_action_and_names_the_mechanism_key():
    message = error_of('update_action = "DOWNLOAD_INSTALL_SCHEDULE"\n')
    assert "agent.update_action" in message and "agent.update_mechanism" in message


@pytest.mark.parametrize("mechanism", ["auto", "ddm"])
def test_a_bundle_that_can_use_ddm_needs_a_deadline(mechanism: str):
    message = error_of(f'update_mechanism = "{mechanism}"\nsoft_deadline_days = 0\nhard_deadline_days = 0\n')
    assert "agent.hard_deadline_days" in message and "agent.soft_deadline_days" in message


@pytest.mark.parametrize("agent", [
    'update_mechanism = "mdm-command"\nsoft_deadline_days = 0\nhard_deadline_days = 0\n',
    'msu_workflow = "legacy"\nsoft_deadline_days = 0\nhard_deadline_days = 0\n',
    'soft_deadline_days = 0\nhard_deadline_days = 0\nhard_deadline_date = 2026-06-01\n',
])
def test_no_deadline_is_fine_where_ddm_cannot_be_used_or_a_date_is_set(agent: str):
    assert parse_bundle(BASE + agent, "b.toml")


@pytest.mark.parametrize(("agent", "key"), [
    ('update_mechanism = "declarative"\n', "agent.update_mechanism"),
    ("ddm_lead_minutes = 1\n", "agent.ddm_lead_minutes"),
])
def test_bad_values_are_named(agent: str, key: str):
    assert key in error_of(agent)
