"""The per-Mac fact record: a mixed seeded fleet, /__sim/ setting facts, one record for inventory and harness."""

from __future__ import annotations

from collections import Counter

import pytest

from generator.harness import Mac
from generator.sim import SimConfig, Simulator
from generator.sim.fleet import FLEET_OS, MacFacts, seeded_facts, seeded_fleet
from tests.sim.simclient import admin, session


def test_seeded_fleet_is_mixed_and_deterministic():
    fleet = seeded_fleet(50)
    assert [f.to_dict() for f in fleet] == [f.to_dict() for f in seeded_fleet(50)]
    families = Counter(f.os_version.split(".")[0] if not f.os_version.startswith("11.") else f.os_version[:4]
                       for f in fleet)
    assert set(families) == {"11.4", "11.5", "12", "13", "14", "15", "26", "27"}
    assert {f.arch for f in fleet} == {"apple_silicon", "intel"}
    assert not any(f.arch == "intel" and f.os[0] >= 27 for f in fleet)  # macOS 26 is the last Intel release
    assert {False} <= {f.supervised for f in fleet} and {False} <= {f.enrolled for f in fleet}
    assert {False} <= {f.bootstrap_escrowed for f in fleet} and min(f.free_disk_gb for f in fleet) < 20
    assert [seeded_facts(n).os_version for n in range(1, 9)] == [v for v, _ in FLEET_OS]


def test_inventory_follows_the_facts(jamf_sim):
    api = admin(jamf_sim)
    tenant = jamf_sim.tenant(0)
    facts = tenant.facts("4")
    one = api.get("/api/v3/computers-inventory/4",
                  params={"section": ["GENERAL", "HARDWARE", "OPERATING_SYSTEM", "STORAGE"]}).json()
    assert one["operatingSystem"]["version"] == facts.os_version and one["operatingSystem"]["build"] == facts.os_build
    assert one["hardware"]["appleSilicon"] is facts.apple_silicon and one["general"]["supervised"] is facts.supervised
    assert one["storage"]["bootDriveAvailableSpaceMegabytes"] == facts.free_disk_gb * 1024
    tenant.set_facts("4", os_version="27.0", os_build="26A100", supervised=False)
    again = api.get("/api/v3/computers-inventory", params={"filter": 'operatingSystem.version=="27.0";id==4',
                                                            "section": ["GENERAL", "OPERATING_SYSTEM"]}).json()
    assert again["totalCount"] == 1 and again["results"][0]["general"]["supervised"] is False


def test_sim_endpoint_sets_and_reads_facts(jamf_sim):
    http, base = session(jamf_sim), jamf_sim.base_url()
    changed = http.put(base + "/__sim/computers/5/facts", json={"os_version": "13.7.1", "os_build": "22H221",
                                                               "bootstrap_escrowed": False})
    assert changed.status_code == 200 and changed.json()["os_version"] == "13.7.1"
    assert http.get(base + "/__sim/computers/5/facts").json()["bootstrap_escrowed"] is False
    assert jamf_sim.tenant(0).computers["5"]["osVersion"] == "13.7.1"
    bad = http.put(base + "/__sim/computers/5/facts", json={"arch": "powerpc"})
    assert bad.status_code == 400 and "arch" in bad.json()["error"]
    assert jamf_sim.tenant(0).facts("5").arch == seeded_facts(5).arch  # nothing half-changed
    assert http.put(base + "/__sim/computers/5/facts", json={"colour": "red"}).status_code == 400
    assert http.get(base + "/__sim/computers/999/facts").status_code == 404
    made = http.post(base + "/__sim/computers", json={"serialNumber": "C02FACT00001", "udid": "U-FACT", "managementId": "M",
                                                      "facts": {"os_version": "11.5", "os_build": "20G71",
                                                                "arch": "intel"}})
    assert made.status_code == 201
    assert jamf_sim.tenant(0).facts(made.json()["id"]).arch == "intel"


def test_facts_survive_a_state_file(tmp_path):
    state = tmp_path / "state.json"
    with Simulator(SimConfig(fleet=3, state_file=str(state))) as first:
        first.tenant(0).set_facts("2", free_disk_gb=3)
    with Simulator(SimConfig(fleet=3, state_file=str(state))) as second:
        assert second.tenant(0).facts("2").free_disk_gb == 3


@pytest.mark.parametrize("number", [1, 3, 8, 13])
def test_the_harness_mac_answers_from_the_same_record(tmp_path, number):
    facts = seeded_facts(number)
    mac = Mac(tmp_path).apply_facts(facts)
    script = tmp_path / "probe.zsh"
    script.write_text("sw_vers -productVersion; sw_vers -buildVersion; arch; profiles status -type bootstraptoken\n")
    out = mac.run(script=script).stdout.splitlines()
    assert out[:3] == [facts.os_version, facts.os_build, "arm64" if facts.apple_silicon else "i386"]
    assert out[4].endswith("YES" if facts.bootstrap_escrowed else "NO")


def test_bad_facts_are_refused_by_name():
    with pytest.raises(ValueError, match="os_build"):
        MacFacts("1", "S", "U", "M", "n", os_build="nope")
    with pytest.raises(ValueError, match="free_disk_gb"):
        seeded_facts(1).update(free_disk_gb=-1)
