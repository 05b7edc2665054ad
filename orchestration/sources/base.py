"""The source interface. URLs are always the canonical https://<host>/<path> form,
so what lands is the same whichever source served it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Mapping, Protocol
from urllib.parse import urlsplit

from ..limits import Limits


@dataclass(frozen=True)
class FetchResult:
    url: str  # canonical URL
    content: bytes
    status: int  # HTTP status; 200 for a file read from a mirror
    fetched_at: datetime
    location: str  # where it was actually read from (path or URL)
    # the answer's HTTP headers (Content-Type, Content-Disposition …); empty from a mirror directory
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


class FetchError(RuntimeError):
    """A publication that could not be fetched; the message is one line naming the URL."""


class NotFound(FetchError):
    """The source answers that nothing is at the URL (HTTP 404, or not in an archive or mirror):
    how a paged column ends, and how a known notice that was taken down shows."""


class Source(Protocol):
    description: str

    def fetch(self, url: str, referer: str | None = None) -> FetchResult: ...


def check_fetchable(url: str, limits: Limits) -> None:
    """Refuse, before any request, a URL that is too long, holds control characters, is not
    http(s) or not on an allowed host: what no source may fetch, whatever serves it."""
    check_url_text(url, limits)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as exc:  # e.g. an unbalanced [ or a bad port
        raise FetchError(f"{short_url(url)}: not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{short_url(url)}: refused: not an http(s) URL")
    allowed = {h.lower() for h in limits.allowed_hosts}
    if host not in allowed:
        raise FetchError(f"{short_url(url)}: refused: host {host or '(none)'!r} is not in the allowed "
                         f"hosts ({', '.join(sorted(allowed))})")


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
