"""A local replica of the two CAC hosts, serving web archives with the live site's behaviour,
reached through the real HTTP code path (importable helper, not a test module).

- **HTTPS for www.cac.gov.cn and beian.cac.gov.cn** on 127.0.0.1, with a certificate from a
  throwaway test CA (trustme), behind an HTTP CONNECT proxy: the client runs with
  ``HTTPS_PROXY`` and ``REQUESTS_CA_BUNDLE`` (``replica.client_env()``), so `BEIAN_SOURCE=live`
  goes through HttpSource, requests, TLS and the proxy exactly as against the real hosts.
- **The site's behaviour**: without a Referer, every answer is an empty 200, and the download
  interfaces answer an HTML page instead of the file; a URL not in the archives (the column past
  its last page) is a 404; the notice API ignores paging parameters.
- **Overlays**: later archives (or ``replica.put(url, …)``) answer before earlier ones, as a
  later capture of the site would; ``endless_column`` answers every missing column page with
  the last one (a column that never says 404).

Every request is logged as ``(url, referer)`` in ``replica.requests``.
"""

from __future__ import annotations

import re
import select
import socket
import socketserver
import ssl
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Iterator
from urllib.parse import quote, urlsplit

import trustme
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HOSTS = ("www.cac.gov.cn", "beian.cac.gov.cn")
DOWNLOAD_PATHS = ("/cms/pub/interact/downloadfile.jsp", "/api/file/fileDownLoad")
NOTICE_API = "https://beian.cac.gov.cn/api/notice/list"
COLUMN = re.compile(r"^(https://www\.cac\.gov\.cn/wxzw/wxfb/A093702index)_(\d+)\.htm$")
NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
NO_REFERER_DOWNLOAD = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>提示</title></head>"
                       "<body><p>请从页面链接下载附件。</p></body></html>").encode()


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def read_archive(path: Path) -> dict[str, Answer]:
    """URL -> the last response captured for it in one WARC file."""
    answers: dict[str, Answer] = {}
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_type == "response":
                answers[record.rec_headers.get_header("WARC-Target-URI")] = Answer(
                    int(record.http_headers.get_statuscode()), list(record.http_headers.headers),
                    record.content_stream().read())
    return answers


def write_archive(path: Path, answers: dict[str, Answer]) -> Path:
    """A WARC file of response records, one per URL, as a later capture of the site."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
        for url, answer in answers.items():
            headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(answer.body))))
            http_headers = StatusAndHeaders(f"{answer.status} OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(answer.body),
                                                          http_headers=http_headers))
    return path


def page_answer(html: str) -> Answer:
    return Answer(200, [("Content-Type", "text/html")], html.encode("utf-8"))


def file_answer(body: bytes, file_name: str | None) -> Answer:
    headers = [("Content-Type", "application/octet-stream")]
    if file_name is not None:
        headers.append(("Content-Disposition", f"attachment; filename*=UTF-8''{quote(file_name, safe='')}"))
    return Answer(200, headers, body)


@dataclass
class SiteReplica:
    archives: list[Path]
    endless_column: bool = False
    port: int = 0
    proxy_port: int = 0
    ca_path: Path | None = None
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    _answers: dict[str, Answer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for archive in self.archives:  # later archives answer first
            self._answers.update(read_archive(archive))

    def put(self, url: str, answer: Answer) -> None:
        with self._lock:
            self._answers[url] = answer

    def get(self, url: str) -> Answer | None:
        return self._answers.get(url)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def client_env(self) -> dict[str, str]:
        """What a client needs to reach the replica as the live hosts."""
        proxy = f"http://127.0.0.1:{self.proxy_port}"
        return {"HTTPS_PROXY": proxy, "https_proxy": proxy, "NO_PROXY": "", "no_proxy": "",
                "REQUESTS_CA_BUNDLE": str(self.ca_path), "BEIAN_SOURCE": "live"}

    def answer(self, url: str, referer: str | None) -> Answer:
        with self._lock:
            self.requests.append((url, referer))
        path = urlsplit(url).path
        if not referer:  # the CAC's answer to a request without a Referer
            body = NO_REFERER_DOWNLOAD if path in DOWNLOAD_PATHS else b""
            return Answer(200, [("Content-Type", "text/html")], body)
        if url.split("?", 1)[0] == NOTICE_API:
            url = NOTICE_API  # the API ignores paging
        found = self._answers.get(url)
        if found is None and self.endless_column and (match := COLUMN.match(url)):
            pages = [int(m[2]) for u in self._answers if (m := COLUMN.match(u))]
            found = self._answers.get(f"{match[1]}_{max(pages)}.htm")
        return found or Answer(404, [("Content-Type", "text/html")], NOT_FOUND)


def _site_handler(replica: SiteReplica) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            host = (self.headers.get("Host") or "").split(":")[0]
            answer = replica.answer(f"https://{host}{self.path}", self.headers.get("Referer"))
            self.send_response(answer.status)
            for key, value in answer.headers:
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

    return Handler


def _proxy_handler(site_port: int) -> type[socketserver.BaseRequestHandler]:
    class Tunnel(socketserver.BaseRequestHandler):
        """CONNECT host:443 to one of the two hosts -> a tunnel to the replica; else 403."""

        def handle(self) -> None:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if method != "CONNECT" or target.rsplit(":", 1)[0] not in HOSTS:
                self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection(("127.0.0.1", site_port))
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            sockets = [self.request, upstream]
            try:
                while True:
                    readable, _, _ = select.select(sockets, [], [], 30)
                    if not readable:
                        return
                    for sock in readable:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is self.request else self.request).sendall(data)
            finally:
                upstream.close()

    return Tunnel


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_replica(archives: list[Path], ca_dir: Path, *, endless_column: bool = False) -> Iterator[SiteReplica]:
    replica = SiteReplica(list(archives), endless_column=endless_column)
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS).configure_cert(context)
    replica.ca_path = ca_dir / "replica-ca.pem"
    ca.cert_pem.write_to_path(str(replica.ca_path))

    site = ThreadingHTTPServer(("127.0.0.1", 0), _site_handler(replica))
    site.daemon_threads = True
    site.socket = context.wrap_socket(site.socket, server_side=True)
    proxy = _ThreadingTCPServer(("127.0.0.1", 0), _proxy_handler(site.server_address[1]))
    replica.port, replica.proxy_port = site.server_address[1], proxy.server_address[1]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in (site, proxy)]
    for thread in threads:
        thread.start()
    try:
        yield replica
    finally:
        for server in (site, proxy):
            server.shutdown()
            server.server_close()
