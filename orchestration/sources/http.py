"""HTTP fetching, polite and persistent, trusting nothing it is sent.

Polite: browser-like headers with a Referer (the CAC answers an empty 200 without one),
timeouts, bounded retries with backoff on 429/5xx, connection failures, truncated and
empty bodies, and a minimum interval between requests to one host.

Distrustful (bounds in orchestration/limits.py): only allow-listed hosts are fetched;
redirects are followed by hand, a bounded number of hops, each hop's host checked; a
Retry-After longer than the cap fails the URL instead of stalling the run; the body is
streamed under a byte cap (refused early when Content-Length already exceeds it) and a
body shorter than its Content-Length is an error. Every failure is one line naming the
URL and the reason.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from ..limits import Limits
from ..parsers.text import one_line
from .base import FetchError, FetchResult, NotFound, check_fetchable, now_utc, short_url
from .mirror import mirror_relative_path
from .recorder import WarcRecorder

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36 beian-warehouse")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


class _Retryable(Exception):
    """A failure worth another attempt; ``wait_s`` is what the server asked for, if anything."""

    def __init__(self, reason: str, wait_s: float | None = None):
        super().__init__(reason)
        self.reason, self.wait_s = reason, wait_s


@dataclass(frozen=True)
class _Body:
    content: bytes
    status: int
    location: str  # the URL that finally answered (after redirects)
    headers: dict[str, str]


class HttpSource:
    """``base_url=None`` fetches the live sites; a base URL fetches a mirror served
    over HTTP, at ``<base_url>/<host>/<path>`` (redirects may not leave the mirror)."""

    def __init__(self, base_url: str | None = None, *, timeout_s: float = 30.0,
                 retries: int = 4, min_interval_s: float = 1.0, backoff_s: float = 0.5,
                 limits: Limits | None = None, recorder: WarcRecorder | None = None):
        self.recorder = recorder  # every exchange with a live host, appended to a web archive
        self.base_url = base_url.rstrip("/") if base_url else None
        self.description = f"HTTP mirror {self.base_url}" if self.base_url else "live CAC sites over HTTPS"
        self.limits = limits or Limits.from_env()
        self.timeout = (min(10.0, timeout_s), timeout_s)
        self.retries = retries
        self.backoff_s = backoff_s
        self.min_interval_s = min_interval_s
        self._allowed_hosts = frozenset(h.lower() for h in self.limits.allowed_hosts)
        self._mirror_origin = _origin(self.base_url) if self.base_url else None
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self.session = requests.Session()
        self.session.headers.update({
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        })

    def location(self, url: str) -> str:
        if self.base_url is None:
            return url
        return f"{self.base_url}/{requests.utils.quote(mirror_relative_path(url))}"

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        self._check_canonical(url)
        location = self.location(url)
        parts = urlsplit(url)
        headers = {"Referer": referer or f"{parts.scheme}://{parts.netloc}/"}
        problem = ""
        for attempt in range(self.retries + 1):
            try:
                body = self._get(url, location, headers)
            except _Retryable as exc:
                problem = exc.reason
                wait_s = self._wait_before_retry(url, exc, attempt)  # raises over the Retry-After cap
                if attempt < self.retries:
                    time.sleep(wait_s)
                continue
            return FetchResult(url=url, content=body.content, status=body.status,
                               fetched_at=now_utc(), location=body.location, headers=body.headers)
        raise FetchError(f"{url}: {problem}; gave up after {self.retries + 1} attempts")

    def _check_canonical(self, url: str) -> None:
        """In mirror mode too: the mirror serves only the allowed hosts."""
        check_fetchable(url, self.limits)

    def _hop_allowed(self, hop: str) -> str | None:
        """Why a redirect target is refused, or None when it may be followed."""
        try:
            parts = urlsplit(hop)
            host = (parts.hostname or "").lower()
        except ValueError:
            return "an invalid URL"
        if self._mirror_origin is not None:
            if _origin(hop) != self._mirror_origin:
                return f"it leaves the mirror {self._mirror_origin}"
            return None
        if parts.scheme not in ("http", "https"):
            return "not an http(s) URL"
        if host not in self._allowed_hosts:
            return f"host {host!r} is not allowed"
        return None

    def _get(self, url: str, location: str, headers: dict[str, str]) -> _Body:
        """One attempt: the request and its redirect hops, each checked, then the body."""
        current = location
        visited = {current}
        for _hop in range(self.limits.max_redirects + 1):
            response = self._request(url, current, headers)
            with response:
                if response.status_code in REDIRECT_STATUSES:
                    self._record(current, response, b"")
                    target = response.headers.get("Location")
                    if not target:
                        raise FetchError(f"{url}: HTTP {response.status_code} redirect without a "
                                         f"Location from {current}")
                    following = urljoin(current, target)
                    refused = self._hop_allowed(following)
                    if refused:
                        raise FetchError(f"{url}: refused redirect from {current} to "
                                         f"{short_url(following)}: {refused}")
                    if following in visited:
                        raise FetchError(f"{url}: redirect loop: {current} leads back to {following}")
                    visited.add(following)
                    current = following
                    continue
                return self._body(url, current, response)
        raise FetchError(f"{url}: more than {self.limits.max_redirects} redirects "
                         f"({current} not followed)")

    def _request(self, url: str, location: str, headers: dict[str, str]) -> requests.Response:
        self._wait_turn(urlsplit(location).netloc)
        try:
            return self.session.get(location, headers=headers, timeout=self.timeout,
                                    allow_redirects=False, stream=True)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retryable(f"request to {location} failed: {one_line(exc)}") from exc
        except (requests.RequestException, ValueError, OSError) as exc:  # invalid URL, label too long
            raise FetchError(f"{url}: request to {short_url(location)} failed: {one_line(exc)}") from exc

    def _body(self, url: str, location: str, response: requests.Response) -> _Body:
        status = response.status_code
        content = self._read(url, location, response)
        self._record(location, response, content)
        if status in RETRY_STATUSES:
            raise _Retryable(f"HTTP {status} from {location}", _retry_after_s(response))
        if status == 404:
            raise NotFound(f"{url}: HTTP 404 from {location}")
        if status != 200:
            raise FetchError(f"{url}: HTTP {status} from {location}")
        if not content:
            raise _Retryable("empty body with HTTP 200 (the site does this without a Referer)")
        return _Body(content, status, location, dict(response.headers))

    def _read(self, url: str, location: str, response: requests.Response) -> bytes:
        """The body, streamed under the byte cap; a body shorter than declared is retried."""
        cap = self.limits.max_download_bytes
        declared = _content_length(response)
        if declared is not None and declared > cap:
            raise FetchError(f"{url}: Content-Length {declared} bytes from {location}, "
                             f"over the {cap}-byte cap")
        chunks: list[bytes] = []
        received = 0
        try:
            for chunk in response.iter_content(_CHUNK):  # decoded: a gzip bomb counts as inflated
                received += len(chunk)
                if received > cap:
                    raise FetchError(f"{url}: body from {location} is over the {cap}-byte cap")
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.ConnectionError,
                requests.Timeout) as exc:
            expected = f"the {declared} bytes declared" if declared is not None else "its end"
            raise _Retryable(f"truncated body from {location}: the connection broke before "
                             f"{expected} ({type(exc).__name__})") from exc
        except requests.RequestException as exc:  # e.g. a body that does not decode
            raise FetchError(f"{url}: unreadable body from {location}: {one_line(exc)}") from exc
        # with a Content-Encoding, Content-Length counts the encoded bytes (urllib3 checks those)
        if declared is not None and not _content_encoded(response) and received != declared:
            raise _Retryable(f"truncated body from {location}: {received} of {declared} bytes")
        return b"".join(chunks)

    def _record(self, location: str, response: requests.Response, content: bytes) -> None:
        if self.recorder is None:
            return
        request = response.request
        self.recorder.record(url=location, method=request.method or "GET",
                             request_headers=request.headers.items(), status=response.status_code,
                             reason=response.reason or "", response_headers=response.headers.items(),
                             body=content)

    def _wait_before_retry(self, url: str, exc: _Retryable, attempt: int) -> float:
        """The server's Retry-After when it gives one (refused over the cap), else backoff."""
        if exc.wait_s is None:
            return self.backoff_s * (2 ** attempt)
        if exc.wait_s > self.limits.max_retry_after_s:
            raise FetchError(f"{url}: {exc.reason} with Retry-After {exc.wait_s:.0f} s, over the "
                             f"{self.limits.max_retry_after_s:g} s cap")
        return exc.wait_s

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            wait = self._last_request.get(host, 0.0) + self.min_interval_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request[host] = time.monotonic()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _content_length(response: requests.Response) -> int | None:
    try:
        value = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _content_encoded(response: requests.Response) -> bool:
    codings = {c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",")}
    return bool(codings - {"", "identity"})


def _retry_after_s(response: requests.Response) -> float | None:
    """Retry-After as seconds (a number or an HTTP date); None when absent or unreadable."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if not math.isnan(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now_utc()).total_seconds())
