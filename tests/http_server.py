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
"""

from __future__ import annotations

import mimetypes
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

__all__ = ["MirrorServer", "serve_mirror"]


@dataclass
class MirrorServer:
    root: Path
    require_referer: bool = True
    fail_first: int = 0
    base_url: str = ""
    _requests: list[tuple[str, str | None, int]] = field(default_factory=list)
    _headers: list[dict[str, str]] = field(default_factory=list)
    _attempts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
        """The file under root for a decoded URL path, or None (never escapes root)."""
        root = self.root.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.htm"
        return candidate if candidate.is_file() else None


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

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            path = unquote(urlsplit(self.path).path)
            referer = self.headers.get("Referer")
            attempt = server_state._count_attempt(path)
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


@contextmanager
def serve_mirror(root: Path, *, require_referer: bool = True, fail_first: int = 0) -> Iterator[MirrorServer]:
    """Serve ``root`` on http://127.0.0.1:<ephemeral port> in a background thread."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: mirror directory not found")
    state = MirrorServer(root=root, require_referer=require_referer, fail_first=fail_first)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    state.base_url = f"http://{host}:{port}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"serve_mirror:{port}", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
