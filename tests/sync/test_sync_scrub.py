"""Scrubbing (issue 12): every form a secret takes in an echoed request or error is removed from every
output.  The canary test points the CLI at a server that echoes the credentials it received, in one
form per run, and reads stdout and stderr for the canary in every form, for each output format (text,
JSON, markdown)."""

from __future__ import annotations

import base64
import html
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, quote, quote_plus

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.jamf.client.scrub import Scrubber
from generator.sim.tls import make_tls_files, server_context

CANARY = 'cAnAry-5ecret "q\\ & ü+/=end'
CLIENT_ID = "canary-client-id"
USER = "canary-user"
OUTPUTS = ("text", "json", "markdown")


def b64_at(k: int, text: str) -> str:
    """base64 of ``text`` inside a longer message, starting at byte ``k`` of a three-byte group."""
    return base64.b64encode(("x" * k + text + " tail").encode()).decode()


# What the echoing server sends back: each a function of what it received (the secret it decoded,
# the raw form body, the Authorization header).
FORMS = {
    "raw": lambda s, body, auth: s,
    "url-encoded": lambda s, body, auth: quote(s, safe=""),
    "form body (+ for space)": lambda s, body, auth: body,
    "json-escaped": lambda s, body, auth: json.dumps({"client_secret": s}),
    "base64, aligned 0": lambda s, body, auth: b64_at(0, s),
    "base64, aligned 1": lambda s, body, auth: b64_at(1, s),
    "base64, aligned 2": lambda s, body, auth: b64_at(2, s),
    "base64 id:secret, aligned 0": lambda s, body, auth: b64_at(0, f"{CLIENT_ID}:{s}"),
    "base64 id:secret, aligned 1": lambda s, body, auth: b64_at(1, f"{CLIENT_ID}:{s}"),
    "base64 id:secret, aligned 2": lambda s, body, auth: b64_at(2, f"{CLIENT_ID}:{s}"),
    "basic auth header": lambda s, body, auth: auth,
}


def every_form(secret: str, user: str) -> list[str]:
    """The spellings a test looks for in output (independent of the scrubber's own list)."""
    forms = [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], html.escape(secret)]
    for text in (secret, f"{user}:{secret}"):
        forms += [b64_at(k, text)[4:-8] for k in range(3)]  # a stretch inside each encoding
    return forms


class Echo(BaseHTTPRequestHandler):
    form = "raw"
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        auth = self.headers.get("Authorization", "")
        secret = parse_qs(body).get("client_secret", [""])[0]
        if auth.startswith("Basic "):
            secret = base64.b64decode(auth[6:]).decode().partition(":")[2]
        Echo.seen.append(self.path)
        text = f"echo: {FORMS[Echo.form](secret, body, auth)}"
        payload = text.encode()
        self.send_response(400)
        self.send_header("Content-Type", "text/plain")  # shown as it is (JSON bodies are parsed first)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``(https URL, CA file)`` of the echoing server (TLS from the simulator's per-run CA)."""
    ca, cert, key = make_tls_files(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.socket = server_context(cert, key).wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", str(ca)
    server.shutdown()
    server.server_close()


def _bundle(tmp_path: Path, url: str, method: str) -> str:
    text = (Path(__file__).resolve().parents[2] / "examples" / "bundle.toml").read_text(encoding="utf-8")
    text = text.split("[tenants.production]")[0] + f'\n[tenants.echo]\nurl = "{url}"\n'
    if method == "client":
        text += 'client_id = "env:JE_CANARY_ID"\nclient_secret = "env:JE_CANARY_SECRET"\n'
    else:
        text += 'username = "env:JE_CANARY_ID"\npassword = "env:JE_CANARY_SECRET"\n'
    path = tmp_path / "bundle.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("method", ["client", "account"])
@pytest.mark.parametrize("output", OUTPUTS)
def test_no_form_of_the_canary_reaches_any_output(echo: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  method: str, output: str) -> None:
    user = CLIENT_ID if method == "client" else USER
    monkeypatch.setenv("JE_CANARY_ID", user)
    monkeypatch.setenv("JE_CANARY_SECRET", CANARY)
    url, ca = echo
    bundle = _bundle(tmp_path, url, method)
    runner = CliRunner()
    for form in FORMS:
        if (method == "client" and form == "basic auth header") or (method == "account" and form.startswith("form")):
            continue  # that request carries no such thing
        Echo.form, Echo.seen = form, []
        result = runner.invoke(app, ["plan", bundle, "--tenant", "echo", "--output", output, "--ca-file", ca])
        everything = result.stdout + result.stderr
        assert Echo.seen, f"{form}: the server was not asked"
        marked = "<secret>" in everything or "&lt;secret&gt;" in everything  # markdown escapes HTML
        assert "echo:" in everything and marked, f"{form}: the echo did not reach the output"
        for spelling in every_form(CANARY, user):
            assert spelling not in everything, f"{form} ({output}): {spelling!r} in the output:\n{everything}"
        assert CANARY[:10] not in everything


def test_the_scrubber_removes_each_form_wherever_it_starts() -> None:
    scrubber = Scrubber()
    scrubber.add(CANARY, user=CLIENT_ID)
    for name, form in FORMS.items():
        if name in ("basic auth header", "form body (+ for space)"):
            continue
        for prefix in ("", "a", "ab", "abc "):
            text = scrubber.scrub(prefix + form(CANARY, "", "") + " after")
            for spelling in every_form(CANARY, CLIENT_ID):
                assert spelling not in text, (name, prefix, text)


def test_short_values_are_not_scrubbed_and_short_base64_fragments_are_not_used() -> None:
    scrubber = Scrubber()
    scrubber.add("abc")
    scrubber.add("abcd")
    assert scrubber.scrub("abc xabcdx YWJjZA==") == "abc x<secret>x <secret>"
