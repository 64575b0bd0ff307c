"""Issue 11 §4: a corpus of bad inputs for every command; each must end with one line on stderr and
exit 2 (1 for validate's findings and for plan/apply/audit/rotate errors, as the README documents).

``python tests/hostile/cli_corpus.py`` counts tracebacks of whatever ``generator`` is first on
PYTHONPATH (``PYTHONPATH=/work/main`` measured main before the fix).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "examples" / "bundle.toml").read_text(encoding="utf-8")
MINIMAL = '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example"\n'
CREDENTIALS = MINIMAL + '[tenants.production]\nurl = "https://127.0.0.1:9"\nclient_id = "{ref}"\nclient_secret = "{ref}"\n'


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], list[str]]  # prepares files under the folder, returns argv
    codes: tuple[int, ...] = (2,)


def _bundle(text: str | bytes, *args: str, command: str = "render") -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        path = tmp / "site" / "bundle.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        if command == "render":
            return ["render", str(path), "--out", str(tmp / "out"), *args]
        return [command, str(path), *args]
    return setup


def _wrong_types() -> list[Case]:
    from generator.bundle import SCHEMA
    wrong = {"str": "42", "int": '"x"', "bool": '"yes"', "list[str]": '"x"', "date": "1999-01-01"}
    cases = []
    for section, schema in SCHEMA.items():
        for key, field in schema.items():
            base = MINIMAL if section != "bundle" else ""
            body = dict(tomllib.loads(MINIMAL)["bundle"]) if section == "bundle" else {}
            text = base + f"[{section}]\n" + "".join(f'{k} = "{v}"\n' for k, v in body.items() if k != key)
            cases.append(Case(f"render-wrong-type-{section}.{key}", _bundle(text + f"{key} = {wrong[field.kind]}\n")))
    return cases


def _dist(mutate: Callable[[Path], None] | None = None) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        from generator.bundle import parse_bundle
        from generator.render import render_all
        out = tmp / "dist"
        for art in render_all(parse_bundle(GOOD, "b.toml")):
            (out / art.path).parent.mkdir(parents=True, exist_ok=True)
            (out / art.path).write_bytes(art.content)
            os.chmod(out / art.path, art.mode)
        if mutate:
            mutate(out)
        return ["validate", str(out)]
    return setup


def _manifest(data: object) -> Callable[[Path], None]:
    return lambda out: (out / "manifest.json").write_text(json.dumps(data))


def _edit_manifest(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(out: Path) -> None:
        data = json.loads((out / "manifest.json").read_text())
        change(data)
        (out / "manifest.json").write_text(json.dumps(data))
    return mutate


def _replace_ea(text: str) -> Callable[[Path], None]:
    """Replace an EA and fix up its manifest entry: it matches, so validate runs it."""
    import hashlib

    def mutate(out: Path) -> None:
        ea = out / "extension-attributes" / "status.zsh"
        ea.write_text(text)
        data = json.loads((out / "manifest.json").read_text())
        for entry in data["artifacts"]:
            if entry["path"] == "extension-attributes/status.zsh":
                entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
                entry["size"] = len(text.encode())
        (out / "manifest.json").write_text(json.dumps(data))
    return mutate


def _write(rel: str, content: bytes) -> Callable[[Path], None]:
    return lambda out: (out / rel).write_bytes(content)


def _symlink(rel: str, target: str) -> Callable[[Path], None]:
    def mutate(out: Path) -> None:
        (out / rel).unlink()
        (out / rel).symlink_to(target)
    return mutate


def _out(prepare: Callable[[Path], Path]) -> Callable[[Path], list[str]]:
    def setup(tmp: Path) -> list[str]:
        bundle = tmp / "site" / "bundle.toml"
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_text(GOOD)
        return ["render", str(bundle), "--out", str(prepare(tmp))]
    return setup


def _mkfile(tmp: Path, rel: str, text: str = "keep me") -> Path:
    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp / rel).write_text(text)
    return tmp / rel


def _sim(*args: str, state: Callable[[Path], str] | None = None) -> Callable[[Path], list[str]]:
    return lambda tmp: ["sim", *args, *(["--state", state(tmp)] if state else [])]


def _sync(command: str, text: str, *args: str) -> Callable[[Path], list[str]]:
    return _bundle(text, *args, command=command)


def cases() -> list[Case]:
    good_tenant = GOOD
    out: list[Case] = []
    bundles = {
        "empty": "", "syntax": "[bundle\n", "binary": b"\x00\x01\x02\xff", "latin-1": "name = 'caf\xe9'\n".encode("latin-1"),
        "deep-arrays": "x = " + "[" * 5000 + "]" * 5000 + "\n", "deep-tables": "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "no-bundle": "[agent]\n", "bundle-not-table": "bundle = 3\n", "tenants-list": MINIMAL + "tenants = [1]\n",
        "tenant-body-str": MINIMAL + "[tenants]\nx = 'y'\n", "tenant-name": MINIMAL + "[tenants.'a b']\nurl='https://a.com'\n",
        "tenant-no-url": MINIMAL + "[tenants.x]\n", "tenant-url-user": MINIMAL + "[tenants.x]\nurl='https://u:p@a.com'\n",
        "unknown-section": MINIMAL + "[agnet]\n", "unknown-key": MINIMAL + "[agent]\nfoo = 1\n",
        "datetime": MINIMAL + "[agent]\nsoft_deadline_date = 2026-01-01T00:00:00\n",
        "year-1999": MINIMAL + "[agent]\nsoft_deadline_date = 1999-12-31\n", "year-2101": MINIMAL + "[agent]\nhard_deadline_date = '2101-01-01'\n",
        "time": MINIMAL + "[agent]\nsoft_deadline_date = 12:00:00\n", "bad-date": MINIMAL + "[agent]\nsoft_deadline_date = '2026-02-30'\n",
        "week-date": MINIMAL + "[agent]\nsoft_deadline_date = '2026-W01-1'\n",
        "name-newline": '[bundle]\nname = "X\\nrm -rf /"\nversion = "1.0"\nidentifier = "com.example"\n',
        "identifier-newline": '[bundle]\nname = "X"\nversion = "1.0"\nidentifier = "com.example\\n"\n',
        "version-newline": '[bundle]\nname = "X"\nversion = "1.0\\n"\nidentifier = "com.example"\n',
        "name-nul": '[bundle]\nname = "X\\u0000"\nversion = "1.0"\nidentifier = "com.example"\n',
        "name-long": '[bundle]\nname = "' + "x" * 10000 + '"\nversion = "1.0"\nidentifier = "com.example"\n',
        "too-many-options": MINIMAL + "[agent]\nextra_options = " + json.dumps([f"--o{i}" for i in range(9)]) + "\n",
        "soft-after-hard": MINIMAL + "[agent]\nsoft_deadline_days = 9\nhard_deadline_days = 3\n",
        "int-huge": MINIMAL + "[agent]\nsoft_deadline_days = 99999999999999999999\n",
        "url-query": MINIMAL + "[profile]\ncustom_url = 'https://a.com/?x=1'\n",
    }
    out += [Case(f"render-bundle-{name}", _bundle(text)) for name, text in bundles.items()]
    out += _wrong_types()
    out += [
        Case("render-missing-file", lambda tmp: ["render", str(tmp / "nope.toml"), "--out", str(tmp / "o")]),
        Case("render-empty-folder", lambda tmp: ["render", str(tmp), "--out", str(tmp / "o")]),
        Case("render-bundle-is-folder", lambda tmp: (tmp / "b" / "bundle.toml").mkdir(parents=True) or ["render", str(tmp / "b"), "--out", str(tmp / "o")]),
        Case("render-proc-mem", lambda tmp: ["render", "/proc/self/mem", "--out", str(tmp / "o")]),
        Case("render-out-is-bundle-folder", _out(lambda tmp: tmp / "site")),
        Case("render-out-is-parent", _out(lambda tmp: tmp)),
        Case("render-out-is-root", _out(lambda tmp: Path("/"))),
        Case("render-out-is-file", _out(lambda tmp: _mkfile(tmp, "out.txt"))),
        Case("render-out-nonempty", _out(lambda tmp: _mkfile(tmp, "out/notes.txt").parent)),
        Case("render-out-under-file", _out(lambda tmp: _mkfile(tmp, "f") / "dist")),
        Case("render-out-proc", _out(lambda tmp: Path("/proc/jamf-enforcer-test"))),
        Case("render-out-symlink", _out(lambda tmp: (tmp / "link").symlink_to(tmp / "site") or tmp / "link")),
        Case("render-out-fake-manifest", _out(lambda tmp: _mkfile(tmp, "out/manifest.json", "[]").parent)),
        Case("render-out-render-plus-file", _out(lambda tmp: _mkfile(tmp, "out/manifest.json", json.dumps(
            {"generator": {"name": "jamf-enforcer"}, "artifacts": []})).parent and _mkfile(tmp, "out/x").parent)),
    ]
    validate = {
        "manifest-list": _manifest([]), "manifest-string": _manifest("x"), "manifest-null": _manifest(None),
        "manifest-no-artifacts": _edit_manifest(lambda d: d.pop("artifacts")),
        "artifacts-string": _edit_manifest(lambda d: d.update(artifacts="x")),
        "artifacts-list-of-str": _edit_manifest(lambda d: d.update(artifacts=["x"])),
        "artifact-no-path": _edit_manifest(lambda d: d["artifacts"][0].pop("path")),
        "artifact-no-sha": _edit_manifest(lambda d: d["artifacts"][0].pop("sha256")),
        "artifact-size-str": _edit_manifest(lambda d: d["artifacts"][0].update(size="1")),
        "artifact-path-int": _edit_manifest(lambda d: d["artifacts"][0].update(path=3)),
        "no-bundle": _edit_manifest(lambda d: d.pop("bundle")),
        "domain-traversal": _edit_manifest(lambda d: d["bundle"].update(domain="../../../../tmp/x")),
        "domain-list": _edit_manifest(lambda d: d.update(bundle={"domain": ["a"]})),
        "manifest-not-json": _write("manifest.json", b"{"), "manifest-latin1": _write("manifest.json", b"\xff\xfe"),
        "manifest-deep": _write("manifest.json", b"[" * 100000 + b"]" * 100000),
        "manifest-folder": lambda out: ((out / "manifest.json").unlink(), (out / "manifest.json").mkdir()),
        "no-manifest": lambda out: (out / "manifest.json").unlink(),
    }
    out += [Case(f"validate-{name}", _dist(m)) for name, m in validate.items()]
    findings = {
        "path-escape": _edit_manifest(lambda d: d["artifacts"][0].update(path="../../etc/passwd")),
        "path-absolute": _edit_manifest(lambda d: d["artifacts"][0].update(path="/etc/passwd")),
        "sha-mismatch": _write("agent/enforcer.zsh", b"#!/bin/zsh\necho tampered\n"),
        "script-latin1": _write("agent/enforcer.zsh", b"#!/bin/zsh\necho \xff\n"),
        "script-symlink-out": _symlink("agent/enforcer.zsh", "/etc/passwd"),
        "ea-never-ends": _replace_ea("#!/bin/zsh --no-rcs\nwhile true; do :; done\n"),
        "ea-json-list": _write("extension-attributes/status.json", b"[]"),
        "ea-json-escape": _write("extension-attributes/status.json", json.dumps(
            {"script": "../../x.zsh", "statusKey": "Status", "dataType": "STRING"}).encode()),
        "policy-not-json": _write("jamf/policies/enforcement.json", b"{"),
        "policy-list": _write("jamf/policies/enforcement.json", b"[1]"),
        "policy-params-str": _write("jamf/policies/enforcement.json", b'{"script": {"parameters": "x"}}'),
        "role-privileges-str": _write("jamf/api-role.json", b'{"privileges": "Read Computers"}'),
        "role-list": _write("jamf/api-role.json", b"[]"),
        "profile-array": _write("profiles/com.example.enforcer.mobileconfig", plist_array()),
        "profile-garbage": _write("profiles/com.example.enforcer.mobileconfig", b"<plist><dict><key>"),
        "schema-list": _write("profiles/com.example.enforcer.schema.json", b"[]"),
        "schema-latin1": _write("profiles/com.example.enforcer.schema.json", b"\xff"),
    }
    out += [Case(f"validate-finding-{name}", _dist(m), (1,)) for name, m in findings.items()]
    out += [
        Case("validate-missing-folder", lambda tmp: ["validate", str(tmp / "nope")]),
        Case("validate-file", lambda tmp: ["validate", str(_mkfile(tmp, "f"))]),
        Case("validate-proc", lambda tmp: ["validate", "/proc/self/mem"]),
        Case("init-target-file", lambda tmp: ["init", str(_mkfile(tmp, "f"))]),
        Case("init-under-file", lambda tmp: ["init", str(_mkfile(tmp, "f") / "site")]),
        Case("init-existing", lambda tmp: ["init", str(_mkfile(tmp, "site/bundle.toml").parent)]),
        Case("init-proc", lambda tmp: ["init", "/proc/jamf-enforcer-test"]),
        Case("init-workflow-is-folder", lambda tmp: (tmp / "s" / ".github" / "workflows" / "jamf-enforcer.yml").mkdir(parents=True)
             or ["init", str(tmp / "s"), "--force"]),
    ]
    sims = {
        "port-negative": _sim("--port", "-1"), "port-huge": _sim("--port", "70000"), "port-text": _sim("--port", "abc"),
        "port-float": _sim("--port", "1.5"), "fleet-negative": _sim("--fleet", "-1"), "tenants-zero": _sim("--tenants", "0"),
        "latency-negative": _sim("--latency-ms", "-5"), "plan-rate-negative": _sim("--plan-rate", "-1"),
        "faults-garbage": _sim("--faults", "nonsense"), "faults-rate": _sim("--faults", "5xx=2"),
        "version-garbage": _sim("--version", "eleven"),
        "state-folder": _sim(state=lambda tmp: str(tmp)), "state-under-file": _sim(state=lambda tmp: str(_mkfile(tmp, "f") / "s.json")),
        "state-missing-folder": _sim(state=lambda tmp: str(tmp / "no" / "s.json")),
        "state-proc": _sim(state=lambda tmp: "/proc/jamf-enforcer-state.json"),
        "state-not-json": _sim(state=lambda tmp: str(_mkfile(tmp, "s.json", "{"))),
        "state-list": _sim(state=lambda tmp: str(_mkfile(tmp, "s.json", "[]"))),
        "state-latin1": _sim(state=lambda tmp: (_write_bytes(tmp / "s.json", b"\xff"))),
        "state-wrong-format": _sim(state=lambda tmp: str(_mkfile(tmp, "s.json", '{"format": 99}'))),
        "state-bad-tenants": _sim(state=lambda tmp: str(_mkfile(tmp, "s.json", '{"format": 1, "tenants": {"0": "x"}}'))),
        "env-file-folder": lambda tmp: ["sim", "--env-file", str(tmp)],
        "env-file-under-file": lambda tmp: ["sim", "--env-file", str(_mkfile(tmp, "f") / "sim.env")],
        "env-file-proc": lambda tmp: ["sim", "--env-file", "/proc/jamf-enforcer.env"],
    }
    out += [Case(f"sim-{name}", setup) for name, setup in sims.items()]
    out += [
        Case("tenants-bad-bundle", _bundle("[bundle\n", command="tenants")),
        Case("tenants-bad-output", _bundle(good_tenant, "--output", "xml", command="tenants")),
        Case("tenants-missing-file", lambda tmp: ["tenants", str(tmp / "nope.toml")]),
        Case("tenants-latin-1", _bundle(b"name = '\xe9'\n", command="tenants")),
        Case("tenants-deep", _bundle("x = " + "[" * 5000 + "]" * 5000 + "\n", command="tenants")),
    ]
    for command in ("plan", "apply", "audit", "rotate"):
        out += [
            Case(f"{command}-bad-bundle", _sync(command, "[bundle\n", "--tenant", "all"), (1,)),
            Case(f"{command}-unknown-tenant", _sync(command, good_tenant, "--tenant", "nope"), (1,)),
            Case(f"{command}-bad-output", _sync(command, good_tenant, "--tenant", "production", "--output", "xml"), (1,)),
            Case(f"{command}-ca-missing", _sync(command, good_tenant, "--tenant", "production", "--ca-file", "/nope"), (1,)),
            Case(f"{command}-no-tenant-option", _sync(command, good_tenant), (2,)),
            # Per-tenant errors (json output: no progress lines on stderr, only the error line).
            Case(f"{command}-credential-env-unset", _sync(command, CREDENTIALS.format(ref="env:JE_CORPUS_UNSET"),
                                                          "--tenant", "production", "--output", "json"), (1,)),
            Case(f"{command}-credential-file-is-folder", _sync(command, CREDENTIALS.format(ref="file:/etc"),
                                                               "--tenant", "production", "--output", "json"), (1,)),
        ]
    return out


def _write_bytes(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def plist_array() -> bytes:
    import plistlib
    return plistlib.dumps([1, 2])


@dataclass
class Outcome:
    case: Case
    code: int | None
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr

    def problems(self) -> list[str]:
        # Warnings (plan names Jamf's deprecations) may precede the error; the error is one line.
        lines = [line for line in self.stderr.splitlines() if line.strip() and not line.startswith("jamf-enforcer: warning:")]
        out = []
        if self.traceback:
            out.append("traceback")
        if self.code not in self.case.codes:
            out.append(f"exit {self.code}, expected {self.case.codes}")
        sync = self.case.name.split("-")[0] in ("plan", "apply", "audit", "rotate")
        if (self.case.codes != (1,) or sync) and len(lines) != 1:
            out.append(f"{len(lines)} stderr lines")
        if "internal error" in self.stderr:
            out.append("internal error")
        return out


def run_case(case: Case, base: Path, pythonpath: str) -> Outcome:
    tmp = base / case.name
    tmp.mkdir(parents=True)
    argv = case.setup(tmp)
    env = {**os.environ, "PYTHONPATH": pythonpath, "CI": "1", "JAMF_CLIENT_ID": "", "JAMF_CLIENT_SECRET": ""}
    try:
        proc = subprocess.run([sys.executable, "-m", "generator", *argv], cwd=tmp, env=env, capture_output=True,
                              text=True, errors="replace", timeout=90, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(case, None, "(timed out: it served or hung)")
    return Outcome(case, proc.returncode, proc.stderr)


def run_all(base: Path, pythonpath: str, workers: int = 3) -> list[Outcome]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda c: run_case(c, base, pythonpath), cases()))


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = run_all(Path(tmp), os.environ.get("PYTHONPATH", str(ROOT)))
    bad = [o for o in outcomes if o.problems()]
    for o in bad:
        print(f"{o.case.name}: {', '.join(o.problems())}: {o.stderr.strip().splitlines()[-1:] if o.stderr.strip() else ''}")
    print(f"{len(outcomes)} cases, {sum(o.traceback for o in outcomes)} tracebacks, {len(bad)} with problems")
