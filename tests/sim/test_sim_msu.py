"""Managed software updates: feature toggle, plans advancing over the injectable clock, their
refusals (toggle off, plan in progress, rate limit) and the legacy send-updates."""

from __future__ import annotations

import json

import pytest

from generator.sim import Clock
from tests.sim.simclient import admin, session

PLANS = "/api/v1/managed-software-updates/plans"
TOGGLE = PLANS + "/feature-toggle"


def _plan_body(*device_ids, action="DOWNLOAD_INSTALL_RESTART", **config):
    return {"devices": [{"objectType": "COMPUTER", "deviceId": d} for d in device_ids],
            "config": {"updateAction": action, "versionType": "LATEST_MINOR", **config}}


@pytest.fixture
def msu(jamf_sim_factory):
    sim = jamf_sim_factory(fleet=5, clock=Clock(frozen=True))
    sim.tenant(0).set_feature_toggle(True)
    return sim, admin(sim)


def test_feature_toggle(jamf_sim):
    api = admin(jamf_sim)
    assert api.get(TOGGLE).json()["toggle"] is False
    status = api.get(TOGGLE + "/status").json()
    assert status["toggleOn"]["state"] == "NEVER_RAN"
    turned = api.put(TOGGLE, json={"toggle": True})
    assert turned.status_code == 200 and turned.json()["toggle"] is True
    assert api.get(TOGGLE).json()["toggle"] is True
    assert api.get(TOGGLE + "/status").json()["toggleOn"]["exitState"] == "COMPLETED"
    assert api.put(TOGGLE, json={}).status_code == 400
    assert jamf_sim.tenant(0).feature_toggle is True


def test_plans_refused_while_the_toggle_is_off(jamf_sim):
    refused = admin(jamf_sim).post(PLANS, json=_plan_body("1"))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "MANAGED_SOFTWARE_UPDATE_FEATURE_DISABLED"
    assert jamf_sim.tenant(0).plans == {}


def test_plan_lifecycle(msu):
    sim, api = msu
    created = api.post(PLANS, json=_plan_body("1"))
    assert created.status_code == 201
    plan = created.json()["plans"][0]
    assert plan["device"] == {"deviceId": "1", "objectType": "COMPUTER", "href": "/v1/computers-inventory/1"}
    assert plan["href"] == f"/v1/managed-software-updates/plans/{plan['planId']}"
    status = api.get(f"{PLANS}/{plan['planId']}").json()
    assert status["status"] == {"state": "Init", "errorReasons": []}
    assert status["updateAction"] == "DOWNLOAD_INSTALL_RESTART" and status["specificVersion"] == "NO_SPECIFIC_VERSION"
    again = api.post(PLANS, json=_plan_body("1"))
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "EXISTING_PLAN_FOR_DEVICE_IN_PROGRESS"
    sim.clock.advance(5 * 4)  # an MDM-command plan: Jamf's MDM states
    assert api.get(f"{PLANS}/{plan['planId']}").json()["status"]["state"] == "ProcessingPlanTypeMdm"
    sim.clock.advance(5 * 100)
    assert api.get(f"{PLANS}/{plan['planId']}").json()["status"]["state"] == "PlanCompleted"
    events = json.loads(api.get(f"{PLANS}/{plan['planId']}/events").json()["events"])["events"]
    states = [e["state"] for e in events]
    assert states[0] == "Init" and states[-1] == "PlanCompleted" and len(states) == len(set(states)) == 15
    assert api.post(PLANS, json=_plan_body("1")).status_code == 201  # finished plans do not block
    assert len(sim.tenant(0).plans) == 2


def test_failing_and_stalling_devices(msu):
    sim, api = msu
    tenant = sim.tenant(0)
    tenant.set_device_outcome("2", "fail")
    tenant.set_device_outcome(3, "stall")
    response = api.post(PLANS, json=_plan_body("2", "3")).json()
    failed, stalled = (p["planId"] for p in response["plans"])
    sim.clock.advance(1500)  # well past every step, within the admin token's 1800 s
    assert api.get(f"{PLANS}/{failed}").json()["status"] == {"state": "PlanFailed",
                                                             "errorReasons": ["APPLE_SILICON_NO_ESCROW_KEY"]}
    assert api.get(f"{PLANS}/{stalled}").json()["status"]["state"] == "CollectingOSUpdateStatus"
    assert api.post(PLANS, json=_plan_body("3")).status_code == 400  # still in progress
    tenant.set_device_outcome("4", "fail", reason="NOT_SUPERVISED")
    other = api.post(PLANS, json=_plan_body("4")).json()["plans"][0]["planId"]
    sim.clock.advance(60)
    assert tenant.plans[other]["status"]["errorReasons"] == ["NOT_SUPERVISED"]
    with pytest.raises(ValueError):
        tenant.set_device_outcome("4", "explode")
    listed = api.get(PLANS, params={"filter": "state==PlanFailed", "sort": "device.deviceId:asc"}).json()
    assert [p["device"]["deviceId"] for p in listed["results"]] == ["2", "4"]
    by_device = api.get(PLANS, params={"filter": 'device.deviceId=="3"'}).json()
    assert by_device["totalCount"] == 1


def test_plan_rate_limit(msu):
    sim, api = msu
    sim.tenant(0).plan_rate_per_minute = 2
    assert api.post(PLANS, json=_plan_body("1")).status_code == 201
    assert api.post(PLANS, json=_plan_body("2")).status_code == 201
    limited = api.post(PLANS, json=_plan_body("3"))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "60"
    assert limited.json()["errors"][0]["code"] == "RATE_LIMIT_EXCEEDED"
    sim.clock.advance(45)
    assert api.post(PLANS, json=_plan_body("3")).headers["Retry-After"] == "15"
    sim.clock.advance(15)
    assert api.post(PLANS, json=_plan_body("3")).status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    (_plan_body("1", action="DOWNLOAD_INSTALL_ALLOW_DEFERRAL"), "config.maxDeferrals"),
    (_plan_body("1", action="DOWNLOAD_INSTALL_SCHEDULE"), "config.forceInstallLocalDateTime"),
    (_plan_body("1", versionType="SPECIFIC_VERSION"), "config.specificVersion"),
    (_plan_body("99"), "devices[0].deviceId"),
    ({"devices": [], "config": {"updateAction": "DOWNLOAD_ONLY", "versionType": "LATEST_ANY"}}, "devices"),
    (_plan_body("1", "1"), "devices"),
    ({"devices": [{"objectType": "COMPUTER", "deviceId": 1}], "config": {"updateAction": "DOWNLOAD_ONLY",
                                                                         "versionType": "LATEST_ANY"}},
     "devices[0].deviceId"),
])
def test_plan_validation(msu, body, field):
    _, api = msu
    response = api.post(PLANS, json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_legacy_send_updates(jamf_sim):
    api = admin(jamf_sim)
    sent = api.post("/api/v1/macos-managed-software-updates/send-updates",
                    json={"deviceIds": ["1", "404"], "updateAction": "DOWNLOAD_AND_INSTALL", "forceRestart": True})
    assert sent.status_code == 200
    body = sent.json()
    assert len(body["processManagerUuids"]) == 1
    assert body["errors"] == [{"code": "INVALID_ID", "description": "Computer with id 404 not found",
                               "id": "404", "field": "deviceIds"}]
    assert [u["deviceId"] for u in jamf_sim.tenant(0).legacy_updates] == ["1"]
    group = api.post("/api/v1/macos-managed-software-updates/send-updates", json={"groupId": "1"}).json()
    assert len(group["processManagerUuids"]) == 50
    assert api.post("/api/v1/macos-managed-software-updates/send-updates", json={}).status_code == 400


def test_admin_endpoints_drive_plans(jamf_sim):
    http = session(jamf_sim)
    base = jamf_sim.base_url() + "/__sim"
    assert http.put(base + "/feature-toggle", json={"toggle": True}).json()["toggle"] is True
    assert http.put(base + "/devices/5/outcome", json={"outcome": "fail"}).status_code == 200
    plan = admin(jamf_sim).post(PLANS, json=_plan_body("5")).json()["plans"][0]["planId"]
    assert http.post(base + "/clock/advance", json={"seconds": 3600}).status_code == 200
    plans = http.get(base + "/plans").json()["plans"]
    assert [(p["planUuid"], p["status"]["state"]) for p in plans] == [(plan, "PlanFailed")]
    assert http.put(base + "/devices/5/outcome", json={"outcome": "sideways"}).status_code == 400
