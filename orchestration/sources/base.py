"""The source interface. URLs are always the canonical https://<host>/<path> form,
so what lands is the same whichever source served it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from ..limits import Limits


@dataclass(frozen=True)
class FetchResult:
    url: str  # canonical URL
    content: bytes
    status: int  # HTTP status; 200 for a file read from a mirror
    fetched_at: datetime
    location: str  # where it was actually read from (path or URL)


class FetchError(RuntimeError):
    """A publication that could not be fetched; the message is one line naming the URL."""


class Source(Protocol):
    description: str

    def fetch(self, url: str, referer: str | None = None) -> FetchResult: ...


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def short_url(url: str, keep: int = 200) -> str:
    """A URL as an error message quotes it: an over-long one cut (with its length), control
    characters escaped, so the message stays one printable line."""
    text = url if len(url) <= keep else f"{url[:keep]}… ({len(url)} characters)"
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def check_url_text(url: str, limits: Limits) -> None:
    """Refuse a URL no canonical link can be: over the length limit, or holding control
    characters (a real link has them percent-encoded)."""
    if len(url) > limits.max_url_length:
        raise FetchError(f"{short_url(url)}: URL longer than {limits.max_url_length} characters")
    if not url.isprintable():
        raise FetchError(f"{short_url(url)}: refused: control characters in the URL")
