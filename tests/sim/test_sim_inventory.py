"""The seeded fleet, registering Macs (Python API and the /__sim/ endpoint), inventory lookups."""

from __future__ import annotations

import uuid

import pytest

from generator.sim import SimConfig, Simulator
from tests.sim.simclient import admin, session


def test_fleet_is_deterministic():
    def without_times(sim):
        return {k: {f: v for f, v in c.items() if f not in ("lastContactTime", "reportDate")}
                for k, c in sim.tenant(0).computers.items()}

    one, two = Simulator(SimConfig(fleet=3)), Simulator(SimConfig(fleet=3))
    assert without_times(one) == without_times(two)
    first = one.tenant(0).computers
    assert [c["serialNumber"] for c in first.values()] == ["C02SIM000001", "C02SIM000002", "C02SIM000003"]
    assert list(first) == ["1", "2", "3"]
    computer = first["2"]
    assert uuid.UUID(computer["udid"]) and computer["udid"] == computer["udid"].upper()
    assert uuid.UUID(computer["managementId"])


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_lookup_by_serial_and_udid(jamf_sim, version):
    api = admin(jamf_sim)
    path = f"/api/{version}/computers-inventory"
    target = jamf_sim.tenant(0).computers["7"]
    by_serial = api.get(path, params={"section": "GENERAL", "page": 0, "page-size": 1,
                                      "filter": 'hardware.serialNumber=="C02SIM000007"'}).json()
    assert by_serial["totalCount"] == 1
    found = by_serial["results"][0]
    assert found["id"] == "7" and found["udid"] == target["udid"]
    assert found["general"]["managementId"] == target["managementId"]
    assert "hardware" not in found
    by_udid = api.get(path, params={"filter": f'udid=="{target["udid"].lower()}"', "section": ["GENERAL", "HARDWARE"]})
    result = by_udid.json()["results"][0]
    assert result["id"] == "7" and result["hardware"]["serialNumber"] == "C02SIM000007"
    none = api.get(path, params={"filter": 'hardware.serialNumber=="NOPE"'}).json()
    assert none == {"totalCount": 0, "results": []}


def test_paging_sorting_and_sections(jamf_sim):
    api = admin(jamf_sim)
    page = api.get("/api/v3/computers-inventory", params={"page": 2, "page-size": 20, "sort": "id:desc"}).json()
    assert page["totalCount"] == 50 and [c["id"] for c in page["results"]] == [str(i) for i in range(10, 0, -1)]
    by_name = api.get("/api/v1/computers-inventory", params={"page-size": 2}).json()["results"]
    assert [c["general"]["name"] for c in by_name] == ["SIM-Mac-0001", "SIM-Mac-0002"]
    os_section = api.get("/api/v3/computers-inventory/3", params={"section": "OPERATING_SYSTEM"}).json()
    assert os_section["operatingSystem"]["name"] == "macOS" and "general" not in os_section
    assert api.get("/api/v3/computers-inventory", params={"section": "WHATEVER"}).status_code == 400
    assert api.get("/api/v3/computers-inventory", params={"section": "PLUGINS"}).status_code == 400  # v1 only
    assert api.get("/api/v1/computers-inventory", params={"section": "PLUGINS"}).status_code == 200
    assert api.get("/api/v3/computers-inventory/999").status_code == 404


def test_register_computer_python_api(jamf_sim):
    tenant = jamf_sim.tenant(0)
    jamf_id = tenant.register_computer("C02TEST00001", "11111111-2222-3333-4444-555555555555",
                                       "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", jamf_id=4242)
    assert jamf_id == "4242"
    assert tenant.register_computer("C02TEST00002", "21111111-2222-3333-4444-555555555555", "m2") == "4243"
    api = admin(jamf_sim)
    found = api.get("/api/v3/computers-inventory", params={"filter": 'hardware.serialNumber=="C02TEST00001"'}).json()
    assert found["results"][0]["id"] == "4242"
    assert found["results"][0]["general"]["managementId"] == "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    with pytest.raises(ValueError):
        tenant.register_computer("C02TEST00001", "31111111-2222-3333-4444-555555555555", "m3")


def test_register_computer_admin_endpoint(jamf_sim_factory):
    sim = jamf_sim_factory(tenants=2, fleet=1, faults="5xx=1.0")
    http = session(sim)
    response = http.post(sim.base_url(1) + "/__sim/computers",
                         json={"serialNumber": "C02ADMIN0001", "udid": "U-1", "managementId": "M-1", "id": "77"})
    assert response.status_code == 201 and response.json() == {"id": "77"}
    assert sim.tenant(1).computers["77"]["serialNumber"] == "C02ADMIN0001"
    assert "77" not in sim.tenant(0).computers
    duplicate = http.post(sim.base_url(1) + "/__sim/computers",
                          json={"serialNumber": "C02ADMIN0001", "udid": "U-2", "managementId": "M-2"})
    assert duplicate.status_code == 409
    assert http.post(sim.base_url(1) + "/__sim/computers", data="{").status_code == 400
    assert http.get(sim.base_url() + "/__sim/health").json()["ok"] is True
    assert sim.tenant(1).request_log == []  # /__sim/ is not Jamf traffic
    assert [e["path"] for e in sim.admin_log][:2] == ["/__sim/computers", "/__sim/computers"]


def test_exact_lookups_match_the_general_filter(jamf_sim):
    """The indexed path for exact serial/UDID/id filters answers exactly what the general RSQL path does."""
    api = admin(jamf_sim)
    tenant = jamf_sim.tenant(0)
    tenant.register_computer("C02LATE00001", "LATE-UDID", "LATE-MGMT", 500)
    target = tenant.computers["12"]
    for exact, general in [
        ('hardware.serialNumber=="C02SIM000012"', 'hardware.serialNumber=="C02SIM000012",id==0'),
        (f"udid=='{target['udid'].lower()}'", f'udid=="{target["udid"]}";id!=0'),
        ("id==12", "(id==12)"),
        (f'general.managementId=="{target["managementId"]}"', f'general.managementId=="{target["managementId"]}";id>0'),
        ('hardware.serialNumber=="c02late00001"', '(hardware.serialNumber=="C02LATE00001")'),
        ('hardware.serialNumber=="NOT-THERE"', '(hardware.serialNumber=="NOT-THERE")'),
    ]:
        fast = api.get("/api/v3/computers-inventory", params={"filter": exact, "section": "HARDWARE"}).json()
        slow = api.get("/api/v3/computers-inventory", params={"filter": general, "section": "HARDWARE"}).json()
        assert fast == slow, exact
    tenant.register_computer("C02SIM000012", target["udid"], "NEW-MGMT", 12)  # re-registered: the index follows
    found = api.get("/api/v3/computers-inventory", params={"filter": 'general.managementId=="NEW-MGMT"'}).json()
    assert [c["id"] for c in found["results"]] == ["12"]
    assert api.get("/api/v3/computers-inventory", params={"filter": "id==12", "page": 1}).json()["results"] == []
