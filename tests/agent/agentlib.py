"""Helpers shared by the agent tests (imported as ``tests.agent.agentlib``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.bundle import parse_bundle
from generator.harness import Mac, Result
from generator.render import agent_context
from generator.sim import Simulator
from generator.sim.clock import Clock

# Every msu_workflow x credential_method combination a bundle can choose.
VARIANTS = [
    {"msu_workflow": w, "credential_method": m}
    for w in ("auto", "new", "legacy") for m in ("jamf-client", "jamf-account", "none")
]


def variant_id(variant: dict[str, str]) -> str:
    return f"{variant['msu_workflow']}-{variant['credential_method']}"


def context_of(dist: Path) -> dict[str, Any]:
    return agent_context(parse_bundle((dist / "bundle.toml").read_text(), "bundle.toml"))


class AgentMac(Mac):
    """A simulated Mac that knows the rendered bundle it runs."""

    def __init__(self, base: Path, dist: Path) -> None:
        self.dist = dist
        self.context = context_of(dist)
        self.domain: str = self.context["domain"]
        name = self.context["agent"]["name"]
        self.uninstall = dist / "agent" / f"{name}-uninstall.zsh"
        super().__init__(base, script=dist / "agent" / f"{name}.zsh")

    def run(self, args: list[str] | None = None, **kw: Any) -> Result:
        result = super().run(args, **kw)
        # Every command the agent uses must exist on macOS, i.e. be a stub or allow-listed here.
        assert "command not found" not in result.stderr, result.stderr
        assert "bad substitution" not in result.stderr and "parse error" not in result.stderr, result.stderr
        return result

    def managed(self, **keys: Any) -> AgentMac:
        self.set_managed(self.domain, **keys)
        return self

    def status(self) -> dict[str, Any]:
        return self.read_plist(self.context["status_plist"]) or {}

    def log_text(self, name: str = "agent.log") -> str:
        path = self.path(f"{self.context['work_dir']}/logs/{name}")
        return path.read_text() if path.exists() else ""


# --- the agent against the Jamf Pro simulator -------------------------------------------------
CANARY = "CANARY-s3cret=with=equals&amp 'quotes' \"dq\" $HOME `x` \\back"


@dataclass
class JamfSetup:
    """A simulator tenant arranged from a rendered bundle, and a Mac enrolled in it."""

    sim: Simulator
    mac: AgentMac
    jamf_id: str
    client_id: str
    client_secret: str
    account: str
    password: str

    @property
    def tenant(self) -> Any:
        return self.sim.tenant(0)

    def client_args(self) -> list[str]:
        return [f"--auth-jamf-client={self.client_id}", f"--auth-jamf-secret={self.client_secret}"]

    def account_args(self) -> list[str]:
        return [f"--auth-jamf-account={self.account}", f"--auth-jamf-password={self.password}"]

    def requests(self) -> list[tuple[str, str, int]]:
        return [(e["method"], e["path"], e["status"]) for e in self.tenant.request_log]




class FileClock(Clock):
    """The simulator's clock read from the harness clock file, so the agent's ``sleep`` (which
    advances that file) moves server time too: Retry-After, token expiry and plan progress."""

    def __init__(self, path: Path) -> None:
        super().__init__(frozen=True)
        self.path = path

    def now(self) -> float:
        return float(self.path.read_text().strip())

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the simulator clock only moves forward")
        with self._lock:
            value = self.now() + seconds
            self.path.write_text(f"{int(value)}\n")
        return value
