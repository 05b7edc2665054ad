"""The source interface. URLs are always the canonical https://<host>/<path> form,
so what lands is the same whichever source served it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol


@dataclass(frozen=True)
class FetchResult:
    url: str  # canonical URL
    content: bytes
    status: int  # HTTP status; 200 for a file read from a mirror
    fetched_at: datetime
    location: str  # where it was actually read from (path or URL)


class FetchError(RuntimeError):
    """A publication that could not be fetched; the message names the URL."""


class Source(Protocol):
    description: str

    def fetch(self, url: str, referer: str | None = None) -> FetchResult: ...


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
