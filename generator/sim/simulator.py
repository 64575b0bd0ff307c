"""``Simulator``: start, address, inspect and stop a local Jamf Pro simulator.

Tenants are addressed by path prefix on one port: tenant 0 at the root
(``https://127.0.0.1:PORT``, also at ``/t/0``), tenant *n* at ``https://127.0.0.1:PORT/t/n``.
``base_url(n)`` gives that URL without a trailing slash.  With ``state_file`` the state of
every tenant is loaded at construction and written (atomically, mode 0600) half a second after
a successful mutating request at the latest, and at ``stop``.

**What the state file holds.**  Every object store of every tenant as JSON: API roles, API
clients (client secrets as SHA-256 digests only), accounts (passwords as salted PBKDF2 hashes),
tokens (digests), scripts, extension attributes, categories, profiles, computers, plans, and
Classic profiles and policies *as the XML they were sent*.  The credential policy's XML carries
the agent's credential in clear in its script parameters (``--auth-jamf-secret=...`` or the
account's password), exactly as Jamf Pro stores it, and its hand-over record: so the state
file is as secret as that credential.  It is written with mode 0600 and never logged.  The
bootstrap admin's secret and password are not in it: they are re-issued at every load.

**What a killed simulator leaves.**  Its run directory (``jamf-sim-*`` in the temp directory:
the per-run CA and server private keys, 0600) and perhaps a half-written state file
(``.sim-state-<pid>-*`` beside the state file).  Each names its owner's pid; the next
simulator to start removes those whose owner is gone (``remove_stale``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from .clock import Clock
from .config import SimConfig
from .faults import FaultInjector, FaultSpec
from .recorder import notify
from .server import SimServer
from .tenant import MAX_LOG, STATE_FORMAT, Tenant
from .tls import make_tls_files, server_context

WRITE_BEHIND_SECONDS = 0.5
RUN_PREFIX = "jamf-sim-"  # the per-run directory: the CA and server private keys
OWNER_FILE = "owner.pid"
STATE_TMP_PREFIX = ".sim-state-"  # + pid: a state file being written (it holds what the state file holds)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def remove_stale(directory: Path) -> list[Path]:
    """Remove what a killed simulator left in ``directory``: run directories (private keys) and half-written
    state files whose owning process is gone.  Another live simulator's files are left alone."""
    removed: list[Path] = []
    for run_dir in directory.glob(RUN_PREFIX + "*"):
        try:
            pid = int((run_dir / OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # not ours, or still being set up
        if run_dir.is_dir() and run_dir.stat().st_uid == os.getuid() and not _alive(pid):
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append(run_dir)
    for tmp in directory.glob(STATE_TMP_PREFIX + "*"):
        pid_text = tmp.name[len(STATE_TMP_PREFIX):].partition("-")[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            removed.append(tmp)
    return removed


class Simulator:
    """A local Jamf Pro simulator (see the package docstring for what it serves)."""

    def __init__(self, config: SimConfig | None = None, **overrides: Any) -> None:
        if config is None:
            config = SimConfig(**overrides)
        elif overrides:
            config = replace(config, **overrides)
        self.config = config
        self.clock = config.clock or Clock()
        self.injector = FaultInjector(config.faults)
        self.tenants = [Tenant(i, config, self.clock) for i in range(config.tenants)]
        self.exchanges: list[dict[str, Any]] = []
        self.admin_log: list[dict[str, Any]] = []
        self.ca_file: str | None = None
        self.run_dir: Path | None = None
        self.port = 0
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None
        self._persist_lock = threading.Lock()
        self._record_lock = threading.Lock()
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        self._writer: threading.Thread | None = None
        if config.state_file:
            remove_stale(Path(config.state_file).parent)
        if config.state_file and Path(config.state_file).exists():
            self.load_state(config.state_file)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> Simulator:
        if self._server is not None:
            return self
        remove_stale(Path(tempfile.gettempdir()))
        self.run_dir = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
        (self.run_dir / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
        context = None
        if self.config.tls:
            ca_path, cert_path, key_path = make_tls_files(self.run_dir)
            self.ca_file = str(ca_path)
            context = server_context(cert_path, key_path)
        self._server = SimServer((self.config.host, self.config.port), self, context)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"jamf-sim-{self.port}", daemon=True)
        self._thread.start()
        if self.config.state_file:
            self._stopping.clear()
            self._writer = threading.Thread(target=self._write_behind, name=f"jamf-sim-state-{self.port}", daemon=True)
            self._writer.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._stopping.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        self.persist()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted so far (keep-alive clients reuse one)."""
        return self._server.accepted if self._server is not None else 0

    # --- addressing --------------------------------------------------------------------------
    def base_url(self, tenant: int = 0) -> str:
        if not self.running:
            raise RuntimeError("the simulator is not running: call start() first")
        self.tenant(tenant)
        scheme = "https" if self.config.tls else "http"
        prefix = "" if tenant == 0 else f"/t/{tenant}"
        return f"{scheme}://{self.config.host}:{self.port}{prefix}"

    def tenant(self, index: int = 0) -> Tenant:
        if not 0 <= index < len(self.tenants):
            raise IndexError(f"no tenant {index}: this simulator has {len(self.tenants)}")
        return self.tenants[index]

    def resolve_tenant(self, raw_path: str) -> tuple[Tenant | None, str, str]:
        """``(tenant, path within the tenant, URL prefix)`` for a request path."""
        if raw_path.startswith("/t/"):
            name, _, rest = raw_path[3:].partition("/")
            tenant = next((t for t in self.tenants if t.name == name), None)
            return tenant, "/" + rest, f"/t/{name}"
        return self.tenants[0], raw_path, ""

    # --- faults --------------------------------------------------------------------------------
    def set_faults(self, spec: str | FaultSpec) -> None:
        """Replace the fault spec at run time (``""`` turns faults off); reseeds the generator."""
        self.injector.set(spec)

    @property
    def faults(self) -> FaultSpec:
        return self.injector.spec

    # --- recording -----------------------------------------------------------------------------
    def record(self, exchange: dict[str, Any]) -> None:
        if self.config.record_exchanges:
            with self._record_lock:
                self.exchanges.append(exchange)
                if len(self.exchanges) > MAX_LOG:
                    del self.exchanges[: MAX_LOG // 2]
        if self.config.publish_exchanges:
            notify(exchange)

    # --- persistence ---------------------------------------------------------------------------
    def state_changed(self) -> None:
        """Note a change; the state file is rewritten within ``WRITE_BEHIND_SECONDS`` and at ``stop``."""
        if self.config.state_file:
            self._dirty.set()

    def _write_behind(self) -> None:
        while not self._stopping.wait(WRITE_BEHIND_SECONDS):
            if self._dirty.is_set():
                self.persist()

    def persist(self) -> None:
        """Write the state file now (atomically, mode 0600)."""
        if not self.config.state_file:
            return
        path = Path(self.config.state_file)
        with self._persist_lock:
            self._dirty.clear()
            state = {"format": STATE_FORMAT, "tenants": {t.name: t.to_state() for t in self.tenants}}
            text = json.dumps(state, sort_keys=True, default=str)
            fd, tmp = tempfile.mkstemp(prefix=f"{STATE_TMP_PREFIX}{os.getpid()}-", dir=str(path.parent or Path(".")))
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.chmod(tmp, 0o600)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)

    def load_state(self, path: str) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != STATE_FORMAT:
            raise ValueError(f"{path}: not a simulator state file of format {STATE_FORMAT}")
        for tenant in self.tenants:
            if tenant.name in data.get("tenants", {}):
                tenant.load_state(data["tenants"][tenant.name])
