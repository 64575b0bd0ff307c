"""Every rendered extension attribute, run under the harness, prints exactly one ``<result>``:
the status value when the plist has it, a sane fallback when the key, the plist or the whole
agent is missing, and an empty result for a malformed date (Jamf would store garbage)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from generator.harness import Mac
from generator.status import MODEL, StatusKey

SAMPLE = {
    "date": "2026-01-02 03:04:05",
    "digits": "42",
    "string": "Idle: nothing due",
}


def sample_value(key: StatusKey) -> str:
    return key.values[0] if key.kind == "enum" else SAMPLE[key.kind]


def ea_script(dist: Path, key: StatusKey) -> Path:
    slug = "-".join("".join(c.lower() if c.isalnum() else " " for c in key.ea_name).split())
    return dist / "extension-attributes" / f"{slug}.zsh"


def one_result(stdout: str) -> str:
    results = re.findall(r"<result>(.*?)</result>", stdout, flags=re.S)
    assert len(results) == 1 and stdout.count("<result>") == 1, stdout
    assert stdout.strip() == f"<result>{results[0]}</result>"
    return results[0]


EA_KEYS = MODEL.ea_keys()


@pytest.mark.parametrize("key", EA_KEYS, ids=[k.key for k in EA_KEYS])
def test_ea_prints_the_status_value(key: StatusKey, rendered: Path, tmp_path: Path, context: dict[str, Any]) -> None:
    ctx = context
    box = Mac(tmp_path)
    box.write_plist(ctx["status_plist"], {k.key: sample_value(k) for k in MODEL.keys})
    r = box.run([], script=ea_script(rendered, key))
    assert r.returncode == 0
    assert one_result(r.stdout) == sample_value(key)
    assert [c["cmd"] for c in r.stub_calls] == ["PlistBuddy"]


@pytest.mark.parametrize("key", EA_KEYS, ids=[k.key for k in EA_KEYS])
def test_ea_fallbacks(key: StatusKey, rendered: Path, tmp_path: Path, context: dict[str, Any]) -> None:
    ctx = context
    box = Mac(tmp_path)
    # Not installed: no work folder at all.
    missing = one_result(box.run([], script=ea_script(rendered, key)).stdout)
    assert missing == ("" if key.kind == "date" else "Not installed" if key.ea_missing else "")
    # Installed, but this key not written yet.
    box.write_plist(ctx["status_plist"], {"Other": "x"})
    absent = one_result(box.run([], script=ea_script(rendered, key)).stdout)
    assert absent == ("" if key.kind == "date" else key.ea_missing)
    if key.kind == "date":
        box.write_plist(ctx["status_plist"], {key.key: "2026-13-45 99:00:00"})
        assert one_result(box.run([], script=ea_script(rendered, key)).stdout) == ""


def test_ea_flattens_newlines(rendered: Path, tmp_path: Path, context: dict[str, Any]) -> None:
    ctx = context
    box = Mac(tmp_path)
    box.write_plist(ctx["status_plist"], {"Status": "Error: one\ntwo"})
    key = MODEL.by_key()["Status"]
    assert one_result(box.run([], script=ea_script(rendered, key)).stdout) == "Error: one two"
