"""The HTTP(S) front: sockets, TLS, keep-alive, faults, latency, the request log, recording.

A ``ThreadingHTTPServer`` answers HTTP/1.1 with persistent connections (every response has a
``Content-Length``); the TLS handshake happens in the connection's own thread, so a slow
client cannot stall the accept loop.  For each request the handler resolves the tenant
(``/t/<n>/...`` prefix, else tenant 0), hands ``/__sim/`` requests to ``admin`` untouched,
and otherwise applies latency and the seeded fault decision around ``app.dispatch`` (run under
the tenant's lock).  It assigns a Jamf Cloud node from the ``jpro-ingress`` cookie, setting the
cookie when the client has none.  Every request is logged -- method, path, redacted query,
status, identity, node, fault -- never a secret, token or body.  The identity is the client id or
account name behind the token, or the one a token request named *if the server knows it* (an
unknown name may be a secret pasted into the wrong field).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode

from . import admin
from .app import dispatch
from .faults import COOKIE, node_from_cookie
from .messages import Request, Response, api_error, classic_page, plain_not_found
from .recorder import REDACTED, SECRET_KEYS, redact, request_json

MAX_BODY = 16 * 1024 * 1024
_MUTATING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
_SECRET_QUERY = SECRET_KEYS | {"secret", "access-token", "accessToken", "pass"}


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def redact_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k in _SECRET_QUERY or "secret" in k.lower() or "password" in k.lower() else v)
                      for k, v in pairs])


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: Any, context: ssl.SSLContext | None) -> None:
        self.sim = sim
        self.ssl_context = context
        self.connections: set[socket.socket] = set()
        self.connection_lock = threading.Lock()
        self.accepted = 0
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = request
        if self.ssl_context is not None:
            try:
                request.settimeout(10)
                connection = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                with contextlib.suppress(OSError):
                    request.close()
                return
        with self.connection_lock:
            self.connections.add(connection)
            self.accepted += 1
        try:
            self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ValueError):
            pass
        finally:
            with self.connection_lock:
                self.connections.discard(connection)
            with contextlib.suppress(OSError):
                connection.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: a traceback could echo request data; the request log has what matters."""

    def close_connections(self) -> None:
        with self.connection_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "JamfProSimulator"
    sys_version = ""
    timeout = 30
    server: SimServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr log (the simulator keeps its own)."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # --- plumbing -------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip() or b"x", 16)
                except ValueError:
                    raise _BadRequest(400, "bad chunk size") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise _BadRequest(413, "request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
        except ValueError:
            raise _BadRequest(400, "bad Content-Length") from None
        if length < 0:
            raise _BadRequest(400, "bad Content-Length")
        if length > MAX_BODY:
            raise _BadRequest(413, "request body too large")
        return self.rfile.read(length)

    def _write(self, response: Response, cookie: str | None = None) -> None:
        body = response.body if self.command != "HEAD" else b""
        self.send_response(response.status, response.reason or None)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status not in (204, 304):
            self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if cookie:
            self.send_header("Set-Cookie", cookie)
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n" + body)  # headers and body in one write
        self.flush_headers()

    def _drop(self) -> None:
        """Close the connection without an answer (a dropped connection fault)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # --- one request ----------------------------------------------------------------------
    def _handle(self) -> None:
        try:
            self._serve()
        except (OSError, ValueError):
            self.close_connection = True

    def _serve(self) -> None:
        sim = self.server.sim
        started = time.perf_counter()
        raw_path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except _BadRequest as bad:
            self.close_connection = True
            self._write(Response(bad.status, str(bad).encode(), "text/plain"))
            return
        tenant, path, prefix = sim.resolve_tenant(raw_path)
        if tenant is None:
            self._write(plain_not_found())
            return
        host = self.headers.get("Host") or f"{sim.config.host}:{sim.port}"
        scheme = "https" if self.server.ssl_context is not None else "http"
        request = Request.build(self.command, path, query, dict(self.headers.items()), body,
                                f"{scheme}://{host}{prefix}")
        if path == "/__sim" or path.startswith("/__sim/"):
            response = admin.handle(sim, tenant, request)
            sim.admin_log.append({"tenant": tenant.name, "method": self.command, "path": path,
                                  "status": response.status})
            self._write(response)
            return
        self._serve_jamf(tenant, request, path, query, body, scheme, started)

    def _serve_jamf(self, tenant: Any, request: Request, path: str, query: str, body: bytes, scheme: str,
                    started: float) -> None:
        """One Jamf route: the node and its sticky cookie, latency, seeded faults, dispatch, log, record."""
        sim = self.server.sim
        node = node_from_cookie(self.headers.get("Cookie", ""))
        cookie = None
        if node is None:
            node = sim.injector.pick_node()
            cookie = f"{COOKIE}={node}; Path=/; HttpOnly" + ("; Secure" if scheme == "https" else "")
        spec = sim.injector.spec
        delay_ms = sim.config.latency_ms + spec.latency_ms
        if delay_ms:
            time.sleep(delay_ms / 1000)
        decision = sim.injector.decide(self.command, path)
        entry: dict[str, Any] = {
            "time": sim.clock.now(), "tenant": tenant.name, "method": self.command, "path": path,
            "query": redact_query(query), "template": None, "status": None, "identity": None, "node": node,
            "fault": decision.kind,
        }
        if decision.kind == "drop_before":
            self._finish(tenant, entry, started)
            self._drop()
            return
        template = identity = None
        if decision.status is not None:
            response = self._fault_response(path, decision.status, spec.retry_after)
        else:
            try:
                with tenant.lock:
                    outcome = dispatch(tenant, request, node, spec.replication_ms)
                response, template, identity = outcome.response, outcome.template, outcome.identity
            except Exception as error:  # never crash, never echo details
                entry["error"] = type(error).__name__
                response = api_error(500, "INTERNAL_ERROR", "An internal error occurred")
            if self.command in _MUTATING and response.status < 400:
                sim.state_changed()
        entry.update(template=template, identity=identity, status=response.status)
        if decision.kind == "slow":
            time.sleep(spec.slow_ms / 1000)
        if decision.kind == "drop_after":
            entry["status"] = None
            self._finish(tenant, entry, started)
            self._drop()
            return
        self._finish(tenant, entry, started)
        sim.record({
            "tenant": tenant.name, "method": self.command, "path": path, "template": template,
            "status": response.status, "request_json": request_json(request.content_type, body),
            "response_json": redact(response.json), "response_content_type": response.content_type,
            "fault": decision.kind,
        })
        self._write(response, cookie)

    @staticmethod
    def _finish(tenant: Any, entry: dict[str, Any], started: float) -> None:
        entry["ms"] = round((time.perf_counter() - started) * 1000, 3)
        tenant.log(entry)

    @staticmethod
    def _fault_response(path: str, status: int, retry_after: int) -> Response:
        headers = [("Retry-After", str(retry_after))] if status in (429, 503) else []
        if path.startswith("/JSSResource"):
            response = classic_page(status, "Injected fault")
            response.headers.extend(headers)
            return response
        code = "RATE_LIMIT_EXCEEDED" if status == 429 else "SERVER_ERROR"
        text = "Rate limit exceeded" if status == 429 else "The server is temporarily unable to answer"
        return api_error(status, code, text, headers=headers)
