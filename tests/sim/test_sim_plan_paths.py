"""A plan's path follows from the Mac's facts and the plan's mechanism (generator.sim.plan_rules),
a scheduled DDM plan completes only after its forced time, and the outcome switches still win."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from generator.sim import Clock
from generator.sim.assumptions import table_markdown
from generator.sim.plan_rules import PLAN_RULES, plan_paths_markdown
from tests.sim.simclient import admin

PLANS = "/api/v1/managed-software-updates/plans"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()


def _config(ddm: bool, forced: str = "2026-03-05T17:00:00") -> dict[str, str]:
    if ddm:
        return {"updateAction": "DOWNLOAD_INSTALL_SCHEDULE", "versionType": "LATEST_MINOR",
                "forceInstallLocalDateTime": forced}
    return {"updateAction": "DOWNLOAD_INSTALL_RESTART", "versionType": "LATEST_MINOR"}


@pytest.fixture
def fleet(jamf_sim_factory):
    sim = jamf_sim_factory(fleet=1, clock=Clock(start=START, frozen=True))
    tenant = sim.tenant(0)
    tenant.set_feature_toggle(True)
    tenant.set_toggle_capabilities(forceInstallLocalDateEnabled=True)
    return sim, tenant, admin(sim)


def _end_state(sim, api, device: str, config: dict[str, str], advance: float = 600) -> dict:
    created = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": device}], "config": config})
    assert created.status_code == 201, created.text
    plan_id = created.json()["plans"][0]["planId"]
    sim.clock.advance(advance)
    if advance < 1500:  # within the admin token's lifetime: read it through the API
        return api.get(f"{PLANS}/{plan_id}").json()["status"]
    return sim.tenant(0).plans[plan_id]["status"]


CASES = [  # (facts, ddm, expected end state, reason) -- one per PLAN_RULES row, in order
    ({"enrolled": False}, False, "PlanFailed", "NOT_MANAGED"),
    ({"supervised": False}, True, "PlanFailed", "NOT_SUPERVISED"),
    ({"os_version": "27.0", "os_build": "26A100"}, False, "PlanFailed", "MDM_EXCEPTION"),
    ({"os_version": "13.7.1", "os_build": "22H221"}, True, "PlanFailed",
     "DECLARATIVE_DEVICE_MANAGEMENT_SOFTWARE_UPDATES_NOT_SUPPORTED_FOR_DEVICE_OS_VERSION"),
    ({"bootstrap_escrowed": False}, False, "PlanFailed", "APPLE_SILICON_NO_ESCROW_KEY"),
    ({"bootstrap_escrowed": False}, True, "PlanFailed", "APPLE_SILICON_NO_ESCROW_KEY"),
    ({"free_disk_gb": 5}, True, "PlanFailed", "NO_DISK_SPACE"),
    ({"os_version": "13.7.1", "os_build": "22H221"}, False, "PlanCompleted", None),
    ({"os_version": "27.0", "os_build": "26A100"}, True, "DDMPlanScheduled", None),
]


@pytest.mark.parametrize(("facts", "ddm", "state", "reason"), CASES, ids=[r.condition + (" ddm" if c[1] else "")
                                                                         for r, c in zip(PLAN_RULES, CASES, strict=True)])
def test_each_rule_of_the_table(fleet, facts, ddm, state, reason):
    sim, tenant, api = fleet
    jamf_id = tenant.register_computer("C02RULE00001", "U-RULE", "M-RULE", **facts)
    status = _end_state(sim, api, jamf_id, _config(ddm))
    assert status == {"state": state, "errorReasons": [reason] if reason else []}


def test_intel_without_a_bootstrap_token_is_not_an_escrow_problem(fleet):
    sim, tenant, api = fleet
    jamf_id = tenant.register_computer("C02INTEL0001", "U-INTEL", "M-INTEL", arch="intel", bootstrap_escrowed=False)
    assert _end_state(sim, api, jamf_id, _config(False))["state"] == "PlanCompleted"


def test_a_scheduled_ddm_plan_completes_only_after_its_forced_time(fleet):
    sim, tenant, api = fleet
    jamf_id = tenant.register_computer("C02DDM000001", "U-DDM", "M-DDM", os_version="15.6.1", os_build="24G90")
    forced = datetime.fromtimestamp(START + 3 * 86400, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    created = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": jamf_id}],
                                    "config": _config(True, forced)}).json()
    plan_id = created["plans"][0]["planId"]
    sim.clock.advance(3 * 86400 - 1)
    assert tenant.plans[plan_id]["status"]["state"] == "DDMPlanScheduled"
    assert tenant.plan_in_progress(jamf_id, "COMPUTER")  # a second plan is refused meanwhile
    sim.clock.advance(1)
    assert tenant.plans[plan_id]["status"]["state"] == "WaitingToStartDDMUpdate"
    sim.clock.advance(60)
    assert tenant.plans[plan_id]["status"]["state"] == "PlanCompleted"


def test_a_ddm_plan_is_refused_where_the_toggle_does_not_offer_it(fleet):
    _, tenant, api = fleet
    tenant.set_toggle_capabilities(forceInstallLocalDateEnabled=False)
    refused = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": "1"}], "config": _config(True)})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "config.updateAction"
    bad_time = _config(True, "2026-03-05 17:00")
    tenant.set_toggle_capabilities(forceInstallLocalDateEnabled=True)
    refused = api.post(PLANS, json={"devices": [{"objectType": "COMPUTER", "deviceId": "1"}], "config": bad_time})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "config.forceInstallLocalDateTime"


def test_outcome_switches_still_win_over_the_facts(fleet):
    sim, tenant, api = fleet
    jamf_id = tenant.register_computer("C02SWCH00001", "U-SW", "M-SW", os_version="13.7.1", os_build="22H221")
    tenant.set_device_outcome(jamf_id, "fail", "NO_UPDATES_AVAILABLE")
    assert _end_state(sim, api, jamf_id, _config(False))["errorReasons"] == ["NO_UPDATES_AVAILABLE"]
    tenant.set_device_outcome(jamf_id, "stall")
    assert _end_state(sim, api, jamf_id, _config(False), advance=86400)["state"] == "CollectingOSUpdateStatus"


def test_every_unpublished_rule_names_a_row_of_the_one_assumptions_table():
    rows = {int(line.split("|")[1]): line for line in table_markdown().splitlines()[2:]}
    for rule in PLAN_RULES:
        assert rule.source
        if rule.assumption:
            row = rows[rule.assumption]
            success_state = "DDMPlanScheduled" if rule.mechanism == "DDM" else "ProcessingPlanTypeMdm"
            assert (rule.reason or success_state) in row, (rule, row)


def test_readme_has_the_current_plan_path_table():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"<!-- sim-plan-paths:start -->\n{plan_paths_markdown()}<!-- sim-plan-paths:end -->" in readme, (
        "README's plan-path table is stale: run python tools/update_readme.py")
