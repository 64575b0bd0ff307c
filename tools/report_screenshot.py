"""Regenerate the README's report screenshot (docs/report.png) from the simulator.

Starts a simulator (2 tenants x 400 Macs with seeded agent states), applies examples/bundle.toml
to both with the bootstrap admin, creates a client on exactly the reporter role
(dist/jamf/reporter-role.json), runs ``jamf-enforcer report`` with that client and photographs
the page with Debian's chromium, headless.

    PYTHONPATH=$PWD python3 tools/report_screenshot.py [docs/report.png] [--html report.html]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.bundle import load_bundle  # noqa: E402
from generator.catalogue import reporter_privileges  # noqa: E402
from generator.jamf import sync  # noqa: E402
from generator.sim import SimConfig, Simulator  # noqa: E402

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars")


def bundle(sim: Simulator, folder: Path, prefix: str, names: list[str]) -> Path:
    text = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8").split("[tenants.production]")[0]
    for i, name in enumerate(names):
        text += (f'\n[tenants.{name}]\nurl = "{sim.base_url(i)}"\n'
                 f'client_id = "env:{prefix}_{i}_ID"\nclient_secret = "env:{prefix}_{i}_SECRET"\n')
    path = folder / f"{prefix.lower()}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("png", nargs="?", default=str(ROOT / "docs" / "report.png"))
    parser.add_argument("--html", default=None, help="also keep the page here")
    args = parser.parse_args()
    names = ["eu-prod", "us-prod"]
    with tempfile.TemporaryDirectory() as tmp, Simulator(SimConfig(tenants=2, fleet=400, agent_states=True,
                                                                   publish_exchanges=False)) as sim:
        folder = Path(tmp)
        for i in range(2):
            t = sim.tenant(i)
            os.environ[f"SHOT_ADMIN_{i}_ID"], os.environ[f"SHOT_ADMIN_{i}_SECRET"] = t.admin_client
            t.add_role("jamf-enforcer reporter", reporter_privileges())
            _, client_id, secret = t.add_client("report screenshot", ["jamf-enforcer reporter"])
            os.environ[f"SHOT_REPORT_{i}_ID"], os.environ[f"SHOT_REPORT_{i}_SECRET"] = client_id, secret
        admin = load_bundle(bundle(sim, folder, "SHOT_ADMIN", names))
        results = sync.run_tenants(admin, list(admin.tenants), "apply", sync.SyncOptions(ca_file=sim.ca_file))
        assert all(r.ok for r in results), [r.error for r in results]
        page = Path(args.html) if args.html else folder / "report.html"
        subprocess.run([sys.executable, "-m", "generator", "report", str(bundle(sim, folder, "SHOT_REPORT", names)),
                        "--tenant", "all", "--out", str(page), "--ca-file", str(sim.ca_file)], check=True, cwd=ROOT)
        png = Path(args.png).resolve()
        png.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chromium", *FLAGS, f"--user-data-dir={folder / 'profile'}", f"--screenshot={png}",
                        "--window-size=1200,2200", page.resolve().as_uri()], check=True, capture_output=True)
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
