"""Seeded faults (429, 5xx, dropped connections before/after applying, slow answers), latency,
Jamf Cloud replication delay with the jpro-ingress sticky cookie; /__sim/ is never faulted."""

from __future__ import annotations

import time

import pytest
import requests

from generator.sim import Clock, FaultSpec
from generator.sim.faults import FaultInjector
from tests.sim.simclient import Api, admin, session


def test_fault_spec_parsing():
    spec = FaultSpec.parse("5xx=0.1,429=0.05,drop_before=0.02,drop_after=0.02,slow=0.01,replication_ms=2000,seed=7")
    assert (spec.rate_5xx, spec.rate_429, spec.drop_before, spec.drop_after, spec.slow) == (0.1, 0.05, 0.02, 0.02, 0.01)
    assert (spec.replication_ms, spec.seed) == (2000, 7)
    assert FaultSpec.parse(str(spec)) == spec
    assert FaultSpec.parse("") == FaultSpec()
    assert FaultSpec.parse(" methods=post+put , path=/api/v1/scripts ").methods == frozenset({"POST", "PUT"})
    for bad in ("5xx=2", "nonsense=1", "5xx", "seed=-1", "5xx=0.6,429=0.6", "slow_ms=abc"):
        with pytest.raises(ValueError):
            FaultSpec.parse(bad)


def test_decisions_are_seeded():
    spec = "5xx=0.2,429=0.2,drop_before=0.1,drop_after=0.1,slow=0.1,seed=11"
    first = FaultInjector(spec).decide("GET", "/api/x")
    one, two = FaultInjector(spec), FaultInjector(spec)
    run_one = [one.decide("GET", "/api/x") for _ in range(200)]
    run_two = [two.decide("GET", "/api/x") for _ in range(200)]
    assert run_one == run_two and run_one[0] == first
    kinds = {d.kind for d in run_one}
    assert kinds == {None, "5xx", "429", "drop_before", "drop_after", "slow"}
    assert {d.status for d in run_one if d.kind == "5xx"} <= {500, 502, 503, 504}
    other = FaultInjector(spec.replace("seed=11", "seed=12"))
    assert [other.decide("GET", "/api/x") for _ in range(200)] != run_one


def test_429_and_5xx_are_not_applied(jamf_sim):
    api = admin(jamf_sim)
    jamf_sim.set_faults("429=1,retry_after=7")
    limited = api.post("/api/v1/scripts", json={"name": "a"})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["httpStatus"] == 429
    jamf_sim.set_faults("5xx=1,seed=3")
    statuses = set()
    for _ in range(12):
        response = api.post("/api/v1/scripts", json={"name": "a"})
        statuses.add(response.status_code)
        assert response.json()["httpStatus"] == response.status_code
    assert statuses <= {500, 502, 503, 504} and len(statuses) > 1
    classic = api.get("/JSSResource/policies")
    assert classic.status_code >= 500 and "<p>Error: " in classic.text
    jamf_sim.set_faults("")
    assert jamf_sim.tenant(0).scripts == {}
    assert api.post("/api/v1/scripts", json={"name": "a"}).status_code == 201
    faults = [e["fault"] for e in jamf_sim.tenant(0).request_log]
    assert faults.count("429") == 1 and faults.count("5xx") == 13


def test_drop_before_leaves_state_alone(jamf_sim):
    api = admin(jamf_sim)
    jamf_sim.set_faults("drop_before=1")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post("/api/v1/scripts", json={"name": "never"})
    jamf_sim.set_faults("")
    assert jamf_sim.tenant(0).scripts == {}
    assert api.get("/api/v1/scripts").json()["totalCount"] == 0


def test_drop_after_applies_then_hangs_up(jamf_sim):
    api = admin(jamf_sim)
    jamf_sim.set_faults("drop_after=1,methods=POST")
    with pytest.raises(requests.exceptions.ConnectionError):
        api.post("/api/v1/scripts", json={"name": "applied"})
    assert api.get("/api/v1/scripts").json()["totalCount"] == 1  # GETs are not faulted
    jamf_sim.set_faults("")
    retry = api.post("/api/v1/scripts", json={"name": "applied"})
    assert retry.status_code == 400 and retry.json()["errors"][0]["code"] == "DUPLICATE_FIELD"
    entry = next(e for e in jamf_sim.tenant(0).request_log if e["fault"] == "drop_after")
    assert entry["status"] is None and entry["template"] == "/api/v1/scripts"


def test_slow_answers_outlast_a_client_timeout(jamf_sim):
    api = admin(jamf_sim)
    jamf_sim.set_faults("slow=1,slow_ms=800,path=/api/v1/categories")
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.post("/api/v1/categories", json={"name": "slow", "priority": 1}, timeout=0.2)
    jamf_sim.set_faults("")
    for _ in range(100):  # applied before the late answer; poll (no timing assertion) in case of a loaded host
        if jamf_sim.tenant(0).categories:
            break
        time.sleep(0.05)
    assert [c["name"] for c in jamf_sim.tenant(0).categories.values()] == ["slow"]


def test_latency_is_added(jamf_sim_factory):
    sim = jamf_sim_factory(latency_ms=150, fleet=1)
    api = admin(sim)
    started = time.perf_counter()
    api.get("/api/v1/jamf-pro-version")
    assert time.perf_counter() - started >= 0.15
    assert sim.tenant(0).request_log[-1]["ms"] >= 150


def test_admin_endpoints_are_never_faulted(jamf_sim_factory):
    sim = jamf_sim_factory(faults="drop_before=0.5,5xx=0.5,latency_ms=5000", fleet=1)
    http = session(sim)
    for _ in range(10):
        assert http.get(sim.base_url() + "/__sim/health", timeout=2).status_code == 200
    assert http.put(sim.base_url() + "/__sim/faults", json={"spec": ""}, timeout=2).json() == {"spec": ""}
    assert admin(sim).get("/api/v1/jamf-pro-version").status_code == 200
    assert http.put(sim.base_url() + "/__sim/faults", json={"spec": "5xx=3"}).status_code == 400


def test_replication_delay_and_sticky_sessions(jamf_sim_factory):
    sim = jamf_sim_factory(faults="replication_ms=2000", clock=Clock(frozen=True), fleet=1)
    writer = admin(sim)
    assert writer.http.cookies.get("jpro-ingress") in ("node-1", "node-2")  # set on the first response
    node = writer.http.cookies["jpro-ingress"]
    other = "node-2" if node == "node-1" else "node-1"
    reader = Api(sim, token=writer.http.headers["Authorization"].split()[1])
    reader.http.cookies.set("jpro-ingress", other, domain="127.0.0.1", path="/")
    created = writer.post("/api/v1/scripts", json={"name": "fresh"})
    assert created.status_code == 201
    assert writer.get("/api/v1/scripts").json()["totalCount"] == 1  # same node: visible at once
    assert reader.get("/api/v1/scripts").json()["totalCount"] == 0  # other node: not yet
    assert reader.get(f"/api/v1/scripts/{created.json()['id']}").status_code == 200  # lists only
    assert reader.http.cookies["jpro-ingress"] == other  # the cookie pins the client
    sim.clock.advance(2)
    assert reader.get("/api/v1/scripts").json()["totalCount"] == 1
    nodes = {e["node"] for e in sim.tenant(0).request_log}
    assert nodes == {"node-1", "node-2"}


def test_clients_without_cookies_wander_between_nodes(jamf_sim_factory):
    sim = jamf_sim_factory(faults="seed=5", fleet=1)
    token = admin(sim).http.headers["Authorization"]
    for _ in range(20):
        http = session(sim)
        http.get(sim.base_url() + "/api/v1/jamf-pro-version", headers={"Authorization": token})
    assert {e["node"] for e in sim.tenant(0).request_log[-20:]} == {"node-1", "node-2"}
