"""Headless Chromium for tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright's own browser download cannot reach its host here, so the system Chromium is used
(apt: chromium, fonts-noto-cjk; `make test` installs both). A missing browser fails the test
that asked for it, never skips it.

One Chromium process serves the whole session (``chromium_process``, the conftest's
``chromium_endpoint``); each test connects to it over CDP with a sync Playwright of its own
(``connect``, the ``browser`` fixture) that stops when the test ends. A sync Playwright kept
open across tests would hold an event loop running in the main thread, and later code that
calls asyncio.run (Dagster's automation evaluation) would fail, or a second sync Playwright.

    with connect(endpoint) as browser, open_page(browser) as (page, log):
        page.goto(path.as_uri())
        assert not log.console_errors and not log.blocked
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright

CHROMIUM = Path(os.environ.get("BEIAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
# Offline, name resolution fails for every host but loopback: a request the page routing
# missed (a worker's, the browser's own) still cannot leave the machine.
OFFLINE_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Schemes that are never a network request.
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


@dataclass
class PageLog:
    """What a page did: every request URL, the requests aborted because they would have left
    the machine, and console errors (console.error and uncaught exceptions)."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in {"http", "https", "ws", "wss"}
                                             and (parts.hostname or "") in LOCAL_HOSTS)


def require_chromium() -> None:
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test-deps` (apt-get install chromium "
                    "chromium-driver fonts-noto-cjk) or set BEIAN_CHROMIUM; Playwright's own download is not used")


@contextmanager
def chromium_process(offline: bool = True, timeout_s: float = 60) -> Iterator[str]:
    """A headless Chromium process, listening for CDP on a free loopback port; yields its
    WebSocket endpoint and stops the process on exit."""
    require_chromium()
    args = list(CHROMIUM_ARGS) + (list(OFFLINE_ARGS) if offline else [])
    with tempfile.TemporaryDirectory(prefix="beian-chromium-") as profile:
        process = subprocess.Popen([str(CHROMIUM), *args, "--remote-debugging-address=127.0.0.1",
                                    "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        try:
            endpoint, deadline, seen = None, time.monotonic() + timeout_s, []
            while endpoint is None:
                line = process.stderr.readline()
                seen.append(line)
                found = re.search(r"DevTools listening on (ws://\S+)", line)
                endpoint = found.group(1) if found else None
                if endpoint is None and (not line and process.poll() is not None or time.monotonic() > deadline):
                    raise RuntimeError("Chromium did not start: " + "".join(seen[-10:]))
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def connect(endpoint: str) -> Iterator[Browser]:
    """The session's Chromium, through a sync Playwright that lives only inside this block."""
    with sync_playwright() as playwright:
        yield playwright.chromium.connect_over_cdp(endpoint)


@contextmanager
def open_page(browser: Browser, *, offline: bool = True, width: int = 1280,
              height: int = 900) -> Iterator[tuple[Page, PageLog]]:
    """A new page in a context of its own, logging requests and console errors. Offline, any
    request not to file:// (or data:/blob:) or loopback is aborted and recorded in ``blocked``."""
    log = PageLog()
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=1, service_workers="block")
    try:
        if offline:
            def guard(route: Route) -> None:
                if is_local(route.request.url):
                    route.continue_()
                else:
                    log.blocked.append(route.request.url)
                    route.abort("blockedbyclient")
            context.route("**/*", guard)
        page = context.new_page()
        page.on("request", lambda request: log.requests.append(request.url))
        page.on("console", lambda message: _record_console(message, log))
        page.on("pageerror", lambda error: log.console_errors.append(f"uncaught: {error}"))
        yield page, log
    finally:
        context.close()


def _record_console(message: ConsoleMessage, log: PageLog) -> None:
    if message.type == "error":
        location = message.location
        where = f"{location.get('url', '')}:{location.get('lineNumber', '')}"
        log.console_errors.append(f"{message.text} ({where})")


def wait_for_markup(page: Page, text: str, timeout_ms: int = 60_000) -> None:
    """Wait until the page's markup holds ``text`` (attributes included, where on-screen text
    may be truncated). Polled from Python: a string predicate (wait_for_function) is an eval,
    which a page's Content Security Policy may forbid, as Dagster's does."""
    deadline = time.monotonic() + timeout_ms / 1000
    while text not in page.content():
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url}: {text!r} not in the page after {timeout_ms / 1000:.0f} s")
        page.wait_for_timeout(250)
