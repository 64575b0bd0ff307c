"""Offline checks of a rendered output folder (``jamf-enforcer validate``).

Owns every check that needs no Jamf Pro server: the manifest matches the files; shell syntax
(``zsh -n`` / ``bash -n``, shellcheck for bash); constructs that break on macOS's shells and
GNU-only tool usage; every profile parses as a plist and its keys agree with the custom
schema; every privilege name exists in Jamf Pro 11.12's list; no policy carries more than
eight options or a real secret; and every extension attribute, run under the macOS harness
against a sample status plist, prints exactly one ``<result>``.

Each finding is one line: ``PATH[:LINE]: what is wrong``.
"""

from __future__ import annotations

import hashlib
import json
import plistlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .bundle import BundleError
from .profiles import MANAGED_KEYS
from .render import HANDOVER_PLACEHOLDER
from .specindex import valid_privileges
from .status import MODEL

# validate looks zsh up on PATH (as ``zsh -n`` runs it); without one, the syntax check of the zsh
# scripts and the extension-attribute runs cannot happen, which is a finding, reported once.
ZSH_MISSING = ("zsh: not found on PATH; needed for 'zsh -n' and the extension-attribute runs "
               "(Debian/Ubuntu: apt-get install zsh; macOS ships it as /bin/zsh)")

# GNU-only (or bash-4-only) usage that fails or behaves differently with macOS's BSD tools,
# zsh 5.9 and bash 3.2.  Each entry: (regex on a code line, what to use instead).
PORTABILITY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), advice)
    for pattern, advice in (
        (r"\bdate\s+(-[a-zA-Z]*d\b|--date\b)", "GNU 'date -d': use zsh strftime -r or BSD 'date -j -f'"),
        (r"\bsed\s+(-[a-zA-Z]*\s+)*-i(\s+-|\s+[^'\"\s-]|\s+'[^']|\s+\"[^\"]|\s*$)",
         "'sed -i' without a suffix argument: BSD sed needs -i ''"),
        (r"\bsed\s+--in-place\b", "GNU 'sed --in-place'"),
        (r"\bstat\s+(-c|--format)\b", "GNU 'stat -c': use BSD 'stat -f' or zsh/stat"),
        (r"\bbase64\s+(-d|--decode=|-w)\b", "'base64 -d'/-w: use 'base64 --decode' (macOS 12 lacks -d)"),
        (r"\breadlink\s+-[a-zA-Z]*f\b", "'readlink -f' is GNU-only before macOS 12.3: use zsh :A modifier"),
        (r"\bgrep\s+(-[a-zA-Z]*P\b|--perl-regexp)", "'grep -P' is GNU-only"),
        (r"\becho\s+-e\b", "'echo -e': use print -r or printf"),
        (r"\bxargs\s+(-[a-zA-Z]*r\b|--no-run-if-empty)", "'xargs -r' is GNU-only"),
        (r"\bsort\s+(-[a-zA-Z]*V\b|--version-sort)", "'sort -V' is GNU-only before macOS 13"),
        (r"\bfind\b.*\s-printf\b", "'find -printf' is GNU-only"),
        (r"\b(cp|mv|rm|mkdir|ln)\s+--[a-z]", "GNU long options on coreutils"),
        (r"\bmktemp\s+--", "GNU 'mktemp --' long options"),
        (r"(?<![-\w])timeout\s+\d", "'timeout' does not exist on macOS"),
        (r"\bgrep\s+.*--include\b", "GNU grep --include"),
        (r"\bhead\s+-n\s*-\d", "'head -n -N' is GNU-only"),
        (r"\bseq\s+-[fsw]", "GNU seq options"),
    )
)
BASH4_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), advice)
    for pattern, advice in (
        (r"\b(declare|typeset|local)\s+-[a-zA-Z]*[Aln]", "associative arrays / -l / -n need bash 4+ (macOS has 3.2)"),
        (r"\b(mapfile|readarray)\b", "mapfile/readarray need bash 4+"),
        (r"\$\{[A-Za-z_][A-Za-z0-9_]*(\^\^?|,,?)\}", "case-modifying expansion needs bash 4+"),
        (r"&>>", "'&>>' needs bash 4+"),
        (r"\|&", "'|&' needs bash 4+"),
        (r"\bcoproc\b", "coproc needs bash 4+"),
        (r"\$\{[A-Za-z_][A-Za-z0-9_]*@[QEPAa]\}", "${var@op} needs bash 4.4+"),
        (r"\bshopt\s+-s\s+(globstar|lastpipe|autocd)", "this shopt needs bash 4+"),
    )
)


def _code_lines(text: str) -> list[tuple[int, str]]:
    """Lines that are code, with comments and here-document bodies left out."""
    out: list[tuple[int, str]] = []
    heredoc_end: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if heredoc_end is not None:
            if line.strip() == heredoc_end:
                heredoc_end = None
            continue
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        match = re.search(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?", line)
        if match and "<<<" not in line:
            heredoc_end = match.group(1)
        # A trailing comment (outside quotes) is prose, not code.
        out.append((number, re.sub(r"\s+#[^'\"]*$", "", line)))
    return out


def portability_findings(rel: str, text: str, *, bash: bool) -> list[str]:
    rules = PORTABILITY_RULES + (BASH4_RULES if bash else ())
    findings = []
    for number, line in _code_lines(text):
        for regex, advice in rules:
            if regex.search(line):
                findings.append(f"{rel}:{number}: {advice}")
    return findings


def _shell_of(text: str) -> str | None:
    first = text.splitlines()[0] if text else ""
    if not first.startswith("#!"):
        return None
    if "zsh" in first:
        return "zsh"
    if "bash" in first:
        return "bash"
    if first.rstrip().endswith("/sh"):
        return "sh"
    return None


def _run(cmd: list[str], stdin: str | None = None) -> tuple[int, str]:
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60, check=False)
    return proc.returncode, (proc.stderr or proc.stdout).strip()


def shell_findings(rel: str, text: str) -> list[str]:
    shell = _shell_of(text)
    if shell is None:
        return [f"{rel}: no #! line naming zsh, bash or sh"]
    findings: list[str] = []
    binary = shutil.which(shell)
    if binary is None:
        # A missing zsh is reported once for the whole folder by validate_dist.
        if shell != "zsh":
            findings.append(f"{rel}: cannot check syntax: {shell} is not installed")
    else:
        code, err = _run([binary, "-n"], stdin=text)
        if code != 0:
            findings.append(f"{rel}: {shell} -n: {err.splitlines()[0] if err else 'syntax error'}")
    if shell in ("bash", "sh"):
        checker = shutil.which("shellcheck")
        if checker is None:
            findings.append(f"{rel}: cannot lint: shellcheck is not installed")
        else:
            code, err = _run([checker, "--format=gcc", "-"], stdin=text)
            if code != 0:
                findings.extend(f"{rel}:{line.split(':', 2)[1]}: shellcheck {line.split(':', 3)[-1].strip()}"
                                for line in err.splitlines() if line.startswith("-:"))
    findings.extend(portability_findings(rel, text, bash=shell in ("bash", "sh")))
    return findings


def _manifest_findings(dist: Path, manifest: dict[str, Any]) -> list[str]:
    findings = []
    listed = set()
    for entry in manifest.get("artifacts", []):
        rel = entry["path"]
        listed.add(rel)
        path = dist / rel
        if not path.is_file():
            findings.append(f"{rel}: listed in manifest.json but missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["size"]:
            findings.append(f"{rel}: content differs from manifest.json (sha256/size)")
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if path.is_file() and rel != "manifest.json" and rel not in listed:
            findings.append(f"{rel}: not listed in manifest.json")
    return findings


def _profile_findings(dist: Path) -> list[str]:
    findings = []
    managed = {k.key for k in MANAGED_KEYS}
    schemas = sorted(dist.glob("profiles/*.schema.json"))
    schema_keys: set[str] = set()
    for schema_path in schemas:
        rel = schema_path.relative_to(dist).as_posix()
        try:
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            findings.append(f"{rel}: not valid JSON: {exc}")
            continue
        schema_keys = set(schema.get("properties", {}))
        if schema_keys != managed:
            findings.append(f"{rel}: schema keys {sorted(schema_keys)} differ from the agent's managed keys")
    for profile in sorted(dist.glob("profiles/*.mobileconfig")):
        rel = profile.relative_to(dist).as_posix()
        try:
            outer = plistlib.loads(profile.read_bytes())
        except Exception as exc:  # plistlib raises several unrelated types on bad input
            findings.append(f"{rel}: does not parse as a plist: {exc}")
            continue
        for payload in outer.get("PayloadContent", []):
            if payload.get("PayloadType") != "com.apple.ManagedClient.preferences":
                findings.append(f"{rel}: unexpected payload type {payload.get('PayloadType')!r}")
                continue
            for domain_settings in payload.get("PayloadContent", {}).values():
                for forced in domain_settings.get("Forced", []):
                    keys = set(forced.get("mcx_preference_settings", {}))
                    for key in sorted(keys - (schema_keys or managed)):
                        findings.append(f"{rel}: key {key} is not in the custom schema")
    return findings


def _privilege_findings(dist: Path) -> list[str]:
    findings = []
    valid = valid_privileges()
    for rel in ("jamf/api-role.json", "jamf/uploader-role.json"):
        path = dist / rel
        if not path.is_file():
            findings.append(f"{rel}: missing")
            continue
        for name in json.loads(path.read_text(encoding="utf-8")).get("privileges", []):
            if name not in valid:
                findings.append(f"{rel}: privilege {name!r} is not a Jamf Pro 11.12 API-role privilege")
    account = dist / "jamf/service-account.json"
    if account.is_file():
        groups = json.loads(account.read_text(encoding="utf-8")).get("privileges", {})
        for group in groups.values():
            for name in group:
                if name not in valid:
                    findings.append(f"jamf/service-account.json: privilege {name!r} is not a Jamf Pro 11.12 name")
    return findings


def _policy_findings(dist: Path) -> list[str]:
    findings = []
    for path in sorted(dist.glob("jamf/policies/*.json")):
        rel = path.relative_to(dist).as_posix()
        policy = json.loads(path.read_text(encoding="utf-8"))
        params = policy.get("script", {}).get("parameters", {})
        if len(params) > 8:
            findings.append(f"{rel}: {len(params)} options; Jamf passes at most 8 ($4-$11)")
        for slot in policy.get("handover", {}):
            value = params.get(slot, "")
            if not value.endswith("=" + HANDOVER_PLACEHOLDER):
                findings.append(f"{rel}: {slot} must hold the hand-over placeholder, never a credential")
    return findings


def sample_status() -> dict[str, str]:
    """A status plist with a plausible value for every key of the status model."""
    sample = {"date": "2026-01-02 03:04:05", "digits": "42", "string": "sample"}
    return {k.key: (k.values[-1] if k.values else sample[k.kind]) for k in MODEL.keys}


def _ea_findings(dist: Path, manifest: dict[str, Any]) -> list[str]:
    from .harness.runner import run_script  # imported late: only validate needs the harness

    domain = manifest.get("bundle", {}).get("domain", "")
    findings = []
    definitions = sorted(dist.glob("extension-attributes/*.json"))
    with tempfile.TemporaryDirectory(prefix="jamf-enforcer-validate-") as tmp:
        for case, status in (("sample", sample_status()), ("missing", None)):
            root = Path(tmp) / case
            state = Path(tmp) / f"{case}-state"
            state.mkdir(parents=True)
            if status is not None:
                plist = root / "Library" / "Management" / domain / "status.plist"
                plist.parent.mkdir(parents=True)
                plist.write_bytes(plistlib.dumps(status))
            for definition in definitions:
                meta = json.loads(definition.read_text(encoding="utf-8"))
                rel = meta["script"]
                result = run_script(dist / rel, [], root=root, state=state)
                lines = [line for line in result.stdout.splitlines() if line.strip()]
                results = [line for line in lines if re.fullmatch(r"<result>.*</result>", line)]
                if result.returncode != 0 or len(lines) != 1 or len(results) != 1:
                    findings.append(f"{rel}: with a {case} status plist, expected exactly one <result> line and "
                                    f"exit 0, got exit {result.returncode} and {len(lines)} line(s)")
                    continue
                value = results[0][len("<result>"):-len("</result>")]
                if meta["dataType"] == "DATE" and value and not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
                    findings.append(f"{rel}: DATE attribute printed {value!r}, not YYYY-MM-DD hh:mm:ss")
                if case == "sample" and status is not None and value != status[meta["statusKey"]]:
                    findings.append(f"{rel}: printed {value!r} for {meta['statusKey']}={status[meta['statusKey']]!r}")
    return findings


def load_manifest(dist: str | Path) -> dict[str, Any]:
    manifest_path = Path(dist) / "manifest.json"
    if not manifest_path.is_file():
        raise BundleError(f"{manifest_path}: not found (expected a folder written by 'jamf-enforcer render')")
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BundleError(f"{manifest_path}: not valid JSON: {exc}") from None


def validate_dist(dist: str | Path) -> list[str]:
    root = Path(dist)
    manifest = load_manifest(root)
    findings = _manifest_findings(root, manifest)
    for path in sorted(root.rglob("*")):
        if path.suffix in (".zsh", ".sh", ".bash") and path.is_file():
            findings.extend(shell_findings(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")))
    findings += _profile_findings(root) + _privilege_findings(root) + _policy_findings(root)
    if shutil.which("zsh") is None:
        findings.append(ZSH_MISSING)
    else:
        findings += _ea_findings(root, manifest)
    return findings
