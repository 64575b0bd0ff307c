"""Resource adapters: the Jamf quirks each one handles, proven on the wire.

* Classic profile payloads: escape ``&`` once, wrap in CDATA (PI-827); round trip with ``&``,
  ``<``, quotes, ``]]>`` and non-ASCII through the simulator, which decodes ``<payloads>`` once
  more as Jamf does.
* Profile identity: an update keeps the server's top-level PayloadUUID/PayloadIdentifier.
* Semantic comparison of profiles: key order, whitespace and server-added keys are no change.
* EAs send only the SCRIPT fields; scripts send ``categoryId`` "-1" and an upper-case priority.
* Name matching: trimmed, case-insensitive, and duplicates refused.
"""

from __future__ import annotations

import json
import plistlib
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import responses

from generator.jamf import resources as R
from generator.jamf.client import ClientCredentials, ClientOptions, JamfClient, Secret
from generator.sim import Simulator

TRICKY = {
    "ampersand": "Tom & Jerry &amp; co",
    "angle": "<not a tag> a < b > c",
    "quotes": "\"double\" and 'single'",
    "cdata_end": "x ]]> y",
    "unicode": "café – 日本語 – 🚀",
    "entity_lookalike": "&lt;already escaped&gt; &#38;",
}


def tricky_profile() -> str:
    inner = {"PayloadType": "com.apple.ManagedClient.preferences", "PayloadVersion": 1,
             "PayloadIdentifier": "com.example.test.prefs", "PayloadUUID": "11111111-2222-3333-4444-555555555555",
             "PayloadContent": {"com.example.test": {"Forced": [{"mcx_preference_settings": dict(TRICKY)}]}}}
    outer = {"PayloadType": "Configuration", "PayloadVersion": 1, "PayloadScope": "System",
             "PayloadIdentifier": "com.example.test", "PayloadUUID": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
             "PayloadDisplayName": "Tricky", "PayloadContent": [inner]}
    return plistlib.dumps(outer, sort_keys=True).decode()


def profile_desired(plist: str, name: str = "jamf-enforcer Tricky & <Co> \"profile\" é") -> R.Desired:
    return R.Desired(R.PROFILE, name, {"plist": plist, "description": "d & <d>", "category": "",
                                       "level": "computer", "groups": ["All Managed Clients"]})


def admin_client(sim: Simulator) -> JamfClient:
    cid, secret = sim.tenant(0).admin_client
    return JamfClient(sim.base_url(), ClientCredentials(cid, Secret(secret)), options=ClientOptions(ca_file=sim.ca_file))


def test_payloads_wire_escapes_ampersand_once_inside_cdata() -> None:
    wire = R.payloads_wire("<string>a &amp; b &lt;c&gt;</string> ]]> end")
    assert wire == ("<payloads><![CDATA[<string>a &amp;amp; b &amp;lt;c&amp;gt;</string> ]]]]><![CDATA[> end]]>"
                    "</payloads>")
    # An XML parser sees the CDATA text; the server's extra decode (PI-827) restores the plist.
    text = ET.fromstring(wire).text or ""
    assert text == "<string>a &amp; b &lt;c&gt;</string> ]]> end".replace("&", "&amp;")


def test_a_profile_round_trips_tricky_values_through_the_server(jamf_sim: Simulator) -> None:
    client = admin_client(jamf_sim)
    adapter = R.ProfileAdapter()
    want = profile_desired(tricky_profile())
    new_id = adapter.create(client, want, R.Context())
    remote = adapter.read_by_name(client, want.name)
    assert remote is not None and remote.id == new_id and remote.name == want.name
    assert remote.data["plist_error"] == ""
    settings = remote.data["plist"]["PayloadContent"][0]["PayloadContent"]["com.example.test"]["Forced"][0]
    assert settings["mcx_preference_settings"] == TRICKY
    assert remote.data["description"] == "d & <d>"
    # Semantically equal: the plan shows no change although the server re-serialised the plist
    # and added PayloadOrganization.
    assert "PayloadOrganization" in remote.data["plist"]
    assert adapter.view(want, R.Context()) == adapter.remote_view(remote, R.Context(), want)


def test_plain_xml_escaping_would_corrupt_the_payload(jamf_sim: Simulator) -> None:
    """Why the CDATA form exists: escaping the plist as ordinary XML text gets decoded twice."""
    client = admin_client(jamf_sim)
    from xml.sax.saxutils import escape

    plist = tricky_profile()
    body = ('<?xml version="1.0" encoding="UTF-8"?><os_x_configuration_profile><general><name>naive</name>'
            f"<payloads>{escape(plist)}</payloads></general></os_x_configuration_profile>")
    client.request("POST", "/JSSResource/osxconfigurationprofiles/id/0", xml=body, accept="application/xml")
    remote = R.ProfileAdapter().read_by_name(client, "naive")
    assert remote is not None
    stored = remote.data["plist"]
    if not remote.data["plist_error"]:
        settings = stored["PayloadContent"][0]["PayloadContent"]["com.example.test"]["Forced"][0]
        assert settings["mcx_preference_settings"] != TRICKY


def test_an_update_keeps_the_servers_top_level_uuid_and_identifier() -> None:
    server_plist = plistlib.loads(tricky_profile().encode())
    server_plist["PayloadUUID"] = "SERVER-UUID-1"
    server_plist["PayloadIdentifier"] = "SERVER-IDENTIFIER-1"
    remote = R.Remote(R.PROFILE, "7", "p", {"plist": server_plist})
    base = "https://jamf.example.test"
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, base + "/api/v1/oauth/token", json={"access_token": "t", "expires_in": 300})
        rsps.add(responses.PUT, base + "/JSSResource/osxconfigurationprofiles/id/7", status=201,
                 body="<os_x_configuration_profile><id>7</id></os_x_configuration_profile>")
        client = JamfClient(base, ClientCredentials("c", Secret("s3cret")))
        R.ProfileAdapter().update(client, remote, profile_desired(tricky_profile(), "p"), R.Context())
        body = rsps.calls[1].request.body.decode()
    assert "<redeploy_on_update>All</redeploy_on_update>" in body  # set on every update (TF)
    cdata = re.search(r"<!\[CDATA\[(.*)\]\]></payloads>", body, re.S)
    assert cdata is not None
    sent = plistlib.loads(cdata.group(1).replace("]]]]><![CDATA[>", "]]>").replace("&amp;", "&").encode())
    assert sent["PayloadUUID"] == "SERVER-UUID-1" and sent["PayloadIdentifier"] == "SERVER-IDENTIFIER-1"
    assert sent["PayloadContent"] == server_plist["PayloadContent"]


def test_profile_comparison_ignores_order_whitespace_and_server_managed_keys() -> None:
    mine = plistlib.loads(tricky_profile().encode())
    theirs = dict(reversed(list(mine.items())))
    theirs.update(PayloadUUID="X", PayloadIdentifier="Y", PayloadOrganization="Jamf", PayloadDisplayName="Z")
    text = plistlib.dumps(theirs, sort_keys=False).decode().replace("\t", "").replace("\n", "")
    assert R.profile_semantic(R.parse_payloads(text)) == R.profile_semantic(mine)
    changed = dict(mine, PayloadRemovalDisallowed=False)
    assert R.profile_semantic(changed) != R.profile_semantic(mine)


def test_an_empty_key_element_from_jamf_is_tolerated() -> None:
    original = plistlib.loads(tricky_profile().encode())
    assert R.parse_payloads(tricky_profile().replace("<dict>", "<dict><key/>", 1)) == original
    # Where plistlib rejects the empty key ("unexpected key"), the stripped form is parsed instead.
    broken = tricky_profile().replace("<key>PayloadType</key>", "<key>PayloadType</key><key/>")
    with pytest.raises(ValueError, match="unexpected key"):
        plistlib.loads(broken.encode())
    assert R.parse_payloads(broken) == original


def _captured_body(method: str, url: str, call: Any) -> dict[str, Any]:
    base = "https://jamf.example.test"
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, base + "/api/v1/oauth/token", json={"access_token": "t", "expires_in": 300})
        rsps.add(method, base + url, status=201, json={"id": "5", "href": "h"})
        call(JamfClient(base, ClientCredentials("c", Secret("s3cret"))))
        return json.loads(rsps.calls[1].request.body)


def test_an_extension_attribute_sends_only_the_script_fields() -> None:
    want = R.Desired(R.EA, "jamf-enforcer Status", {"contents": "#!/bin/zsh\n", "description": "d", "dataType": "STRING",
                                                    "inventoryDisplayType": "EXTENSION_ATTRIBUTES", "enabled": True})
    body = _captured_body("POST", "/api/v1/computer-extension-attributes",
                          lambda c: R.ExtensionAttributeAdapter().create(c, want, R.Context()))
    assert set(body) == {"name", "description", "dataType", "inputType", "inventoryDisplayType", "enabled",
                         "scriptContents"}
    assert body["inputType"] == "SCRIPT"  # the spec's upper-case enum, not jamf-upload's "script"


def test_a_script_without_a_category_sends_minus_one_and_upper_case_priority() -> None:
    want = R.Desired(R.SCRIPT, "jamf-enforcer x.zsh", {"contents": "#!/bin/zsh\n", "category": "", "priority": "after"})
    body = _captured_body("POST", "/api/v1/scripts", lambda c: R.ScriptAdapter().create(c, want, R.Context()))
    assert body["categoryId"] == "-1" and body["priority"] == "AFTER"
    assert all(body[f"parameter{n}"] == "" for n in range(4, 12))  # PUT replaces everything: send all
    want.spec["category"] = "Software Updates"
    ctx = R.Context(category_ids={"software updates": "12"})
    body = _captured_body("POST", "/api/v1/scripts", lambda c: R.ScriptAdapter().create(c, want, ctx))
    assert body["categoryId"] == "12"


def test_api_integration_ids_are_integers_and_role_ids_strings(jamf_sim: Simulator) -> None:
    client = admin_client(jamf_sim)
    roles = R.RoleAdapter().list(client, "", [])
    clients = R.ClientAdapter().list(client, "", [])
    assert all(isinstance(r.data["id"], str) for r in roles)
    assert all(isinstance(c.data["id"], int) for c in clients)
    assert all(isinstance(o.id, str) for o in [*roles, *clients])  # one id type inside the tool


def test_names_match_trimmed_and_case_insensitively_and_duplicates_are_refused() -> None:
    objs = [R.Remote(R.SCRIPT, "1", "jamf-enforcer  Agent.zsh "), R.Remote(R.SCRIPT, "2", "other")]
    assert R.find_by_name(objs, "jamf-enforcer agent.zsh") is objs[0]
    assert R.find_by_name(objs, "missing") is None
    objs.append(R.Remote(R.SCRIPT, "3", "JAMF-ENFORCER AGENT.ZSH"))
    with pytest.raises(R.DuplicateError, match=r"2 script objects are named .* \(ids 1, 3\)"):
        R.find_by_name(objs, "jamf-enforcer agent.zsh")
