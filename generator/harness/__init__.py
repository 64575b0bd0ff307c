"""The macOS test harness: run the real rendered zsh scripts on Linux against file-backed
stand-ins of the macOS-only commands they call.

Product code, not just test code: ``jamf-enforcer validate`` runs the extension attributes under
it, and ``bench/agent.py`` measures the agent with it.

Pieces
------
* ``runner.run_script(script, args, *, root, state, env=None, now=None, stdin=None, timeout=60)
  -> Result(returncode, stdout, stderr, stub_calls, seconds)`` runs a script under zsh with
  ``PATH = JAMF_ENFORCER_PATH = <stubs>:<allow-list>`` and a clean environment.
* ``mac.Mac(base)`` — a simulated Mac (root + state folder) with helpers that write the files
  below; ``Mac.run(args)`` calls ``run_script``.
* ``stubs/`` — one executable Python script per macOS command.  Each records its call as one
  JSON line ``{"cmd", "argv", "stdin", "pid", ...}`` to ``$JAMF_ENFORCER_STUB_LOG`` *before*
  acting.  ``stdin`` says whether the stub read standard input; its content is never recorded.

Environment a harnessed script sees
-----------------------------------
``JAMF_ENFORCER_ROOT``      prefix of every absolute path the script touches (the private root)
``JAMF_ENFORCER_PATH``      the PATH to use (stubs + allow-list)
``JAMF_ENFORCER_NOW_FILE``  file holding the clock in epoch seconds; ``sleep`` advances it
``JAMF_ENFORCER_STUB_STATE`` / ``JAMF_ENFORCER_STUB_LOG``  stub configuration folder / call log
``HOME``, ``TMPDIR`` inside the state folder; ``TZ=UTC``; ``LANG=C``; nothing else inherited.

State files (``$JAMF_ENFORCER_STUB_STATE/<name>.json``)
--------------------------------------------------------
``system``   ``{"arch": "arm64"|"i386", "product_version": "15.1", "build_version": "24B83",
             "product_version_extra": "", "serial": "...", "udid": "...", "console_user": "alice"|null,
             "parent_process": "/usr/local/jamf/bin/jamf"|null}`` — sw_vers, arch, uname, ioreg,
             scutil, ps.
``jamf``     ``{"version": "11.12.0", "jss_url": "...", "recon_id": 12, "recon_exit": 0,
             "available": true, "missing": false}`` — the jamf binary.  The Jamf client's
             preferences are a real plist under the root (``Mac.set_jamf`` writes both).
``users``    ``{"alice": {"uid": 501, "password": "...", "admin": bool, "secure_token": bool,
             "volume_owner": bool, "generated_uid": "...", "hidden": bool}}`` — dscl, id,
             diskutil, sysadminctl (which adds/removes entries), softwareupdate --stdinpass.
``keychain`` ``{"items": [{"keychain": "System.keychain", "service", "account", "password",
             "label", "trusted": [...]}], "corrupt_writes": false}`` — security (plain and ``-i`` on
             stdin); ``corrupt_writes`` makes every write store a different value.
``profiles`` ``{"enrolled", "dep", "mdm_server", "mdm_available", "bootstrap_supported",
             "bootstrap_escrowed", "bootstrap_valid", "eacs_preflight"}`` — profiles, mdmclient.
``softwareupdate`` ``{"updates": [{"label", "title", "version", "size_kib", "recommended",
             "restart"}], "install_exit": 0, "installed": [...], "restart_requested": bool}``.
``osascript`` ``{"answers": [{"button", "text", "gave_up", "returncode", "stderr"}], "next": 0,
             "shown": [{"asks_text", "hidden"}]}`` — dialogs are answered in order; with no
             answer left a dialog gives up (times out).
``now`` (plain file, not JSON) — the clock.

Allow-list
----------
See ``runner.ALLOW_LIST``: only tools that behave identically on macOS are linked from the
host (today: curl).  ``base64`` is a stub restricted to the forms every supported macOS accepts.
"""

from .mac import Mac
from .runner import ALLOW_LIST, Result, run_script, tool_path

__all__ = ["ALLOW_LIST", "Mac", "Result", "run_script", "tool_path"]
