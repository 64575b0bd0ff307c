"""audit (tenant vs bundle and catalogue) and rotate (a second client, then retire) on the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import catalogue
from generator.jamf import resources as R
from generator.jamf.sync import SyncError
from generator.sim import Simulator
from tests.sync.helpers import Rig, make_rig, policy_params, token_status

ROLE = "jamf-enforcer Update Agent"
CLIENT = "jamf-enforcer Update Agent"


def messages(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{f.kind} {f.name}: {f.message}" for f in result.findings]


# --- audit --------------------------------------------------------------------------------
def test_audit_of_a_freshly_applied_tenant_is_clean(rig: Rig) -> None:
    rig.run("apply")
    result = rig.run("audit")
    assert result.findings == [] and result.status() == "clean"


def test_audit_names_missing_and_extra_privileges_with_their_endpoints(rig: Rig) -> None:
    rig.run("apply")
    role = rig.sim.tenant(0).role_by_name(ROLE)
    role["privileges"] = [p for p in role["privileges"] if p != "Read Computers"] + ["Delete Computers"]
    found = messages(rig.run("audit"))
    missing = next(m for m in found if "missing privilege 'Read Computers'" in m)
    assert "GET /api/v3/computers-inventory" in missing  # the endpoint that needs it, from the catalogue
    assert any("extra privilege 'Delete Computers'" in m for m in found)
    assert any(m.startswith(f"api-role {ROLE}: differs") for m in found)


def test_audit_finds_a_disabled_client_on_the_wrong_role(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    t.add_role("Some Other Role", ["Read Computers"])
    client = next(c for c in t.clients.values() if c["displayName"] == CLIENT)
    client.update(enabled=False, authorizationScopes=["Some Other Role"])
    found = messages(rig.run("audit"))
    assert any("disabled" in m for m in found)
    assert any("wrong role(s): ['Some Other Role'] instead of ['jamf-enforcer Update Agent']" in m for m in found)


def test_audit_finds_changed_objects_duplicates_and_leftovers(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    ea = next(e for e in t.eas.values() if e["name"] == "jamf-enforcer Zero Date")
    ea["scriptContents"] += "echo extra\n"
    template = next(iter(t.scripts.values()))
    t.scripts["900"] = {**template, "id": "900", "name": "JAMF-ENFORCER enforcer.zsh"}  # a case-variant duplicate
    t.scripts["901"] = {**template, "id": "901", "name": "jamf-enforcer forgotten.zsh"}
    result = rig.run("audit")
    found = messages(result)
    assert any("Zero Date: differs from the rendered bundle" in m for m in found)
    assert any("2 script objects are named 'jamf-enforcer enforcer.zsh'" in m for m in found)
    assert any("forgotten.zsh: left over" in m for m in found)
    assert result.status() == "drift"


def test_audit_finds_a_credential_policy_without_valid_credentials(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    client = next(c for c in t.clients.values() if c["displayName"] == CLIENT)
    client["clientId"] = "someone-else"  # the policy now names a client that does not exist
    found = messages(rig.run("audit"))
    assert any("hands over no valid credentials: it names an API client that no longer exists" in m for m in found)


# --- rotate -------------------------------------------------------------------------------
def test_rotate_keeps_macs_working_then_retire_finishes(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    before = policy_params(rig.sim, "Save update credentials")
    old = next(c for c in t.clients.values() if c["displayName"] == CLIENT)

    result = rig.run("rotate")
    assert result.ok, result.error
    actions = [(w.kind, w.action) for w in result.writes]
    assert actions == [(R.CLIENT, "created"), (R.CLIENT, "credentials issued"), (R.POLICY, "updated"),
                       (R.POLICY, "log flushed"), (R.POLICY, "updated")]  # the last notes the flush on record
    after = policy_params(rig.sim, "Save update credentials")
    assert after["parameter4"] != before["parameter4"]
    new = t.client_by_client_id(after["parameter4"].partition("=")[2])
    assert new["displayName"].startswith(CLIENT + " (rotation ") and new["authorizationScopes"] == [ROLE]
    policy_id = next(p["id"] for p in t.policies.values() if "credentials" in p["name"])
    assert t.policy_flushes == [policy_id]  # every Mac re-runs the credential policy
    # Both credentials work during the grace period: Macs that have not re-run keep theirs.
    assert token_status(rig.sim, before) == 200 and token_status(rig.sim, after) == 200
    assert old["enabled"] is True
    # Plan and apply leave the rotation alone; audit reports it as unfinished.
    assert rig.run("plan").status() == "in sync"
    assert any("unfinished rotation" in m for m in messages(rig.run("audit")))
    # A second rotate within the grace period does nothing.
    waiting = rig.run("rotate")
    assert waiting.writes == [] and "pending since" in waiting.notes[0]

    retired = rig.run("rotate", retire=True)
    assert [(w.kind, w.action) for w in retired.writes] == [(R.CLIENT, "disabled"), (R.CLIENT, "deleted"),
                                                            (R.CLIENT, "renamed"), (R.POLICY, "updated")]
    assert old["id"] not in t.clients and new["displayName"] == CLIENT
    assert token_status(rig.sim, before) == 401 and token_status(rig.sim, after) == 200
    assert rig.run("plan").status() == "in sync"
    assert rig.run("audit").findings == []


def test_the_grace_period_retires_the_old_client_at_a_later_rotate(jamf_sim: Simulator, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch, extra_jamf="rotation_grace_days = 3")
    rig.run("apply")
    rig.run("rotate")
    jamf_sim.clock.advance(2 * 86400)
    assert rig.run("rotate").writes == []
    jamf_sim.clock.advance(1 * 86400 + 60)
    done = rig.run("rotate")
    assert [w.action for w in done.writes] == ["disabled", "deleted", "renamed", "updated"]


def test_retire_never_removes_the_client_the_policy_still_hands_over(rig: Rig) -> None:
    rig.run("apply")
    before = policy_params(rig.sim, "Save update credentials")
    rig.run("rotate")
    after = policy_params(rig.sim, "Save update credentials")
    for policy in rig.sim.tenant(0).policies.values():  # someone restored the old parameters by hand
        if "credentials" in policy["name"]:
            policy["xml"] = policy["xml"].replace(after["parameter4"], before["parameter4"])
    # The policy once held the rotation client (Macs may have saved it): no new secret for it, and the
    # old client stays, since the policy hands it over again.
    with pytest.raises(SyncError, match=r"no longer hands over .* which it once held"):
        rig.sync(retire=True).rotate(retire=True)
    assert any(c["displayName"] == CLIENT and c["enabled"] for c in rig.sim.tenant(0).clients.values())
    assert token_status(rig.sim, before) == 200 and token_status(rig.sim, after) == 200


def test_a_rotation_interrupted_before_the_hand_over_is_resumed(rig: Rig) -> None:
    rig.run("apply")
    t = rig.sim.tenant(0)
    t.create_client(f"{CLIENT} (rotation 2030-01-01T00:00:00Z)", [ROLE], 300, True)  # created, never handed over
    before = policy_params(rig.sim, "Save update credentials")
    result = rig.run("rotate")
    assert [(w.kind, w.action) for w in result.writes] == [(R.CLIENT, "credentials issued"), (R.POLICY, "updated"),
                                                           (R.POLICY, "log flushed"), (R.POLICY, "updated")]
    after = policy_params(rig.sim, "Save update credentials")
    assert after != before and token_status(rig.sim, after) == 200 and token_status(rig.sim, before) == 200


def test_a_failed_flush_is_reported_and_the_old_client_kept(jamf_sim: Simulator, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    jamf_sim.tenant(0).disable_route("DELETE /JSSResource/logflush/{log}/id/{id}/interval/{interval}")
    rig.run("apply")  # the flush endpoint now answers 404, as on a server without it
    result = rig.run("rotate")
    assert "flushing its log failed" in result.error and "run rotate again to flush it" in result.error
    assert [w.action for w in result.writes] == ["created", "credentials issued", "updated"]  # listed anyway
    assert any(c["displayName"] == CLIENT and c["enabled"] for c in jamf_sim.tenant(0).clients.values())
    # No flush on record: --retire flushes now and keeps the old client for a later run.
    jamf_sim.tenant(0).enable_route("DELETE /JSSResource/logflush/{log}/id/{id}/interval/{interval}")
    flushed = rig.run("rotate", retire=True)
    assert [w.action for w in flushed.writes] == ["log flushed", "updated"] and "stays enabled" in flushed.notes[0]
    assert any(c["displayName"] == CLIENT and c["enabled"] for c in jamf_sim.tenant(0).clients.values())
    assert [w.action for w in rig.run("rotate", retire=True).writes] == ["disabled", "deleted", "renamed", "updated"]


def test_an_interrupted_retire_is_finished_by_apply(rig: Rig) -> None:
    rig.run("apply")
    rig.run("rotate")
    t = rig.sim.tenant(0)
    old = next(c for c in t.clients.values() if c["displayName"] == CLIENT)
    del t.clients[old["id"]]  # retire stopped after deleting the old client, before the rename
    plan = rig.run("plan")
    client_change = next(c for c in plan.changes if c.kind == R.CLIENT)
    assert client_change.action == "update" and "interrupted rotation" in client_change.reason
    result = rig.run("apply")
    assert [(w.kind, w.action) for w in result.writes] == [(R.CLIENT, "renamed")]
    assert rig.run("plan").status() == "in sync"


def test_rotate_needs_an_applied_tenant_and_the_client_method(jamf_sim: Simulator, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    rig = make_rig(jamf_sim, tmp_path, monkeypatch)
    with pytest.raises(SyncError, match="run apply first"):
        rig.sync().rotate()
    account = make_rig(jamf_sim, tmp_path, monkeypatch, method="jamf-account")
    with pytest.raises(SyncError, match="jamf-client' only"):
        account.sync().rotate()


def test_the_flush_endpoint_is_catalogued_with_its_privileges() -> None:
    op = catalogue.operation_for("DELETE", "/JSSResource/logflush/policy/id/7/interval/Zero+Days")
    assert op is not None and op.privileges == ("Delete Policies", "Flush Policy Logs")
    assert {"Delete Policies", "Flush Policy Logs"} <= set(catalogue.uploader_privileges())
