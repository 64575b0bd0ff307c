"""The endpoint catalogue: derived privileges equal the seed's lists where they should, and every
difference is explained by an endpoint."""

from __future__ import annotations

import pytest

from generator import catalogue
from generator.specindex import build_index, load_index, valid_privileges


def test_new_workflow_role_equals_the_seed_six_exactly():
    assert catalogue.role_privileges("new") == sorted(catalogue.SEED_ROLE_PRIVILEGES["new"])
    assert len(catalogue.role_privileges("new")) == 6


def test_auto_workflow_adds_nothing_to_the_seed_new_set():
    assert catalogue.role_privileges("auto") == sorted(catalogue.SEED_ROLE_PRIVILEGES["new"])


def test_new_workflow_account_equals_the_seed_account_list():
    assert catalogue.account_privileges("new") == sorted(catalogue.SEED_ACCOUNT_PRIVILEGES["new"])


def test_account_form_says_macos_update_where_role_says_os_x():
    name = "Send Computer Remote Command to Download and Install OS X Update"
    assert catalogue.account_form(name) == (
        "Jamf Pro Server Actions > Send Computer Remote Command to Download and Install macOS Update")
    assert catalogue.account_form("Read Computers") == "Jamf Pro Server Objects > Computers > Read"
    with pytest.raises(KeyError):
        catalogue.account_form("Flush MDM Commands")


@pytest.mark.parametrize("method", ["jamf-client", "jamf-account"])
def test_legacy_differences_are_listed_with_reasons(method):
    diffs = catalogue.seed_differences("legacy", method)
    added = [d for d in diffs if d["change"] == "added"]
    dropped = [d for d in diffs if d["change"] == "dropped"]
    assert len(added) == 1 and "computers-inventory" in added[0]["reason"]
    assert len(dropped) == 4
    # Every added privilege is needed by a catalogued endpoint; no dropped one is.
    eps = catalogue.agent_endpoints("legacy", method)
    needed = {p for ep in eps for p in ep.privileges}
    for d in dropped:
        raw = d["privilege"]
        assert raw not in needed
        assert all(catalogue.account_form(p) != raw for p in needed)


def test_differences_are_empty_for_new_and_auto():
    for workflow in ("new", "auto"):
        for method in ("jamf-client", "jamf-account"):
            assert catalogue.seed_differences(workflow, method) == []


def test_every_privilege_exists_in_jamf_11_12():
    names = set(catalogue.uploader_privileges())
    for workflow in ("new", "legacy", "auto"):
        names |= set(catalogue.role_privileges(workflow))
    assert catalogue.unknown_privileges(sorted(names)) == []
    assert len(valid_privileges()) == 501


def test_agent_privileges_come_from_x_required_privileges():
    index = load_index()["pro"]
    for ep in catalogue.all_agent_endpoints():
        key = f"{ep.method} {ep.path}"
        if key in index:
            assert list(ep.privileges) == index[key]["privileges"]
            assert "x-required-privileges" in ep.source
        else:
            assert (ep.method, ep.path) in catalogue.HAND_KEPT


def test_every_hand_kept_entry_cites_a_source():
    for ep in catalogue.uploader_endpoints():
        assert ep.source
    for _key, (_privileges, source) in catalogue.HAND_KEPT.items():
        assert "jamf-api-facts" in source or "spec" in source


def test_committed_index_equals_a_fresh_derivation_from_the_vendored_specs():
    assert build_index() == load_index()


def test_operation_for_prefers_literal_segments():
    op = catalogue.operation_for("GET", "/api/v1/managed-software-updates/plans/feature-toggle")
    assert op is not None and op.privileges == ("Read Managed Software Updates",)
    op = catalogue.operation_for("GET", "/api/v1/managed-software-updates/plans/1234-abcd")
    assert op is not None and "Read Computers" in op.privileges
    assert catalogue.operation_for("POST", "/JSSResource/policies/id/0").privileges == ("Create Policies",)
    assert catalogue.operation_for("GET", "/api/v9/nothing") is None
