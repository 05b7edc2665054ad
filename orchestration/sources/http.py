"""HTTP fetching, polite and persistent: browser-like headers with a Referer (the
CAC answers an empty 200 without one), timeouts, bounded retries with backoff on
urllib3's Retry, and a minimum interval between requests to one host."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .base import FetchError, FetchResult, now_utc
from .mirror import mirror_relative_path

USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36 beian-warehouse")


class HttpSource:
    """``base_url=None`` fetches the live sites; a base URL fetches a mirror served
    over HTTP, at ``<base_url>/<host>/<path>``."""

    def __init__(self, base_url: str | None = None, *, timeout_s: float = 30.0,
                 retries: int = 4, min_interval_s: float = 1.0, backoff_s: float = 0.5):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.description = f"HTTP mirror {self.base_url}" if self.base_url else "live CAC sites over HTTPS"
        self.timeout = (min(10.0, timeout_s), timeout_s)
        self.retries = retries
        self.backoff_s = backoff_s
        self.min_interval_s = min_interval_s
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self.session = requests.Session()
        retry = Retry(total=retries, connect=retries, read=retries, status=retries,
                      backoff_factor=backoff_s, status_forcelist=(429, 500, 502, 503, 504),
                      allowed_methods=("GET",), respect_retry_after_header=True,
                      raise_on_status=False)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/pdf,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        })

    def location(self, url: str) -> str:
        if self.base_url is None:
            return url
        return f"{self.base_url}/{requests.utils.quote(mirror_relative_path(url))}"

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            wait = self._last_request.get(host, 0.0) + self.min_interval_s - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request[host] = time.monotonic()

    def fetch(self, url: str, referer: str | None = None) -> FetchResult:
        location = self.location(url)
        parts = urlsplit(url)
        headers = {"Referer": referer or f"{parts.scheme}://{parts.netloc}/"}
        last_problem = ""
        # urllib3 retries connection errors and 5xx; an empty 200 is retried here.
        for attempt in range(self.retries + 1):
            self._wait_turn(urlsplit(location).netloc)
            try:
                response = self.session.get(location, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                raise FetchError(f"{url}: request failed after {self.retries} retries: {exc}") from exc
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code} from {location}")
            if response.content:
                return FetchResult(url=url, content=response.content, status=response.status_code,
                                   fetched_at=now_utc(), location=location)
            last_problem = "empty body with HTTP 200 (the site does this without a Referer)"
            time.sleep(self.backoff_s * (2 ** attempt))
        raise FetchError(f"{url}: {last_problem}, {self.retries + 1} attempts")
