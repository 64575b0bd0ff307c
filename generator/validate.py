"""Offline checks of a rendered output folder (``jamf-enforcer validate``).

Owns every check that needs no Jamf Pro server: the manifest matches the files; shell syntax
(``zsh -n`` / ``bash -n``, shellcheck for bash); constructs that break on macOS's shells and
GNU-only tool usage; every profile parses as a plist and its keys agree with the custom
schema; every privilege name exists in Jamf Pro 11.12's list; no policy carries more than
eight options or a real secret; and every extension attribute, run under the macOS harness
against a sample status plist, prints exactly one ``<result>``.

Each finding is one line: ``PATH[:LINE]: what is wrong``.

The folder is untrusted input.  ``manifest.json`` must have the shape ``render`` writes (else a
one-line ``BundleError``, exit 2); every path it names must lie inside the folder; no symbolic
link is followed; the syntax check runs ``zsh -n FILE`` on the file itself; only extension
attributes listed in the manifest whose sha256 matches are run, each from a copy in
validate's own temporary folder (the only place anything is written, harness tools included),
and each is stopped after ``EA_TIMEOUT_SECONDS``.
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

from .bundle import REVERSE_DNS, BundleError
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
EA_TIMEOUT_SECONDS = 10  # a Jamf EA should finish in well under a second; ten is generous
SYNTAX_TIMEOUT_SECONDS = 60
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
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, errors="replace",
                              timeout=SYNTAX_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return -1, f"did not finish within {SYNTAX_TIMEOUT_SECONDS} s"
    return proc.returncode, (proc.stderr or proc.stdout).strip()


def shell_findings(rel: str, text: str, path: Path | None = None) -> list[str]:
    """Findings for one script; ``path`` (the file itself) is what ``zsh -n`` reads when given."""
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
        code, err = _run([binary, "-n", str(path.absolute())]) if path is not None else _run([binary, "-n"], stdin=text)
        err = err.replace(str(path.absolute()), rel) if path is not None else err
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


def _inside(dist: Path, rel: str) -> Path | None:
    """``dist/rel`` when it is a regular file inside ``dist`` reached without a symbolic link."""
    if not rel or rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        return None
    path = dist / rel
    current = dist
    for part in rel.split("/"):
        current = current / part
        if current.is_symlink():
            return None
    return path if path.is_file() else None


def _read_text(dist: Path, rel: str) -> tuple[str | None, str | None]:
    """(text, None) or (None, finding) for a file of the folder."""
    path = _inside(dist, rel)
    if path is None:
        return None, f"{rel}: missing, outside the folder or a symbolic link"
    try:
        return path.read_bytes().decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"{rel}: not UTF-8 text (byte {exc.start})"
    except OSError as exc:
        return None, f"{rel}: cannot read: {exc.strerror or exc}"


def _json_file(dist: Path, rel: str, kind: type) -> tuple[Any, str | None]:
    text, problem = _read_text(dist, rel)
    if problem:
        return None, problem
    try:
        data = json.loads(text or "")
    except (ValueError, RecursionError) as exc:
        return None, f"{rel}: not valid JSON: {str(exc).splitlines()[0] if str(exc) else 'nested too deeply'}"
    if not isinstance(data, kind):
        return None, f"{rel}: expected a JSON {'object' if kind is dict else 'array'}, got {type(data).__name__}"
    return data, None


def load_manifest(root: Path) -> dict[str, Any]:
    """The folder's manifest.json, checked for the shape ``render`` writes (one-line BundleError otherwise)."""
    manifest_path = root / "manifest.json"
    if root.exists() and not root.is_dir():
        raise BundleError(f"{root}: not a folder (expected a folder written by 'jamf-enforcer render')")
    if manifest_path.is_symlink() or not manifest_path.is_file():
        raise BundleError(f"{manifest_path}: not found (expected a folder written by 'jamf-enforcer render')")
    try:
        manifest = json.loads(manifest_path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleError(f"{manifest_path}: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"{manifest_path}: not valid JSON: {str(exc).splitlines()[0] or 'nested too deeply'}") from None
    except OSError as exc:
        raise BundleError(f"{manifest_path}: cannot read: {exc.strerror or exc}") from None

    def bad(key: str, expected: str) -> BundleError:
        return BundleError(f"{manifest_path}: {key}: expected {expected}")

    if not isinstance(manifest, dict):
        raise bad("top level", f"a JSON object, got {type(manifest).__name__}")
    domain = manifest.get("bundle", {}).get("domain") if isinstance(manifest.get("bundle"), dict) else None
    if not isinstance(domain, str) or not REVERSE_DNS.fullmatch(domain):
        raise bad("bundle.domain", "a reverse-DNS domain like com.example.enforcer")
    artifacts = manifest.get("artifacts")
    if not isinstance(artifacts, list):
        raise bad("artifacts", "a list of {path, kind, size, sha256}")
    for i, entry in enumerate(artifacts):
        if not isinstance(entry, dict):
            raise bad(f"artifacts[{i}]", "an object with path, kind, size and sha256")
        for key, kind, text in (("path", str, "a relative path"), ("kind", str, "a string"),
                                ("size", int, "an integer"), ("sha256", str, "64 hex digits")):
            if not isinstance(entry.get(key), kind) or isinstance(entry.get(key), bool):
                raise bad(f"artifacts[{i}].{key}", text)
        if not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
            raise bad(f"artifacts[{i}].sha256", "64 lower-case hex digits")
    return manifest


def _trusted_files(dist: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """Manifest entries whose file lies inside the folder and matches its sha256 and size."""
    out = {}
    for entry in manifest["artifacts"]:
        path = _inside(dist, entry["path"])
        try:
            data = path.read_bytes() if path is not None else b""
        except OSError:
            continue
        if path is not None and hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]:
            out[entry["path"]] = path
    return out


def _manifest_findings(dist: Path, manifest: dict[str, Any]) -> list[str]:
    findings = []
    listed = set()
    trusted = _trusted_files(dist, manifest)
    for entry in manifest["artifacts"]:
        rel = entry["path"]
        listed.add(rel)
        if _inside(dist, rel) is None:
            findings.append(f"{rel}: listed in manifest.json but missing, outside the folder or a symbolic link")
        elif rel not in trusted:
            findings.append(f"{rel}: content differs from manifest.json (sha256/size)")
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if path.is_symlink():
            findings.append(f"{rel}: a symbolic link (render never writes one; validate does not follow it)")
        elif path.is_file() and rel != "manifest.json" and rel not in listed:
            findings.append(f"{rel}: not listed in manifest.json")
    return findings


def _files(dist: Path, pattern: str) -> list[str]:
    return [p.relative_to(dist).as_posix() for p in sorted(dist.glob(pattern)) if not p.is_symlink() and p.is_file()]


def _profile_findings(dist: Path) -> list[str]:
    findings = []
    managed = {k.key for k in MANAGED_KEYS}
    schema_keys: set[str] = set()
    for rel in _files(dist, "profiles/*.schema.json"):
        schema, problem = _json_file(dist, rel, dict)
        if problem:
            findings.append(problem)
            continue
        properties = schema.get("properties", {})
        schema_keys = set(properties) if isinstance(properties, dict) else set()
        if schema_keys != managed:
            findings.append(f"{rel}: schema keys {sorted(schema_keys)} differ from the agent's managed keys")
    for rel in _files(dist, "profiles/*.mobileconfig"):
        try:
            outer = plistlib.loads((dist / rel).read_bytes())
        except Exception as exc:  # plistlib raises several unrelated types on bad input
            findings.append(f"{rel}: does not parse as a plist: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            continue
        payloads = outer.get("PayloadContent", []) if isinstance(outer, dict) else None
        if not isinstance(payloads, list):
            findings.append(f"{rel}: expected a Configuration dictionary with a PayloadContent array")
            continue
        for payload in payloads:
            if not isinstance(payload, dict) or payload.get("PayloadType") != "com.apple.ManagedClient.preferences":
                kind = payload.get("PayloadType") if isinstance(payload, dict) else payload
                findings.append(f"{rel}: unexpected payload type {kind!r}")
                continue
            content = payload.get("PayloadContent", {})
            for domain_settings in content.values() if isinstance(content, dict) else []:
                forced_list = domain_settings.get("Forced", []) if isinstance(domain_settings, dict) else []
                for forced in forced_list if isinstance(forced_list, list) else []:
                    settings = forced.get("mcx_preference_settings", {}) if isinstance(forced, dict) else {}
                    for key in sorted(set(settings if isinstance(settings, dict) else ()) - (schema_keys or managed)):
                        findings.append(f"{rel}: key {key} is not in the custom schema")
    return findings


def _names(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _privilege_findings(dist: Path) -> list[str]:
    findings = []
    valid = valid_privileges()
    for rel in ("jamf/api-role.json", "jamf/uploader-role.json"):
        role, problem = _json_file(dist, rel, dict)
        if problem:
            findings.append(problem)
            continue
        for name in _names(role.get("privileges", [])):
            if name not in valid:
                findings.append(f"{rel}: privilege {name!r} is not a Jamf Pro 11.12 API-role privilege")
    rel = "jamf/service-account.json"
    if (dist / rel).exists():
        account, problem = _json_file(dist, rel, dict)
        groups = account.get("privileges", {}) if account else {}
        if problem or not isinstance(groups, dict):
            findings.append(problem or f"{rel}: privileges: expected an object of privilege lists")
        else:
            for group in groups.values():
                for name in _names(group):
                    if name not in valid:
                        findings.append(f"{rel}: privilege {name!r} is not a Jamf Pro 11.12 name")
    return findings


def _policy_findings(dist: Path) -> list[str]:
    findings = []
    for rel in _files(dist, "jamf/policies/*.json"):
        policy, problem = _json_file(dist, rel, dict)
        script = policy.get("script", {}) if policy else {}
        params = script.get("parameters", {}) if isinstance(script, dict) else None
        handover = policy.get("handover", {}) if policy else {}
        if problem or not isinstance(params, dict) or not isinstance(handover, dict):
            findings.append(problem or f"{rel}: expected script.parameters and handover objects")
            continue
        if len(params) > 8:
            findings.append(f"{rel}: {len(params)} options; Jamf passes at most 8 ($4-$11)")
        for slot in handover:
            value = params.get(slot, "")
            if not isinstance(value, str) or not value.endswith("=" + HANDOVER_PLACEHOLDER):
                findings.append(f"{rel}: {slot} must hold the hand-over placeholder, never a credential")
    return findings


def sample_status() -> dict[str, str]:
    """A status plist with a plausible value for every key of the status model."""
    sample = {"date": "2026-01-02 03:04:05", "digits": "42", "string": "sample"}
    return {k.key: (k.values[-1] if k.values else sample[k.kind]) for k in MODEL.keys}


def _ea_definitions(dist: Path, manifest: dict[str, Any], trusted: dict[str, Path]) -> tuple[list, list[str]]:
    """(rel, meta) of every EA that may run, and findings for those that may not."""
    runnable, findings = [], []
    kinds = {e["path"]: e["kind"] for e in manifest["artifacts"]}
    for rel in _files(dist, "extension-attributes/*.json"):
        meta, problem = _json_file(dist, rel, dict)
        if problem:
            findings.append(problem)
            continue
        script = meta.get("script")
        if not isinstance(script, str) or not isinstance(meta.get("statusKey"), str):
            findings.append(f"{rel}: expected script and statusKey strings")
        elif kinds.get(script) != "extension-attribute" or script not in trusted:
            findings.append(f"{rel}: not run: {script!r} is not an extension attribute of manifest.json "
                            "inside the folder with a matching sha256")
        else:
            runnable.append((script, meta))
    return runnable, findings


def _ea_findings(dist: Path, manifest: dict[str, Any]) -> list[str]:
    from .harness.runner import build_tools, run_script  # imported late: only validate needs the harness

    domain = manifest["bundle"]["domain"]
    trusted = _trusted_files(dist, manifest)
    runnable, findings = _ea_definitions(dist, manifest, trusted)
    if not runnable:
        return findings
    with tempfile.TemporaryDirectory(prefix="jamf-enforcer-validate-") as tmp:
        tools = build_tools(Path(tmp) / "tools")
        scripts = Path(tmp) / "scripts"
        for rel, _ in runnable:  # run copies: the folder's files are never executed in place
            copy = scripts / rel
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(trusted[rel].read_bytes())
        for case, status in (("sample", sample_status()), ("missing", None)):
            root = Path(tmp) / case
            state = Path(tmp) / f"{case}-state"
            state.mkdir(parents=True)
            if status is not None:
                plist = root / "Library" / "Management" / domain / "status.plist"
                plist.parent.mkdir(parents=True)
                plist.write_bytes(plistlib.dumps(status))
            for rel, meta in runnable:
                try:
                    result = run_script(scripts / rel, [], root=root, state=state, timeout=EA_TIMEOUT_SECONDS, tools=tools)
                except TimeoutError:
                    findings.append(f"{rel}: with a {case} status plist, did not finish within {EA_TIMEOUT_SECONDS} s "
                                    "(stopped)")
                    continue
                lines = [line for line in result.stdout.splitlines() if line.strip()]
                results = [line for line in lines if re.fullmatch(r"<result>.*</result>", line)]
                if result.returncode != 0 or len(lines) != 1 or len(results) != 1:
                    findings.append(f"{rel}: with a {case} status plist, expected exactly one <result> line and "
                                    f"exit 0, got exit {result.returncode} and {len(lines)} line(s)")
                    continue
                value = results[0][len("<result>"):-len("</result>")]
                if meta.get("dataType") == "DATE" and value and not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value):
                    findings.append(f"{rel}: DATE attribute printed {value!r}, not YYYY-MM-DD hh:mm:ss")
                if case == "sample" and status is not None and value != status.get(meta["statusKey"]):
                    findings.append(f"{rel}: printed {value!r} for {meta['statusKey']}={status.get(meta['statusKey'])!r}")
    return findings


def validate_dist(dist: str | Path) -> list[str]:
    root = Path(dist)
    manifest = load_manifest(root)
    findings = _manifest_findings(root, manifest)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix in (".zsh", ".sh", ".bash") and not path.is_symlink() and path.is_file():
            text, problem = _read_text(root, rel)
            findings.extend([problem] if problem else shell_findings(rel, text or "", path))
    findings += _profile_findings(root) + _privilege_findings(root) + _policy_findings(root)
    if shutil.which("zsh") is None:
        findings.append(ZSH_MISSING)
    else:
        findings += _ea_findings(root, manifest)
    return findings
