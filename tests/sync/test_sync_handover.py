"""The credential hand-over across separate processes and Jamf Cloud nodes (issue 12).

A credential Macs depend on is never replaced by apply: the secret (or password) is issued
only when the credential policy has never held one for that client or account, which the
policy's own hand-over record on the server says.  ``rotate`` records the client it hands
over; ``apply`` and ``rotate --retire`` that cannot see it yet wait, bounded, and otherwise
refuse with one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.jamf.sync import SyncError, TenantResult
from generator.sim import Simulator
from generator.sim.faults import COOKIE
from tests.sync.helpers import Rig, bundle_text, make_rig, policy_params, token_status, write_bundle
from tests.sync.procs import Mac, admin_env, run_cli

CLIENT = "jamf-enforcer Update Agent"


def _nodes_of_last_process(sim: Simulator, since: int) -> set[str]:
    return {e["node"] for e in sim.tenant(0).request_log[since:] if e.get("node")}


@pytest.mark.parametrize("seed", [3])
def test_apply_right_after_rotate_on_another_node_replaces_no_saved_credential(
        jamf_sim_factory, tmp_path: Path, seed: int) -> None:  # type: ignore[no-untyped-def]
    sim: Simulator = jamf_sim_factory(tls=True, faults=f"replication_ms=3000,seed={seed}")
    bundle = str(write_bundle(tmp_path, bundle_text(sim)))
    env = admin_env(sim)
    first = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    sim.clock.advance(5)  # the first apply has replicated everywhere
    old_mac, new_mac = Mac(sim), Mac(sim)
    assert old_mac.check_in() and old_mac.works()

    mark = len(sim.tenant(0).request_log)
    rotated = run_cli(sim, "rotate", bundle, "--tenant", "t0", env=env)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    rotate_nodes = _nodes_of_last_process(sim, mark)
    assert new_mac.check_in() and new_mac.works()  # the flushed policy hands over the rotation client

    mark = len(sim.tenant(0).request_log)
    applied = run_cli(sim, "apply", bundle, "--tenant", "t0", env=env)  # within the replication window
    apply_nodes = _nodes_of_last_process(sim, mark)
    assert rotate_nodes != apply_nodes, "the seed must put the two processes on different nodes"
    assert "credentials issued" not in applied.stdout + applied.stderr
    assert old_mac.works(), "apply re-issued the secret of the client every Mac had saved"
    assert new_mac.works()
    assert applied.returncode == 0, applied.stdout + applied.stderr


# --- in one process, each step on a client pinned to a node --------------------------------
def _on(rig: Rig, node: str, command: str, **kw: Any) -> TenantResult:
    client = rig.client()
    client.session.cookies.set(COOKIE, node)
    messages: list[str] = []
    ts = rig.sync(client=client, progress=lambda _t, m: messages.append(m), **kw)
    try:
        result = ts.apply() if command == "apply" else ts.rotate(retire=ts.options.retire)
    except SyncError as exc:
        result = TenantResult("t0", command, error=str(exc))
    finally:
        client.close()
    result.notes.extend(f"progress: {m}" for m in messages)
    return result


def _applied_and_replicated(rig: Rig) -> dict[str, str]:
    assert _on(rig, "node-1", "apply").ok
    rig.sim.clock.advance(10)
    return policy_params(rig.sim, "Save update credentials")


def test_retire_on_another_node_waits_for_the_rotation_client_instead_of_finding_none(rig: Rig) -> None:
    before = _applied_and_replicated(rig)
    rig.sim.set_faults("replication_ms=3000")
    assert _on(rig, "node-1", "rotate").ok
    after = policy_params(rig.sim, "Save update credentials")
    started = rig.sim.clock.now()
    retired = _on(rig, "node-2", "rotate", retire=True)
    assert retired.ok, retired.error
    assert [w.action for w in retired.writes] == ["disabled", "deleted", "renamed", "updated"]
    assert any("waiting for API client" in n for n in retired.notes)
    assert rig.sim.clock.now() - started >= 3  # it waited for replication (on the simulator's clock)
    assert token_status(rig.sim, after) == 200 and token_status(rig.sim, before) == 401


def test_a_rotation_client_that_never_shows_makes_apply_refuse_with_one_line(rig: Rig) -> None:
    before = _applied_and_replicated(rig)
    rig.sim.set_faults("replication_ms=600000")  # far beyond the wait
    assert _on(rig, "node-1", "rotate").ok
    after = policy_params(rig.sim, "Save update credentials")
    for command, kw in (("apply", {}), ("rotate", {"retire": True})):
        result = _on(rig, "node-2", command, replication_wait=8.0, **kw)
        assert result.writes == [] and "\n" not in result.error
        assert "refusing to issue new credentials" in result.error and "still does not show after 8 s" in result.error
    assert token_status(rig.sim, before) == 200 and token_status(rig.sim, after) == 200


def test_without_a_record_nothing_waits(rig: Rig) -> None:
    _applied_and_replicated(rig)
    t = rig.sim.tenant(0)
    client = next(c for c in t.clients.values() if c["displayName"] == CLIENT)
    del t.clients[client["id"]]  # deleted by hand: the policy names a client that is gone, no rotation recorded
    rig.sim.set_faults("replication_ms=3000")
    result = _on(rig, "node-2", "apply")
    assert result.ok, result.failures
    assert not any("waiting" in n for n in result.notes)
    assert ("api-client", "credentials issued") in [(w.kind, w.action) for w in result.writes]  # a new client: never held
    assert token_status(rig.sim, policy_params(rig.sim, "Save update credentials")) == 200


def test_apply_never_sets_a_new_password_on_an_account_the_policy_held(jamf_sim: Simulator, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch, method="jamf-account")
    assert rig.run("apply").ok
    mac = Mac(jamf_sim, method="jamf-account")
    assert mac.check_in() and mac.works()
    password = policy_params(jamf_sim, "Save update credentials")["parameter5"].partition("=")[2]
    for policy in jamf_sim.tenant(0).policies.values():  # the password parameter was blanked by hand
        if "credentials" in policy["name"]:
            policy["xml"] = policy["xml"].replace(password, "")
    result = rig.run("apply")
    assert "password set" not in [w.action for w in result.writes]
    assert "once held account" in result.failures[0].error and "delete the credential policy" in result.failures[0].error
    assert mac.works()
