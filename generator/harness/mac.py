"""``Mac``: one simulated Mac for the harness — a private root, a stub state folder, and helpers
that write the JSON the stubs read (see the package docstring for each file's format).

Tests get one from the ``mac`` fixture; ``jamf-enforcer validate`` and ``bench/agent.py`` build
their own.  Every helper writes files only under ``base``.
"""

from __future__ import annotations

import json
import plistlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .runner import DEFAULT_NOW, Result, run_script

if TYPE_CHECKING:  # not at run time: generator.sim needs the simulator's extras, validate does not
    from ..sim.fleet import MacFacts

JAMF_PLIST = "/Library/Preferences/com.jamfsoftware.jamf.plist"
SYSTEM_KEYCHAIN = "System.keychain"


class Mac:
    """A simulated Mac.  ``root`` stands in for ``/``; ``state`` configures the stubs."""

    def __init__(self, base: Path, script: Path | None = None) -> None:
        self.base = Path(base)
        self.root = self.base / "root"
        self.state = self.base / "state"
        self.root.mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True)
        self.script = script
        self.env: dict[str, str] = {}
        (self.state / "now").write_text(f"{DEFAULT_NOW}\n")
        self.configure()
        self.set_jamf()

    # --- raw state files ------------------------------------------------------------------
    def read_state(self, name: str) -> Any:
        path = self.state / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def write_state(self, name: str, data: Any) -> None:
        (self.state / f"{name}.json").write_text(json.dumps(data, indent=1, sort_keys=True))

    def update_state(self, name: str, **values: Any) -> None:
        data = self.read_state(name)
        data.update(values)
        self.write_state(name, data)

    def path(self, absolute: str) -> Path:
        """Where a Mac path lives inside the root."""
        return self.root / absolute.lstrip("/")

    # --- configuration --------------------------------------------------------------------
    def configure(self, *, arch: str = "arm64", macos: str = "15.1", build: str = "24B83",
                  serial: str = "C02TEST0001", udid: str = "00000000-0000-4000-8000-000000000001",
                  console_user: str | None = None, parent_process: str | None = None) -> Mac:
        """arch is ``arm64`` or ``i386`` (what ``arch`` prints on Intel)."""
        self.write_state("system", {"arch": arch, "product_version": macos, "build_version": build,
                                    "serial": serial, "udid": udid, "console_user": console_user,
                                    "parent_process": parent_process})
        return self

    def apply_facts(self, facts: MacFacts) -> Mac:
        """Make this Mac the one a simulator fact record describes (``generator.sim.fleet``): the
        same OS, build, architecture, serial, UDID, enrollment and bootstrap token state."""
        state = facts.harness_state()
        self.set_system(**state["system"])
        profiles = self.read_state("profiles") or {"bootstrap_supported": True, "dep": True, "mdm_available": True}
        profiles.update(state["profiles"])
        self.write_state("profiles", profiles)
        return self

    def set_system(self, **values: Any) -> Mac:
        self.update_state("system", **values)
        return self

    def set_jamf(self, *, version: str = "11.12.0", jss_url: str | None = "https://jamf.example.com/",
                 recon_id: int = 1, recon_exit: int = 0, available: bool = True, installed: bool = True) -> Mac:
        """The jamf binary's answers and the Jamf client's preferences (jss_url)."""
        self.write_state("jamf", {"version": version, "jss_url": jss_url or "", "recon_id": recon_id,
                                  "recon_exit": recon_exit, "available": available})
        plist = self.path(JAMF_PLIST)
        if jss_url is None:
            plist.unlink(missing_ok=True)
        else:
            self.write_plist(JAMF_PLIST, {"jss_url": jss_url, "allowInvalidCertificate": False})
        if not installed:
            self.write_state("jamf", {"missing": True})
        return self

    def write_plist(self, absolute: str, data: dict[str, Any], *, binary: bool = False) -> Path:
        target = self.path(absolute)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(plistlib.dumps(data, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML))
        return target

    def read_plist(self, absolute: str) -> dict[str, Any] | None:
        target = self.path(absolute)
        return plistlib.loads(target.read_bytes()) if target.exists() else None

    def set_managed(self, domain: str, *, binary: bool = True, **keys: Any) -> Mac:
        """Managed preferences as a delivered profile leaves them (binary plist, like macOS)."""
        absolute = f"/Library/Managed Preferences/{domain}.plist"
        if keys:
            self.write_plist(absolute, keys, binary=binary)
        else:
            self.path(absolute).unlink(missing_ok=True)
        return self

    def set_updates(self, updates: list[dict[str, Any]], *, install_exit: int = 0) -> Mac:
        """Pending updates; each {"label", "title", "version"[, "size_kib", "recommended", "restart"]}."""
        state = self.read_state("softwareupdate")
        state.update(updates=updates, install_exit=install_exit)
        self.write_state("softwareupdate", state)
        return self

    def macos_update(self, version: str = "15.6.1", build: str = "24G90", name: str = "Sequoia") -> dict[str, Any]:
        return {"label": f"macOS {name} {version}-{build}", "title": f"macOS {name} {version}",
                "version": version, "size_kib": 1536000, "recommended": True, "restart": True}

    def add_user(self, name: str, password: str, *, uid: int | None = None, admin: bool = False,
                 secure_token: bool = True, volume_owner: bool = True) -> Mac:
        users = self.read_state("users")
        users[name] = {"uid": uid or 501 + len(users), "password": password, "admin": admin,
                       "secure_token": secure_token, "volume_owner": volume_owner,
                       "generated_uid": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)).upper(), "hidden": False}
        self.write_state("users", users)
        return self

    def users(self) -> dict[str, Any]:
        return self.read_state("users")

    def set_console_user(self, name: str | None) -> Mac:
        return self.set_system(console_user=name)

    def dialog_answers(self, *answers: dict[str, Any]) -> Mac:
        """Answers for successive dialogs: {"button": ..., "text": ..., "gave_up": bool, "returncode": int}."""
        self.write_state("osascript", {"answers": list(answers), "next": 0})
        return self

    def dialogs_shown(self) -> list[dict[str, Any]]:
        return self.read_state("osascript").get("shown", [])

    def set_bootstrap(self, *, supported: bool = True, escrowed: bool = True, valid: bool = True,
                      enrolled: bool = True, mdm_available: bool = True,
                      mdm_server: str = "https://jamf.example.com/mdm/ServerURL") -> Mac:
        self.write_state("profiles", {"bootstrap_supported": supported, "bootstrap_escrowed": escrowed,
                                      "bootstrap_valid": valid, "enrolled": enrolled, "dep": True,
                                      "mdm_available": mdm_available, "mdm_server": mdm_server})
        return self

    def keychain(self) -> list[dict[str, Any]]:
        return self.read_state("keychain").get("items", [])

    def keychain_item(self, service: str, account: str) -> dict[str, Any] | None:
        for item in self.keychain():
            if item["service"] == service and item["account"] == account:
                return item
        return None

    # --- clock ----------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return int((self.state / "now").read_text().strip())

    @now.setter
    def now(self, value: int) -> None:
        (self.state / "now").write_text(f"{int(value)}\n")

    def advance(self, seconds: int) -> None:
        self.now = self.now + seconds

    # --- running --------------------------------------------------------------------------
    def run(self, args: list[str] | None = None, *, script: Path | None = None, env: dict[str, str] | None = None,
            stdin: str | None = None, timeout: float = 60, prefix: list[str] | None = None) -> Result:
        target = script or self.script
        if target is None:
            raise ValueError("Mac.run: no script given and none set on the Mac")
        return run_script(Path(target), list(args or []), root=self.root, state=self.state,
                          env={**self.env, **(env or {})}, stdin=stdin, timeout=timeout, prefix=prefix)

    def calls(self) -> list[dict[str, Any]]:
        from .runner import read_calls

        return read_calls(self.state / "calls.jsonl")

    def files(self) -> list[str]:
        """Every file under the root, as Mac paths (for 'nothing written elsewhere' checks)."""
        return sorted("/" + str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file())
