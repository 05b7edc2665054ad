"""Recording live fetches as a web archive: every HTTP exchange with a live host is appended,
as a WARC `request` and `response` record pair, to one archive per scan under the data folder
(data/archive/<time>-<scan>.warc.gz). `BEIAN_SOURCE=<that file or folder>` replays it offline.

The raw landing stays the content-addressed store of bytes; the archive adds the exchange
(URL, time, status, headers). Each record is its own gzip member and is flushed as written, so
a run killed half-way leaves a readable archive of what it fetched.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Iterable

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# requests hands over the decoded body, so these no longer describe the stored payload
_PAYLOAD_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def archive_name(scan_id: str, when: datetime | None = None) -> str:
    when = when or datetime.now(timezone.utc)
    return f"{when:%Y%m%dT%H%M%SZ}-{scan_id}.warc.gz"


class WarcRecorder:
    """Appends request/response pairs to ``path`` (created with its folder on the first record)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.records = 0  # exchanges written
        self._lock = threading.Lock()

    def record(self, *, url: str, method: str, request_headers: Iterable[tuple[str, str]],
               status: int, reason: str, response_headers: Iterable[tuple[str, str]],
               body: bytes, protocol: str = "HTTP/1.1") -> None:
        target = url.split("://", 1)[-1].split("/", 1)
        path = "/" + (target[1] if len(target) > 1 else "")
        request = StatusAndHeaders(f"{method} {path} {protocol}", list(request_headers),
                                   is_http_request=True)
        kept = [(k, v) for k, v in response_headers if k.lower() not in _PAYLOAD_HEADERS]
        kept.append(("Content-Length", str(len(body))))
        response = StatusAndHeaders(f"{status} {reason or ''}".strip(), kept, protocol=protocol)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as handle:
                writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
                response_record = writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                            http_headers=response)
                request_record = writer.create_warc_record(url, "request", payload=BytesIO(b""),
                                                           http_headers=request)
                writer.write_request_response_pair(request_record, response_record)
                handle.flush()
            self.records += 1
