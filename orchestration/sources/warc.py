"""A web archive as a source: `BEIAN_SOURCE=<file.warc.gz>` or a folder of WARC files replays
what the sites answered, by exact URL (query string included), with the status and headers
that came with each answer.

Read with warcio, the library web archivists use. Each file is indexed once per process
(URL -> file and offset); a fetch then seeks to its one record. Where a URL was captured more
than once, the latest capture answers (by WARC-Date, then by file and position). The archive
is judged as of its capture time: ``as_of`` is the newest WARC-Date of its responses.

What crawlers write besides `response` records is read too: a `revisit` record (an unchanged
answer, deduplicated) answers with its own status and headers and the payload of the capture it
refers to (by payload digest, else by URL and date); a `resource` record is a 200 with its
WARC Content-Type. A Target-URI written as ``<uri>`` is read without the brackets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..limits import Limits
from ..settings import WARC_SUFFIXES
from .base import FetchError, FetchResult, NotFound, check_fetchable, short_url

REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class _Capture:
    file: Path
    offset: int
    captured_at: datetime
    order: tuple[int, int]  # file index, record index: later wins among equal dates
    kind: str = "response"  # response, revisit or resource
    payload_from: "_Capture | None" = None  # a revisit's payload: the capture it refers to


_READ = ("response", "revisit", "resource")


def archive_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def _warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _target(record) -> str:
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


@lru_cache(maxsize=8)
def _index(files: tuple[tuple[str, int, int], ...]) -> dict[str, _Capture]:
    """URL -> its latest capture, over every file (each file named with its size and mtime, so
    a file that changed is indexed again)."""
    index: dict[str, _Capture] = {}
    by_digest: dict[str, _Capture] = {}  # payload digest -> a response that carries it
    by_url_date: dict[tuple[str, str], _Capture] = {}
    revisits: list[tuple[str, _Capture, str | None, tuple[str, str]]] = []
    for file_no, (name, _size, _mtime) in enumerate(files):
        path = Path(name)
        try:
            with open(path, "rb") as handle:
                records = ArchiveIterator(handle)
                for record_no, record in enumerate(records):
                    if record.rec_type not in _READ:
                        continue
                    headers = record.rec_headers
                    url, date = _target(record), headers.get_header("WARC-Date") or ""
                    capture = _Capture(path, records.get_record_offset(), _warc_date(date),
                                       (file_no, record_no), record.rec_type)
                    if record.rec_type == "revisit":
                        revisits.append((url, capture, headers.get_header("WARC-Payload-Digest"),
                                         (_target_of(headers), headers.get_header("WARC-Refers-To-Date") or "")))
                        continue
                    if digest := headers.get_header("WARC-Payload-Digest"):
                        by_digest.setdefault(digest, capture)
                    by_url_date[(url, date)] = capture
                    _keep_latest(index, url, capture)
        except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
            raise FetchError(f"{path}: not a readable web archive ({exc})") from exc
    for url, capture, digest, (refers_to, refers_date) in revisits:
        original = by_digest.get(digest or "") or by_url_date.get((refers_to, refers_date))
        if original is None:
            original = index.get(refers_to or url)  # the latest capture of what it revisits
        if original is not None:
            _keep_latest(index, url, _Capture(capture.file, capture.offset, capture.captured_at,
                                              capture.order, "revisit", original))
    return index


def _target_of(headers) -> str:
    return (headers.get_header("WARC-Refers-To-Target-URI") or "").strip().strip("<>")


def _keep_latest(index: dict[str, _Capture], url: str, capture: _Capture) -> None:
    known = index.get(url)
    if known is None or (capture.captured_at, capture.order) >= (known.captured_at, known.order):
        index[url] = capture


def _read_record(capture: _Capture, cap: int) -> tuple[int, dict[str, str], bytes]:
    """Status, HTTP headers and up to cap + 1 bytes of payload of one capture."""
    with open(capture.file, "rb") as handle:
        handle.seek(capture.offset)
        record = next(iter(ArchiveIterator(handle)))
        if capture.kind == "resource" or record.http_headers is None:
            content_type = record.rec_headers.get_header("Content-Type") or "application/octet-stream"
            status, headers = 200, {"Content-Type": content_type}
        else:
            status = int(record.http_headers.get_statuscode() or 0)
            headers = dict(record.http_headers.headers)
        if capture.payload_from is not None:
            original_status, original_headers, content = _read_record(capture.payload_from, cap)
            if status in (0, 304):  # "not modified": the original answer stands
                status, headers = original_status, original_headers
        else:
            content = record.content_stream().read(cap + 1)
    return status, headers, content


class WarcSource:
    def __init__(self, path: Path, limits: Limits | None = None):
        self.path = Path(path)
        self.limits = limits or Limits.from_env()
        files = archive_files(self.path) if self.path.exists() else []
        if not files:
            raise FetchError(f"{self.path}: no web archive (.warc.gz or .warc) there (set BEIAN_SOURCE)")
        self._index = _index(tuple((str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns) for f in files))
        dates = [c.captured_at for c in self._index.values()]
        self.as_of: datetime | None = max(dates) if dates else None
        when = f", as of {self.as_of:%Y-%m-%d}" if self.as_of else ""
        self.description = f"web archive {self.path}{when}"

    def _read(self, url: str, capture: _Capture) -> tuple[int, dict[str, str], bytes]:
        try:
            return _read_record(capture, self.limits.max_download_bytes)
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, StopIteration) as exc:
            raise FetchError(f"{url}: unreadable record in the web archive "
                             f"({capture.file}@{capture.offset}): {exc}") from exc

    def urls(self) -> list[str]:
        return sorted(self._index)

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        check_fetchable(url, self.limits)
        target, hops = url, 0
        while True:  # a captured redirect is followed inside the archive, on allowed hosts only
            capture = self._index.get(target)
            if capture is None:
                raise NotFound(f"{short_url(url)}: not in the web archive {self.path}"
                               + (f" (redirected to {short_url(target)})" if target != url else ""))
            status, headers, content = self._read(url, capture)
            location = next((v for k, v in headers.items() if k.lower() == "location"), None)
            if status not in REDIRECTS or not location:
                break
            hops += 1
            following = urljoin(target, location.strip())
            if hops > self.limits.max_redirects:
                raise FetchError(f"{url}: more than {self.limits.max_redirects} redirects in the web archive")
            check_fetchable(following, self.limits)
            target = following
        where = f"{capture.file}@{capture.offset}"
        cap = self.limits.max_download_bytes
        if len(content) > cap:
            raise FetchError(f"{url}: more than {cap} bytes in the web archive ({where}), over the cap")
        if status == 404:
            raise NotFound(f"{url}: HTTP 404 in the web archive ({where})")
        if status != 200:
            raise FetchError(f"{url}: HTTP {status} in the web archive ({where})")
        if not content:
            raise FetchError(f"{url}: empty body with HTTP 200 in the web archive ({where}); the site "
                             "answers so to a request without a Referer")
        return FetchResult(url=url, content=content, status=status, fetched_at=capture.captured_at,
                           location=where, headers=headers)
