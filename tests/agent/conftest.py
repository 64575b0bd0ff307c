"""Fixtures for the agent and harness tests.

* ``render_variant(**overrides)`` renders a bundle (the example bundle plus section overrides,
  e.g. ``agent={"msu_workflow": "legacy"}``) once per session and returns its output folder.
* ``rendered`` is the example bundle's output folder.
* ``mac`` is a fresh simulated Mac (``generator.harness.Mac``) whose ``run(args, **kw)`` runs the
  rendered agent; ``mac.domain`` / ``mac.context`` describe the rendered bundle.
* ``mac_for(dist)`` builds a Mac for another rendered variant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.bundle import parse_bundle
from generator.harness import Mac
from generator.render import agent_context, render_all, write_dist

REPO = Path(__file__).resolve().parents[2]

BASE_BUNDLE: dict[str, dict[str, Any]] = {
    "bundle": {"name": "Example Software Updates", "version": "1.0.0", "identifier": "com.example"},
    "agent": {"name": "enforcer", "msu_workflow": "auto", "credential_method": "jamf-client",
              "mdm_failover_to_user": [], "credential_failover_to_user": False,
              "soft_deadline_days": 7, "hard_deadline_days": 14, "error_deferral_minutes": 60},
    "profile": {"computer_id_from_jssid": True, "custom_url": "", "include_failover_keys": True},
    "jamf": {"category": "Software Updates", "token_lifetime_seconds": 300},
}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def bundle_text(**overrides: dict[str, Any]) -> str:
    lines: list[str] = []
    for section, values in BASE_BUNDLE.items():
        merged = {**values, **overrides.get(section, {})}
        lines.append(f"[{section}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in merged.items())
        lines.append("")
    return "\n".join(lines)


_RENDERED: dict[str, Path] = {}


@pytest.fixture(scope="session")
def render_variant(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    def render(**overrides: dict[str, Any]) -> Path:
        text = bundle_text(**overrides)
        if text not in _RENDERED:
            spec = parse_bundle(text, "bundle.toml")
            out = tmp_path_factory.mktemp("dist")
            write_dist(render_all(spec), out)
            (out / "bundle.toml").write_text(text)
            _RENDERED[text] = out
        return _RENDERED[text]

    return render


@pytest.fixture(scope="session")
def rendered(render_variant: Callable[..., Path]) -> Path:
    return render_variant()


def context_of(dist: Path) -> dict[str, Any]:
    return agent_context(parse_bundle((dist / "bundle.toml").read_text(), "bundle.toml"))


@pytest.fixture(scope="session")
def context(rendered: Path) -> dict[str, Any]:
    """agent_context() of the example bundle."""
    return context_of(rendered)


class AgentMac(Mac):
    """A simulated Mac that knows the rendered bundle it runs."""

    def __init__(self, base: Path, dist: Path) -> None:
        self.dist = dist
        self.context = context_of(dist)
        self.domain: str = self.context["domain"]
        name = self.context["agent"]["name"]
        self.uninstall = dist / "agent" / f"{name}-uninstall.zsh"
        super().__init__(base, script=dist / "agent" / f"{name}.zsh")

    def managed(self, **keys: Any) -> AgentMac:
        self.set_managed(self.domain, **keys)
        return self

    def status(self) -> dict[str, Any]:
        return self.read_plist(self.context["status_plist"]) or {}

    def log_text(self, name: str = "agent.log") -> str:
        path = self.path(f"{self.context['work_dir']}/logs/{name}")
        return path.read_text() if path.exists() else ""


@pytest.fixture
def mac_for(tmp_path: Path) -> Callable[[Path], AgentMac]:
    count = 0

    def build(dist: Path) -> AgentMac:
        nonlocal count
        count += 1
        return AgentMac(tmp_path / f"mac{count}", dist)

    return build


@pytest.fixture
def mac(mac_for: Callable[[Path], AgentMac], rendered: Path) -> AgentMac:
    return mac_for(rendered)
