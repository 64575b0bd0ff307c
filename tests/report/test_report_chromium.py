"""The report page in a real browser: Debian's chromium, headless, ``--dump-dom``.

The numbers in the DOM equal the JSON output (which ``test_report`` ties to the simulator's
state), and the page's Content-Security-Policy stops every load: a copy of the page with an image,
a stylesheet, a script, a frame and a font pointed at a local HTTP server makes no request to it,
while the same copy without the CSP does (so the check can fail).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.report.html import CSP
from tests.report.conftest import ReportRig
from tests.report.test_report import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run")


@pytest.fixture(autouse=True)
def _need_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/install installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")


def dump_dom(page: Path, profile: Path) -> str:
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Numbers(HTMLParser):
    """Every element with ``data-tenant``: (tenant, state or reason) -> the number it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[tuple[str, str], int] = {}
        self.csp: list[str] = []
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a.get("content") or "")
        if "data-tenant" in a:
            self._open = (a["data-tenant"] or "", a.get("data-state") or a.get("data-reason") or "")

    def handle_data(self, data: str) -> None:
        if self._open is not None and data.strip():
            self.found[self._open] = int(data.strip())
            self._open = None


def test_dom_numbers_equal_the_json(report_rig: ReportRig, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, _, err = cli("report", str(report_rig.path), "--tenant", "all", "--out", str(page), "--ca-file",
                       report_rig.sim.ca_file or "")
    assert code == 0, err
    code, out, err = cli("report", str(report_rig.path), "--tenant", "all", "--output", "json", "--ca-file",
                         report_rig.sim.ca_file or "")
    assert code == 0, err
    summary = json.loads(out)
    parser = Numbers()
    parser.feed(dump_dom(page, tmp_path / "profile"))
    assert parser.csp == [CSP]
    want: dict[tuple[str, str], int] = {}
    for block in [*summary["tenants"], summary["all"]]:
        want.update({(block["tenant"], s): n for s, n in block["states"].items()})
        want[(block["tenant"], "total")] = block["total"]
        want.update({(block["tenant"], r["reason"]): r["count"] for r in block["reasons"]})
    assert parser.found == want


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"/* loaded */")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_the_csp_forbids_every_load(report_rig: ReportRig, tmp_path: Path, counting_server: tuple[str, list[str]]) -> None:
    base, hits = counting_server
    page = tmp_path / "report.html"
    code, _, err = cli("report", str(report_rig.path), "--tenant", "t0", "--out", str(page), "--ca-file",
                       report_rig.sim.ca_file or "")
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    loads = (f'<img src="{base}/img"><link rel="stylesheet" href="{base}/css"><script src="{base}/js"></script>'
             f'<iframe src="{base}/frame"></iframe><style>@font-face{{font-family:x;src:url({base}/font)}}'
             f'body{{font-family:x;background:url({base}/bg)}}</style><object data="{base}/object"></object>')
    attacked = tmp_path / "attacked.html"
    attacked.write_text(html.replace("</body>", loads + "</body>"), encoding="utf-8")
    dump_dom(attacked, tmp_path / "p1")
    assert hits == []
    without_csp = tmp_path / "without-csp.html"
    without_csp.write_text(attacked.read_text(encoding="utf-8").replace(f'content="{CSP}"', 'content="default-src *"'),
                           encoding="utf-8")
    dump_dom(without_csp, tmp_path / "p2")
    assert hits, "the control page loaded nothing: the check would pass for any page"
