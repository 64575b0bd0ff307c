"""The seeded agent states: deterministic, tied to each Mac's facts, served as EA values."""

from __future__ import annotations

import time
from pathlib import Path

from generator.sim.agent_states import script_key, seeded_agent_state
from generator.sim.fleet import seeded_facts
from generator.sim.plan_rules import DDM_ACTION, decide
from generator.status import MODEL

NOW = 1_780_000_000.0


def test_deterministic_and_only_status_keys() -> None:
    keys = set(MODEL.by_key())
    for n in range(1, 400):
        a, b = seeded_agent_state(seeded_facts(n), NOW), seeded_agent_state(seeded_facts(n), NOW)
        assert a == b
        assert set(a.status) <= keys
        for key, value in a.status.items():
            allowed = MODEL.by_key()[key].values
            assert not allowed or value in allowed, (n, key, value)


def test_states_follow_the_facts() -> None:
    for n in range(1, 400):
        facts = seeded_facts(n)
        state = seeded_agent_state(facts, NOW)
        if not state.status or state.status["PendingUpdateTarget"] == "NONE":
            continue
        action = DDM_ACTION if facts.os[0] >= 14 else "DOWNLOAD_INSTALL_RESTART"
        assert state.plan_error == decide(facts, action).reason  # the simulator's own plan rules
        if not facts.enrolled:
            assert state.plan_error == "NOT_MANAGED"
        if state.plan_error:
            assert state.status["LastMDMWorkflowResult"] == "FAILED"
        if not facts.apple_silicon:
            assert state.status["SavedCredentialMethod"] == "NONE"
        assert state.status["BootstrapTokenEscrow"] == ("ESCROWED" if facts.bootstrap_escrowed else "NOT_ESCROWED")


def test_seeding_2000_macs_is_fast() -> None:
    started = time.perf_counter()
    for n in range(1, 2001):
        seeded_agent_state(seeded_facts(n), NOW)
    print(f"2000 Macs seeded in {time.perf_counter() - started:.3f} s")  # a figure, not an assertion


def test_script_key_reads_the_key_from_the_rendered_scripts() -> None:
    root = Path(__file__).resolve().parents[2] / "dist" / "extension-attributes"
    for key in MODEL.ea_keys():
        script = next(p for p in root.glob("*.zsh") if f"Print :{key.key}'" in p.read_text()).read_text()
        assert script_key(script) == (key.key, key.ea_missing)
    assert script_key("echo '<result>hi</result>'") is None
