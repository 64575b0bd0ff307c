"""The rendered agent and uninstall scripts stay within what macOS's zsh 5.9 and BSD tools
offer: they parse (zsh -n), pass the product's own portability checker, call curl only with
options curl 7.64 (macOS 11) has, and never call GNU-only or absent tools."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.harness.runner import zsh_binary
from generator.validate import shell_findings

SCRIPTS = ["enforcer.zsh", "enforcer-uninstall.zsh"]
# curl 7.64.1 (macOS 11) has every one of these.
CURL_CONFIG_KEYS = {"url", "request", "header", "user-agent", "connect-timeout", "max-time", "user", "data-binary"}
FORBIDDEN_COMMANDS = ("date", "sed", "awk", "grep", "stat", "readlink", "python3", "python", "perl", "jq",
                      "mktemp", "timeout", "seq", "xargs", "cut", "tr", "head", "tail", "sort", "cat")


@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize("workflow", ["auto", "new", "legacy"])
def test_scripts_parse_and_pass_the_portability_checker(name: str, workflow: str,
                                                        render_variant: Callable[..., Path]) -> None:
    path = render_variant(agent={"msu_workflow": workflow}) / "agent" / name
    proc = subprocess.run([zsh_binary(), "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert shell_findings(f"agent/{name}", path.read_text()) == []


@pytest.mark.parametrize("name", SCRIPTS)
def test_no_gnu_only_or_missing_tools(name: str, rendered: Path) -> None:
    text = (rendered / "agent" / name).read_text()
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    for line in code:
        for command in FORBIDDEN_COMMANDS:
            assert not re.search(rf"(^|[;&|({{]\s*|\$\()\s*{command}\s", line), f"{command}: {line}"
    assert "echo -e" not in text and "date -d" not in text and "readlink -f" not in text


def test_curl_options_exist_in_macos_11_curl(rendered: Path) -> None:
    text = (rendered / "agent" / "enforcer.zsh").read_text()
    command = next(line for line in text.splitlines() if re.match(r"\s*curl\s", line))
    assert re.findall(r"\s(-{1,2}[A-Za-z][\w-]*)", command) == ["-sS", "-K", "-D", "-w"]
    keys = set(re.findall(r'"([a-z-]+) = ', text))
    assert keys == CURL_CONFIG_KEYS, keys
    assert "tls=(--cacert $CA_FILE)" in text  # the only other option, for a test server's CA
