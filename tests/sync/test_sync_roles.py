"""The split uploader roles (``jamf.uploader_roles = "split"``): the content role runs plan, audit and a
content-only apply, and cannot create or change what authenticates; the bootstrap role can."""

from __future__ import annotations

import json

import pytest

from generator import catalogue
from generator.jamf.client import ClientCredentials, JamfClient, PrivilegeError, Secret
from tests.sync.helpers import ROOT, Rig

ESCALATING = {"Create API Roles", "Update API Roles", "Create API Integrations", "Update API Integrations",
              "Create Accounts", "Update Accounts"}


def _content_client(rig: Rig) -> JamfClient:
    t = rig.sim.tenant(0)
    t.add_role(catalogue.UPLOADER_ROLES["content"], catalogue.uploader_privileges("content"))
    _, client_id, secret = t.add_client("pipeline content", [catalogue.UPLOADER_ROLES["content"]])
    return JamfClient(rig.sim.base_url(), ClientCredentials(client_id, Secret(secret)), tenant="t0",
                      options=rig.options.client_options)


def test_the_content_role_cannot_grant_itself_privileges() -> None:
    content = set(catalogue.uploader_privileges("content"))
    assert not content & ESCALATING
    assert ESCALATING.issubset(catalogue.uploader_privileges("bootstrap"))
    assert {"Read Policies", "Update Policies", "Update Scripts"} <= content  # what day-to-day apply writes
    rendered = json.loads((ROOT / "dist" / "jamf" / "uploader-content-role.json").read_text(encoding="utf-8"))
    assert rendered == {"displayName": "jamf-enforcer uploader (content)", "privileges": sorted(content)}


def test_content_changes_apply_with_the_content_role_and_the_agents_client_needs_bootstrap(rig: Rig) -> None:
    assert rig.run("apply").ok  # the first apply: bootstrap (it creates the agent's role and client)
    t = rig.sim.tenant(0)
    content = _content_client(rig)
    assert rig.sync(client=content).plan().status() == "in sync"
    script = next(s for s in t.scripts.values() if s["name"] == "jamf-enforcer enforcer.zsh")
    script["scriptContents"] += "echo drift\n"
    applied = rig.sync(client=content).apply()
    assert applied.ok and [(w.kind, w.action) for w in applied.writes] == [("script", "updated")]
    role = t.role_by_name("jamf-enforcer Update Agent")
    role["privileges"] = role["privileges"][:-1]  # the agent's role drifted: only bootstrap may repair it
    refused = rig.sync(client=content).apply()
    assert [f.kind for f in refused.failures] == ["api-role"]
    assert "only the bootstrap uploader role has it" in refused.failures[0].error
    assert rig.run("apply").ok  # bootstrap repairs it
    with pytest.raises(PrivilegeError, match="only the bootstrap uploader role has it"):
        rig.sync(client=content).rotate()  # a second client: bootstrap only
