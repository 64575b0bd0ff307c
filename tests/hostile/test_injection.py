"""Issue 11 §1: no bundle value becomes code.  A corpus of hostile values in every string field.

For each (field, value) the expected outcome is stated up front and asserted: refused at load with
one line naming the key, or rendered with the value intact and nothing else added.  "Intact" is
checked by parsing every artifact back (``zsh -n`` on each changed script, JSON, plist) and
comparing it with a render of a harmless marker in the same place: the hostile render must be the
marker render with the marker replaced by the value (in a script, inside its single quotes).

Fails on main (04cae04): ``bundle.name = "X\\nrm -rf /"`` rendered a header comment whose second
line ran as code; a NUL or a trailing newline in the identifier, agent name or versions was
accepted (``re.match`` with ``$``); a 10,000-character name rendered.
"""

from __future__ import annotations

import copy
import json
import plistlib
import shutil
import subprocess
import tomllib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from generator.bundle import SCHEMA, TENANT_SCHEMA, BundleError, parse_bundle
from generator.jamf.resources.classic_xml import leaf, node, xml_document
from generator.render import render_all

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = tomllib.loads((ROOT / "examples" / "bundle.toml").read_text())
MARKER = "MARK er"  # not a bare shell word, so it is quoted wherever a hostile value would be

HOSTILE = {
    "newline": "a\nrm -rf /",
    "nul": "a\0b",
    "single-quote": "it's",
    "double-quote": 'say "hi"',
    "command-substitution": "$(touch /tmp/pwned)",
    "backticks": "`touch /tmp/pwned`",
    "cdata-end": "x]]>y",
    "plist-string-end": "x</string><true/>",
    "rtl-mark": "abc\u200fdef",
    "rtl-override": "abc\u202edef",
    "long": "x" * 10_000,
    "carriage-return": "a\rb",
    "line-separator": "a\u2028b",
}
# Fields whose printable hostile values are legitimate text (names); every other field has a pattern.
FREE_TEXT = {("bundle", "name")} | {("jamf", k) for k in ("category", "name_prefix", "api_role", "api_client",
                                                          "service_account", "scope_group", "policy_credentials",
                                                          "policy_enforcement", "policy_install_now", "policy_uninstall")}
CONTROL = {"newline", "nul", "carriage-return", "line-separator", "long"}
# Values that are file paths or credential references: any printable text is a legal path; they
# never reach an artifact (the round-trip check then finds every artifact unchanged).
REFERENCES = ("client_id", "client_secret", "username", "password", "ca_file")


def string_fields() -> list[tuple[str, str]]:
    fields = [(s, k) for s, schema in SCHEMA.items() for k, f in schema.items() if f.kind in ("str", "list[str]")]
    return fields + [("tenants.production", k) for k in TENANT_SCHEMA]


def place(section: str, key: str, value: str) -> dict:
    """The example bundle with ``value`` in ``section.key`` (wrapped so it is a plausible value there)."""
    raw = copy.deepcopy(EXAMPLE)
    spec = TENANT_SCHEMA[key] if section.startswith("tenants.") else SCHEMA[section][key]
    table = raw["tenants"]["production"] if section.startswith("tenants.") else raw.setdefault(section, {})
    if spec.kind == "list[str]":
        table[key] = ["--x=" + value] if key == "extra_options" else [value]
    elif key == "ca_file":
        table[key] = "/etc/" + value
    elif key in REFERENCES:
        table[key] = "file:/etc/" + value
        if key in ("username", "password"):
            table.pop("client_id", None), table.pop("client_secret", None)
            table["username" if key == "password" else "password"] = "env:OTHER"
    else:
        table[key] = f"A{value}B" if (section, key) in FREE_TEXT else value
    return raw


def expected(section: str, key: str, case: str) -> str:
    if case in CONTROL:
        return "refused"
    if (section, key) in FREE_TEXT:
        return "refused" if case == "rtl-override" else "intact"
    if key == "extra_options" or key in REFERENCES:
        return "intact"
    return "refused"


def toml_text(raw: dict) -> str:
    def value(v):
        return json.dumps(v, ensure_ascii=True) if not isinstance(v, bool) else ("true" if v else "false")
    lines = []
    for section, table in raw.items():
        if section == "tenants":
            for name, body in table.items():
                lines.append(f"[tenants.{name}]")
                lines.extend(f"{k} = {value(v)}" for k, v in body.items())
        else:
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def substituted(tree, marker: str, value: str):
    if isinstance(tree, str):
        return tree.replace(marker, value)
    if isinstance(tree, list):
        return [substituted(v, marker, value) for v in tree]
    if isinstance(tree, dict):
        return {substituted(k, marker, value): substituted(v, marker, value) for k, v in tree.items()}
    return tree


def zsh_ok(text: str, tmp: Path) -> None:
    script = tmp / "s.zsh"
    script.write_text(text)
    proc = subprocess.run([shutil.which("zsh") or "zsh", "-n", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


CASES = [(s, k, c) for s, k in string_fields() for c in HOSTILE]


@pytest.mark.parametrize(("section", "key", "case"), CASES, ids=[f"{s}.{k}-{c}" for s, k, c in CASES])
def test_hostile_value_is_refused_or_round_trips_intact(section, key, case, tmp_path):
    value = HOSTILE[case]
    dotted = f"{section}.{key}"
    outcome = expected(section, key, case)
    text = toml_text(place(section, key, value))
    if outcome == "refused":
        with pytest.raises(BundleError) as info:
            parse_bundle(text, "b.toml")
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"b.toml: {dotted}"), message
        assert len(message) < 400
        return
    hostile = {a.path: a.content for a in render_all(parse_bundle(text, "b.toml"))}
    marker = {a.path: a.content for a in render_all(parse_bundle(toml_text(place(section, key, MARKER)), "b.toml"))}
    assert hostile.keys() == marker.keys()
    for path, content in hostile.items():
        want = marker[path]
        if path.endswith(".zsh"):
            escaped = value.replace("'", "'\\''")
            assert content.decode() == want.decode().replace(MARKER, escaped), path
            if content != want:
                zsh_ok(content.decode(), tmp_path)
        elif path.endswith(".json"):
            if path == "manifest.json":  # sizes and hashes differ by construction
                continue
            assert json.loads(content) == substituted(json.loads(want), MARKER, value), path
        elif path.endswith(".mobileconfig"):
            assert plistlib.loads(content) == substituted(plistlib.loads(want), MARKER, value), path
            ET.fromstring(content)  # the plist is well-formed XML too
        else:
            raise AssertionError(f"no parser for {path}")


@pytest.mark.parametrize("case", [c for c in HOSTILE if c not in CONTROL])
def test_classic_xml_leaves_round_trip_hostile_values(case):
    """Regression test (main escaped already): Classic policy/profile XML values are XML-escaped."""
    value = HOSTILE[case]
    root = ET.fromstring(xml_document(node("policy", node("general", leaf("name", value)))).encode())
    assert root.findtext("general/name") == value and len(root.find("general")) == 1


def test_corpus_covers_every_string_field_with_at_least_ten_values():
    assert len(HOSTILE) >= 10
    assert {(s, k) for s, k, _ in CASES} == set(string_fields())
