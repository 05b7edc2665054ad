"""A web archive as a source: `BEIAN_SOURCE=<file.warc.gz>` or a folder of WARC files replays
what the sites answered, by exact URL (query string included), with the status and headers
that came with each answer.

Read with warcio, the library web archivists use. Each file is indexed once per process
(URL -> file and offset); a fetch then seeks to its one record. Where a URL was captured more
than once, the latest capture answers (by WARC-Date, then by file and position). The archive
is judged as of its capture time: ``as_of`` is the newest WARC-Date of its responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..limits import Limits
from .base import FetchError, FetchResult, NotFound, check_fetchable, short_url

WARC_SUFFIXES = (".warc.gz", ".warc")


@dataclass(frozen=True)
class _Capture:
    file: Path
    offset: int
    captured_at: datetime
    order: tuple[int, int]  # file index, record index: later wins among equal dates


def is_web_archive(path: Path) -> bool:
    """A WARC file, or a folder holding at least one."""
    if path.is_file():
        return path.name.endswith(WARC_SUFFIXES)
    return path.is_dir() and any(archive_files(path))


def archive_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def _warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@lru_cache(maxsize=8)
def _index(files: tuple[tuple[str, int, int], ...]) -> dict[str, _Capture]:
    """URL -> its latest response capture, over every file (each file named with its size and
    mtime, so a file that changed is indexed again)."""
    index: dict[str, _Capture] = {}
    for file_no, (name, _size, _mtime) in enumerate(files):
        path = Path(name)
        try:
            with open(path, "rb") as handle:
                records = ArchiveIterator(handle)
                for record_no, record in enumerate(records):
                    if record.rec_type != "response":
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    capture = _Capture(path, records.get_record_offset(),
                                       _warc_date(record.rec_headers.get_header("WARC-Date")),
                                       (file_no, record_no))
                    known = index.get(url)
                    if known is None or (capture.captured_at, capture.order) >= (known.captured_at, known.order):
                        index[url] = capture
        except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
            raise FetchError(f"{path}: not a readable web archive ({exc})") from exc
    return index


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

    def urls(self) -> list[str]:
        return sorted(self._index)

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        check_fetchable(url, self.limits)
        capture = self._index.get(url)
        if capture is None:
            raise NotFound(f"{short_url(url)}: not in the web archive {self.path}")
        with open(capture.file, "rb") as handle:
            handle.seek(capture.offset)
            record = next(iter(ArchiveIterator(handle)))
            status = int(record.http_headers.get_statuscode() or 0)
            headers = dict(record.http_headers.headers)
            cap = self.limits.max_download_bytes
            content = record.content_stream().read(cap + 1)
        where = f"{capture.file}@{capture.offset}"
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
