"""A bounded, seeded fuzz corpus on loopback: the simulator answers everything with a proper status
and error shape, never a 500, and keeps serving."""

from __future__ import annotations

import http.client
import json
import random
import socket
import ssl

from generator.sim.routes import routes
from tests.contract.openapi import check_exchange
from tests.sim.simclient import admin

CONTENT_TYPES = ["application/json", "application/xml", "text/xml", "application/x-www-form-urlencoded",
                 "text/plain", "", "application/json; charset=utf-8", "multipart/form-data; boundary=x"]
VALUES = [None, True, False, 0, -1, 2**63, 1.5, "", " ", "x" * 300, "é\u0000\ud7ff", [], {}, [1, "a"], {"a": {"b": []}},
          "*", '"', "<a>&amp;</a>", "1;DROP TABLE", "../../etc/passwd"]


def _mutated_json(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.2:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
    if roll < 0.3:
        return b"[" * rng.randint(1, 5000)
    if roll < 0.4:
        return b'{"name": "' + b"a" * rng.randint(0, 100)
    keys = ["name", "displayName", "privileges", "authorizationScopes", "priority", "devices", "config", "toggle",
            "deviceIds", "inputType", "dataType", "inventoryDisplayType", "scriptContents", "id", "enabled",
            "accessTokenLifetimeSeconds", "categoryId", "popupMenuChoices", "groupId", "unknown"]
    body = {rng.choice(keys): rng.choice(VALUES) for _ in range(rng.randint(0, 6))}
    if rng.random() < 0.3:
        body["devices"] = [{"objectType": rng.choice(["COMPUTER", "X", 1]), "deviceId": rng.choice(["1", "", 5, None])}]
        body["config"] = {"updateAction": rng.choice(["DOWNLOAD_ONLY", "x"]), "versionType": "LATEST_ANY"}
    return json.dumps(body).encode()


def _mutated_xml(rng: random.Random) -> bytes:
    roots = ["os_x_configuration_profile", "policy", "account", "computer", "computer_group", "x"]
    root = rng.choice(roots)
    inner = rng.choice(["", "<general><name>" + rng.choice(["", " n ", "a" * 300, "&amp;", "é"]) + "</name></general>",
                        "<general><payloads><![CDATA[<plist>&</plist>]]></payloads></general>",
                        "<name>x</name><password>p</password><privileges><jss_objects><privilege>Nope</privilege>"
                        "</jss_objects></privileges>", "<scope><computer_groups><computer_group><id>x</id>"
                        "</computer_group></computer_groups></scope>", "<scripts><script><id>1</id></script></scripts>",
                        "<general>", "&undefined;", "<![CDATA[", "<a b='1' b='2'/>"])
    return f"<{root}>{inner}</{root}>".encode()


def _target(rng: random.Random) -> tuple[str, str]:
    """Mostly a route's own method (so requests get past routing), sometimes any method."""
    route = rng.choice(routes())
    method = route.method if rng.random() < 0.75 else rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                                                   "OPTIONS"])
    template = route.template
    for key in ("id", "name", "command", "subset"):
        template = template.replace("{" + key + "}", rng.choice(["1", "1", "2", "0", "-1", "abc", "%2F", "%00",
                                                                 "9" * 30, "BlankPush", "General", "%E2%9C%93"]))
    suffix = rng.choice(["", "", "", "", "?page=abc", "?filter=name%3D%3D", "?page-size=99999", "?section=X&sort=,,",
                         "?filter=" + "(" * 50, "/extra", "?" + "a=b&" * 50, "?section=HARDWARE&page-size=3"])
    return method, template + suffix


def test_fuzz_corpus_keeps_the_simulator_serving(jamf_sim_factory):
    # Not published to the session's contract check: these requests are not the project's.
    jamf_sim = jamf_sim_factory(publish_exchanges=False)
    rng = random.Random(20240607)
    api = admin(jamf_sim)
    token = api.http.headers["Authorization"]
    context = ssl.create_default_context(cafile=jamf_sim.ca_file)
    connection = http.client.HTTPSConnection("127.0.0.1", jamf_sim.port, context=context, timeout=10)
    statuses: list[int] = []
    for _ in range(350):
        method, path = _target(rng)
        body = _mutated_xml(rng) if path.startswith("/JSSResource") and rng.random() < 0.7 else _mutated_json(rng)
        headers = {"Content-Type": rng.choice(CONTENT_TYPES), "Accept": rng.choice(["application/json", "*/*", ""])}
        if rng.random() < 0.8:
            headers["Authorization"] = token
        elif rng.random() < 0.5:
            headers["Authorization"] = rng.choice(["Bearer", "Basic ###", "Bearer " + "x" * 2000, "Digest a=b"])
        try:
            connection.request(method, path, body=body if method not in ("GET", "HEAD") else None, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            if response.status == 401 and headers.get("Authorization") == token:  # the corpus hit invalidate-token
                token = admin(jamf_sim).http.headers["Authorization"]
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (http.client.HTTPException, OSError):
            connection.close()
    connection.close()
    for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x16\x03\x01\x00\x05hello\r\n\r\n", b"GET " + b"a" * 70000,
                b"POST /api/v1/scripts HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                b"POST /api/v1/scripts HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
        with socket.create_connection(("127.0.0.1", jamf_sim.port), timeout=5) as plain:
            try:
                with context.wrap_socket(plain, server_hostname="127.0.0.1") as tls:
                    tls.sendall(raw)
                    tls.recv(1024)
            except (OSError, ssl.SSLError):
                pass
    assert len(statuses) > 300
    assert 500 not in statuses
    assert not any(e["status"] == 500 for e in jamf_sim.tenant(0).request_log)
    problems = [p for e in jamf_sim.exchanges  # the simulator's answers, even to nonsense, keep the contract
                for p in check_exchange(e["method"], e["path"], e["status"], None, e["response_json"])]
    assert problems == []
    assert sum(1 for e in jamf_sim.exchanges if e["status"] < 300) > 40
    assert admin(jamf_sim).get("/api/v1/jamf-pro-version").json() == {"version": "11.12.0"}
