"""Serve a mirror directory over HTTP on loopback, like the live CAC sites.

Importable helper for tests (not a test module)::

    with serve_mirror(corpus_dir / "mirror") as server:
        source = HttpSource(server.base_url, min_interval_s=0)
        ...
        assert server.requests[0] == ("/www.cac.gov.cn/index.htm", "https://www.cac.gov.cn/", 200)

The mirror is laid out as ``<host>/<url path>``; a request for
``{base_url}/<host>/<percent-encoded path>`` returns that file (a directory
serves its ``index.htm``). Like the live site, a request without a ``Referer``
header gets an EMPTY 200 when ``require_referer`` is true. ``fail_first=N`` makes
the first N requests of each path answer 503. Every request is recorded in
``server.requests`` as ``(decoded path, referer or None, status)``, and its
headers in ``server.request_headers``.

Faults are scripted per (decoded) path with ``Fault`` answers::

    server.script("/www.cac.gov.cn/index.htm",
                  Fault(503, headers={"Retry-After": "0"}), Fault(503), None)

The n-th request of the path gets the n-th answer, the last one repeating; ``None``
serves the mirror as usual. A ``Fault`` sets the status, headers (``Location``,
``Retry-After`` …), the body (``body * repeat`` bytes, written in chunks, never held
whole), a declared ``Content-Length`` larger than the body (the server then closes
the connection: a truncated body) or none at all (``declare_length=False``: the body
ends with the connection), and delays before the answer or between chunks.
``redirect(location)`` is a shorthand. ``server.attempts(path)`` counts requests.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import unquote, urlsplit

__all__ = ["Fault", "MirrorServer", "redirect", "serve_mirror"]


@dataclass(frozen=True)
class Fault:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    repeat: int = 1  # the body is sent this many times: a huge body without holding it
    content_length: int | None = None  # declared; None = the real length; larger = truncated
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    delay_s: float = 0.0  # before the status line: a server slower than the client's timeout
    chunk_delay_s: float = 0.0  # between body chunks: a slow drip

    @property
    def length(self) -> int:
        return len(self.body) * self.repeat


def redirect(location: str, status: int = 302) -> Fault:
    return Fault(status, headers={"Location": location})


@dataclass
class MirrorServer:
    root: Path
    require_referer: bool = True
    fail_first: int = 0
    base_url: str = ""
    _requests: list[tuple[str, str | None, int]] = field(default_factory=list)
    _headers: list[dict[str, str]] = field(default_factory=list)
    _attempts: dict[str, int] = field(default_factory=dict)
    _scripts: dict[str, list[Fault | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, path: str, *answers: Fault | None) -> None:
        """Answer requests of ``path`` (decoded, with its leading /) with ``answers`` in
        turn, the last repeating; ``None`` serves the mirror."""
        if not answers:
            raise ValueError("script() needs at least one answer")
        with self._lock:
            self._scripts[path] = list(answers)

    def attempts(self, path: str) -> int:
        """How many requests of ``path`` were served."""
        with self._lock:
            return self._attempts.get(path, 0)

    def _scripted(self, path: str, attempt: int) -> Fault | None:
        with self._lock:
            answers = self._scripts.get(path)
        return answers[min(attempt, len(answers)) - 1] if answers else None

    @property
    def requests(self) -> list[tuple[str, str | None, int]]:
        """A snapshot of the requests served so far: (path, referer or None, status)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_headers(self) -> list[dict[str, str]]:
        """The headers of every request, in the order of ``requests``."""
        with self._lock:
            return [dict(h) for h in self._headers]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._headers.clear()
            self._attempts.clear()
            self._scripts.clear()

    def _record(self, path: str, referer: str | None, status: int, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((path, referer, status))
            self._headers.append(headers)

    def _count_attempt(self, path: str) -> int:
        """1 for the first request of this path, 2 for the second, ..."""
        with self._lock:
            self._attempts[path] = self._attempts.get(path, 0) + 1
            return self._attempts[path]

    def resolve(self, path: str) -> Path | None:
        """The file under root for a decoded URL path, or None (never escapes root;
        a name too long, a NUL byte or a symlink loop is simply not there)."""
        root = self.root.resolve()
        try:
            candidate = (root / path.lstrip("/")).resolve()
            if candidate != root and root not in candidate.parents:
                return None
            if candidate.is_dir():
                candidate = candidate / "index.htm"
            return candidate if candidate.is_file() else None
        except (OSError, ValueError, RuntimeError):
            return None


def _make_handler(server_state: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/octet-stream") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        def _send_fault(self, fault: Fault) -> None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
            self.send_response(fault.status)
            headers = {"Content-Type": "application/octet-stream", **fault.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            declared = fault.length if fault.content_length is None else fault.content_length
            if fault.declare_length:
                self.send_header("Content-Length", str(declared))
            if declared > fault.length or not fault.declare_length:
                # the connection closes after the body: early (a truncation) or as its only end
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return
            for _ in range(fault.repeat):
                if fault.chunk_delay_s:
                    time.sleep(fault.chunk_delay_s)
                self.wfile.write(fault.body)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            path = unquote(urlsplit(self.path).path)
            referer = self.headers.get("Referer")
            attempt = server_state._count_attempt(path)
            fault = server_state._scripted(path, attempt)
            if fault is not None:
                server_state._record(path, referer, fault.status, dict(self.headers.items()))
                try:
                    self._send_fault(fault)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up first
                    self.close_connection = True
                return
            if attempt <= server_state.fail_first:
                status, body, ctype = 503, b"Service Unavailable", "text/plain"
            else:
                file = server_state.resolve(path)
                if file is None:
                    status, body, ctype = 404, b"Not Found", "text/plain"
                elif server_state.require_referer and not referer:
                    # The CAC answers an empty 200 to requests without a Referer.
                    status, body, ctype = 200, b"", "text/html"
                else:
                    status, body = 200, file.read_bytes()
                    ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            server_state._record(path, referer, status, dict(self.headers.items()))
            self._send(status, body, ctype)

        do_HEAD = do_GET

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out or hung up mid-body is what the fault tests provoke


@contextmanager
def serve_mirror(root: Path, *, require_referer: bool = True, fail_first: int = 0) -> Iterator[MirrorServer]:
    """Serve ``root`` on http://127.0.0.1:<ephemeral port> in a background thread."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: mirror directory not found")
    state = MirrorServer(root=root, require_referer=require_referer, fail_first=fail_first)
    with serve_on_loopback(_make_handler(state)) as base_url:
        state.base_url = base_url
        yield state


@contextmanager
def serve_on_loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on http://127.0.0.1:<ephemeral port> in a background thread; yields
    the base URL and shuts the server down on exit."""
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"loopback:{port}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
