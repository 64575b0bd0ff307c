"""Classic API: profiles (PI-827 payload decoding, server-kept identifiers, reformatting), policies,
accounts (and their basic-auth tokens), BlankPush."""

from __future__ import annotations

import plistlib
import xml.etree.ElementTree as ET

import pytest

from tests.sim.simclient import Api, admin

PROFILES = "/JSSResource/osxconfigurationprofiles"
VALUE = "Tom & Jerry <3> \"quoted\" é"


def _plist(**extra) -> str:
    payload = {"PayloadDisplayName": VALUE, "PayloadUUID": "CLIENT-UUID", "PayloadIdentifier": "com.example.enforcer",
               "PayloadType": "Configuration", "PayloadVersion": 1, "PayloadContent": [], **extra}
    return plistlib.dumps(payload).decode()


def _profile_xml(name: str, payloads_wire: str, **general: str) -> str:
    extra = "".join(f"<{k}>{v}</{k}>" for k, v in general.items())
    return (f"<os_x_configuration_profile><general><name>{name}</name>{extra}"
            f"<payloads>{payloads_wire}</payloads></general>"
            "<scope><all_computers>false</all_computers><computer_groups><computer_group>"
            "<name>All Managed Clients</name></computer_group></computer_groups></scope>"
            "</os_x_configuration_profile>")


def _create(api, name, wire, **general) -> int:
    response = api.xml("POST", PROFILES + "/id/0", _profile_xml(name, wire, **general))
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "os_x_configuration_profile" and [c.tag for c in root] == ["id"]
    return int(root.findtext("id"))


def _stored(api, profile_id) -> tuple[ET.Element, str]:
    root = ET.fromstring(api.get(f"{PROFILES}/id/{profile_id}").content)
    return root, root.findtext("general/payloads")


def test_pi_827_escape_once_in_cdata_round_trips(jamf_sim):
    api = admin(jamf_sim)
    wire = "<![CDATA[" + _plist().replace("&", "&amp;") + "]]>"
    _, payloads = _stored(api, _create(api, "once", wire))
    assert plistlib.loads(payloads.encode())["PayloadDisplayName"] == VALUE


def test_pi_827_unescaped_plist_in_cdata_is_stored_corrupted(jamf_sim):
    api = admin(jamf_sim)
    _, payloads = _stored(api, _create(api, "raw", "<![CDATA[" + _plist() + "]]>"))
    with pytest.raises(Exception):  # noqa: B017 - any plist parser error
        plistlib.loads(payloads.encode())
    assert "Tom & Jerry" in payloads


def test_pi_827_escaping_twice_stores_amp(jamf_sim):
    api = admin(jamf_sim)
    wire = "<![CDATA[" + _plist().replace("&", "&amp;").replace("&", "&amp;") + "]]>"
    _, payloads = _stored(api, _create(api, "twice", wire))
    assert plistlib.loads(payloads.encode())["PayloadDisplayName"].startswith("Tom &amp; Jerry &lt;3&gt;")


def test_pi_827_applies_without_cdata_too(jamf_sim):
    api = admin(jamf_sim)
    plain_xml_escape = _plist().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    _, corrupted = _stored(api, _create(api, "escaped once", plain_xml_escape))
    with pytest.raises(Exception):  # noqa: B017
        plistlib.loads(corrupted.encode())
    escaped_twice = _plist().replace("&", "&amp;").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    _, good = _stored(api, _create(api, "escaped twice", escaped_twice))
    assert plistlib.loads(good.encode())["PayloadDisplayName"] == VALUE


def test_server_keeps_its_identifiers_adds_keys_and_trims_names(jamf_sim):
    api = admin(jamf_sim)
    profile_id = _create(api, "  Enforcer settings  ", "<![CDATA[" + _plist().replace("&", "&amp;") + "]]>",
                         redeploy_on_update="All")
    root, payloads = _stored(api, profile_id)
    stored = plistlib.loads(payloads.encode())
    assert root.findtext("general/name") == "Enforcer settings"
    assert root.findtext("general/redeploy_on_update") == "Newly Assigned"
    assert stored["PayloadOrganization"] == jamf_sim.config.organization
    assert root.findtext("general/uuid") == stored["PayloadUUID"] == "CLIENT-UUID"
    new = _plist(PayloadUUID="NEW-UUID", PayloadIdentifier="com.example.other", PayloadOrganization="Mine")
    update = _profile_xml("Enforcer settings", "<![CDATA[" + new.replace("&", "&amp;") + "]]>",
                          redeploy_on_update="All")
    response = api.xml("PUT", f"{PROFILES}/id/{profile_id}", update)
    assert response.status_code == 201
    assert ET.fromstring(response.content).findtext("id") == str(profile_id)
    root, payloads = _stored(api, profile_id)
    stored = plistlib.loads(payloads.encode())
    assert (stored["PayloadUUID"], stored["PayloadIdentifier"]) == ("CLIENT-UUID", "com.example.enforcer")
    assert stored["PayloadOrganization"] == "Mine"
    assert root.findtext("general/redeploy_on_update") == "Newly Assigned"


def test_profile_reads_lists_names_json_and_delete(jamf_sim):
    api = admin(jamf_sim)
    profile_id = _create(api, "A/B profile", "<![CDATA[" + _plist().replace("&", "&amp;") + "]]>")
    listing = api.get(PROFILES, headers={"Accept": "application/json"}).json()
    assert listing == {"os_x_configuration_profiles": [{"id": profile_id, "name": "A/B profile"}]}
    assert ET.fromstring(api.get(PROFILES).content).findtext("size") == "1"
    by_name = api.get(f"{PROFILES}/name/A%2FB%20profile", headers={"Accept": "application/json"}).json()
    general = by_name["os_x_configuration_profile"]["general"]
    assert general["id"] == profile_id and general["category"] == {"id": -1, "name": "No category assigned"}
    subset = ET.fromstring(api.get(f"{PROFILES}/id/{profile_id}/subset/General").content)
    assert [c.tag for c in subset] == ["general"]
    deleted = api.delete(f"{PROFILES}/id/{profile_id}")
    assert deleted.status_code == 200 and ET.fromstring(deleted.content).findtext("id") == str(profile_id)
    missing = api.get(f"{PROFILES}/id/{profile_id}")
    assert missing.status_code == 404 and "<p>Error: " in missing.text


def test_profile_conflicts(jamf_sim):
    api = admin(jamf_sim)
    wire = "<![CDATA[" + _plist().replace("&", "&amp;") + "]]>"
    _create(api, "Same", wire)
    duplicate = api.xml("POST", PROFILES + "/id/0", _profile_xml(" same ", wire))
    assert duplicate.status_code == 409 and "<p>Error: Duplicate name</p>" in duplicate.text
    category = api.xml("POST", PROFILES + "/id/0",
                       _profile_xml("x", wire, category="<name>Missing</name>"))
    assert category.status_code == 409 and "Problem with category" in category.text
    scope = api.xml("POST", PROFILES + "/id/0", _profile_xml("y", wire).replace("All Managed Clients", "Nobody"))
    assert scope.status_code == 409
    assert len(jamf_sim.tenant(0).profiles) == 1


def test_policies(jamf_sim):
    api = admin(jamf_sim)
    api.post("/api/v1/categories", json={"name": "Software Updates", "priority": 9})
    script_id = api.post("/api/v1/scripts", json={"name": "enforcer"}).json()["id"]
    body = ("<policy><general><name>Enforcer credential</name><enabled>true</enabled>"
            "<frequency>Once per computer</frequency><category><name>Software Updates</name></category></general>"
            "<scripts><size>1</size><script><name>enforcer</name><priority>After</priority>"
            "<parameter4>client-id</parameter4></script></scripts></policy>")
    created = api.xml("POST", "/JSSResource/policies/id/0", body)
    assert created.status_code == 201
    policy_id = ET.fromstring(created.content).findtext("id")
    as_json = api.get(f"/JSSResource/policies/id/{policy_id}", headers={"Accept": "application/json"}).json()
    policy = as_json["policy"]
    assert policy["general"]["enabled"] is True and policy["general"]["category"]["name"] == "Software Updates"
    assert policy["scripts"] == [{"name": "enforcer", "priority": "After", "parameter4": "client-id",
                                  "id": int(script_id)}]
    partial = api.xml("PUT", f"/JSSResource/policies/id/{policy_id}",
                      "<policy><general><enabled>false</enabled></general></policy>")
    assert partial.status_code == 201
    root = ET.fromstring(api.get(f"/JSSResource/policies/id/{policy_id}").content)
    assert root.findtext("general/enabled") == "false"
    assert root.findtext("general/name") == "Enforcer credential"
    assert root.findtext("scripts/script/parameter4") == "client-id"
    bad_script = api.xml("POST", "/JSSResource/policies/id/0",
                         body.replace("Enforcer credential", "other").replace("<name>enforcer</name>", "<id>99</id>"))
    assert bad_script.status_code == 409 and "Problem with script" in bad_script.text


def test_accounts_get_basic_auth_tokens_with_their_privileges(jamf_sim):
    api = admin(jamf_sim)
    body = ("<account><name>update-agent</name><full_name>Update agent</full_name><password>s3cret pw</password>"
            "<access_level>Full Access</access_level><privilege_set>Custom</privilege_set><privileges>"
            "<jss_objects><privilege>Read Computers</privilege>"
            "<privilege>Jamf Pro Server Objects &gt; Managed Software Updates &gt; Read</privilege></jss_objects>"
            "<jss_actions><privilege>Send Computer Remote Command to Download and Install OS X Update</privilege>"
            "</jss_actions></privileges></account>")
    created = api.xml("POST", "/JSSResource/accounts/userid/0", body)
    assert created.status_code == 201
    account_id = ET.fromstring(created.content).findtext("id")
    account = ET.fromstring(api.get(f"/JSSResource/accounts/userid/{account_id}").content)
    assert account.find("password") is None
    assert [p.text for p in account.findall("privileges/jss_objects/privilege")] == [
        "Read Computers", "Read Managed Software Updates"]
    as_json = api.get("/JSSResource/accounts/username/update-agent", headers={"Accept": "application/json"}).json()
    assert as_json["account"]["privileges"]["jss_actions"] == [
        "Send Computer Remote Command to Download and Install OS X Update"]
    users = api.get("/JSSResource/accounts", headers={"Accept": "application/json"}).json()["accounts"]["users"]
    assert [u["name"] for u in users] == ["simadmin", "update-agent"]
    agent = Api(jamf_sim).login_account("update-agent", "s3cret pw")
    assert agent.get("/api/v1/computers-inventory").status_code == 200
    assert agent.get("/api/v1/managed-software-updates/plans/feature-toggle").status_code == 200
    assert agent.post("/api/v1/macos-managed-software-updates/send-updates", json={"deviceIds": ["1"]}).status_code == 200
    assert agent.get("/api/v1/scripts").status_code == 403
    assert agent.get("/JSSResource/accounts").status_code == 403
    changed = api.xml("PUT", f"/JSSResource/accounts/userid/{account_id}",
                      "<account><password>new pw</password><enabled>Disabled</enabled></account>")
    assert changed.status_code == 201
    assert Api(jamf_sim).basic_token("update-agent", "new pw").status_code == 401  # disabled
    api.xml("PUT", f"/JSSResource/accounts/userid/{account_id}", "<account><enabled>Enabled</enabled></account>")
    assert Api(jamf_sim).basic_token("update-agent", "s3cret pw").status_code == 401
    assert Api(jamf_sim).basic_token("update-agent", "new pw").status_code == 200


def test_account_conflicts(jamf_sim):
    api = admin(jamf_sim)
    good = "<account><name>a</name><password>p</password></account>"
    assert api.xml("POST", "/JSSResource/accounts/userid/0", good).status_code == 201
    assert api.xml("POST", "/JSSResource/accounts/userid/0", good).status_code == 409
    no_password = api.xml("POST", "/JSSResource/accounts/userid/0", "<account><name>b</name></account>")
    assert no_password.status_code == 409
    bad_privilege = api.xml("POST", "/JSSResource/accounts/userid/0",
                            "<account><name>c</name><password>p</password><privileges><jss_objects>"
                            "<privilege>Read Everything</privilege></jss_objects></privileges></account>")
    assert bad_privilege.status_code == 409 and "Read Everything" in bad_privilege.text
    assert api.delete("/JSSResource/accounts/username/simadmin").status_code == 409
    assert api.delete("/JSSResource/accounts/username/a").status_code == 200
    assert api.get("/JSSResource/accounts/username/a").status_code == 404


def test_blank_push(jamf_sim):
    api = admin(jamf_sim)
    response = api.post("/JSSResource/computercommands/command/BlankPush/id/3")
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.findtext("command/name") == "BlankPush" and root.findtext("command/computer_id") == "3"
    assert [p["computerId"] for p in jamf_sim.tenant(0).blank_pushes] == ["3"]
    assert api.post("/JSSResource/computercommands/command/BlankPush/id/999").status_code == 404


def test_classic_requires_a_token(jamf_sim):
    response = Api(jamf_sim).get(PROFILES)
    assert response.status_code == 401 and "<p>Error: " in response.text
    user, password = jamf_sim.tenant(0).admin_account
    basic = Api(jamf_sim).http.get(jamf_sim.base_url() + PROFILES, auth=(user, password))
    assert basic.status_code == 401  # Classic basic auth is off, as on new Jamf Pro instances


def test_policy_log_flush_is_served_with_its_privileges(jamf_sim):
    """rotate flushes the credential policy's log so every Mac re-runs it (Classic logflush)."""
    import requests

    t = jamf_sim.tenant(0)
    base = jamf_sim.base_url()
    admin_id, admin_secret = t.admin_client
    token = requests.post(f"{base}/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": admin_id,
                          "client_secret": admin_secret}, verify=jamf_sim.ca_file, timeout=10).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    created = requests.post(f"{base}/JSSResource/policies/id/0", headers=headers, verify=jamf_sim.ca_file, timeout=10,
                            data="<policy><general><name>flush me</name></general></policy>")
    assert created.status_code == 201, created.text
    policy_id = int(created.text.split("<id>")[1].split("</id>")[0])
    url = f"{base}/JSSResource/logflush/policy/id/{policy_id}/interval/Zero+Days"
    assert requests.delete(url, headers=headers, verify=jamf_sim.ca_file, timeout=10).status_code == 200
    assert t.policy_flushes == [policy_id]
    missing = requests.delete(f"{base}/JSSResource/logflush/policy/id/999/interval/Zero+Days", headers=headers,
                              verify=jamf_sim.ca_file, timeout=10)
    assert missing.status_code == 404
    t.add_role("no flush", ["Delete Policies"])
    _, cid, secret = t.add_client("no flush", ["no flush"])
    weak = requests.post(f"{base}/api/v1/oauth/token", data={"grant_type": "client_credentials", "client_id": cid,
                         "client_secret": secret}, verify=jamf_sim.ca_file, timeout=10).json()["access_token"]
    denied = requests.delete(url, headers={"Authorization": f"Bearer {weak}"}, verify=jamf_sim.ca_file, timeout=10)
    assert denied.status_code == 403 and "Flush Policy Logs" in denied.text
