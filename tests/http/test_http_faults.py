"""HttpSource against scripted faults of a loopback server (tests/http_server.py).

Every failure must be a FetchError whose one-line message names the canonical URL and
the reason; attempts are counted by the server, never by the wall clock.
"""

from __future__ import annotations

import gzip
import re
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
from http_server import Fault, redirect, serve_mirror  # noqa: E402

from orchestration.limits import Limits  # noqa: E402
from orchestration.sources.base import FetchError  # noqa: E402
from orchestration.sources.http import HttpSource  # noqa: E402

URL = "https://www.cac.gov.cn/files/2026-01/list.docx"
PATH = "/www.cac.gov.cn/files/2026-01/list.docx"  # where the mirror server is asked for URL
OTHER_URL = "https://www.cac.gov.cn/files/2026-01/other.docx"
OTHER_PATH = "/www.cac.gov.cn/files/2026-01/other.docx"
DOCX_BYTES = b"PK\x03\x04 a list"


@pytest.fixture()
def mirror(tmp_path) -> Path:
    files = tmp_path / "www.cac.gov.cn" / "files" / "2026-01"
    files.mkdir(parents=True)
    (files / "list.docx").write_bytes(DOCX_BYTES)
    (files / "other.docx").write_bytes(b"PK\x03\x04 another list")
    return tmp_path


@pytest.fixture()
def server(mirror):
    with serve_mirror(mirror) as running:
        yield running


def _source(base_url: str | None, limits: Limits | None = None, **kwargs) -> HttpSource:
    options = dict(min_interval_s=0, retries=2, backoff_s=0.01, timeout_s=5)
    options.update(kwargs)
    return HttpSource(base_url, limits=limits or Limits(), **options)


def _fetch_error(source: HttpSource, url: str) -> str:
    """The FetchError's message, checked to be one line naming the URL."""
    with pytest.raises(FetchError) as caught:
        source.fetch(url)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(url[:200])
    return message


# --- the host allow-list ---------------------------------------------------------------

@pytest.mark.parametrize("url, host", [
    ("https://evil.example/files/list.docx", "evil.example"),
    ("https://www.cac.gov.cn.evil.example/x.htm", "www.cac.gov.cn.evil.example"),
    ("https://www.cac.gov.cn@evil.example/x.htm", "evil.example"),  # userinfo is not the host
    ("http://127.0.0.1:9/www.cac.gov.cn/index.htm", "127.0.0.1"),
])
def test_a_host_not_allowed_is_refused_before_any_request(server, url, host):
    for source in (_source(None), _source(server.base_url)):  # live and HTTP-mirror mode
        message = _fetch_error(source, url)
        assert f"refused: host '{host}' is not in the allowed hosts" in message
    assert server.requests == []


def test_a_non_http_scheme_is_refused(server):
    message = _fetch_error(_source(None), "file:///etc/passwd")
    assert "not an http(s) URL" in message and server.requests == []


def test_the_allow_list_comes_from_limits(server):
    # BEIAN_ALLOWED_HOSTS (here through Limits) replaces the defaults: the CAC is then refused
    only_example = Limits.from_env({"BEIAN_ALLOWED_HOSTS": "example.org"})
    assert "host 'www.cac.gov.cn' is not in the allowed hosts (example.org)" in _fetch_error(
        _source(server.base_url, only_example), URL)
    assert server.requests == []


def test_in_mirror_mode_only_the_mirror_is_asked(server):
    result = _source(server.base_url).fetch(URL)
    assert result.content == DOCX_BYTES and result.url == URL
    assert result.location == f"{server.base_url}{PATH}"
    assert [path for path, _, _ in server.requests] == [PATH]


# --- redirects, followed by hand -------------------------------------------------------

def test_a_redirect_within_the_mirror_is_followed_with_the_referer(server):
    server.script(PATH, redirect("/www.cac.gov.cn/files/2026-01/other.docx", 301))
    result = _source(server.base_url).fetch(URL, referer="https://www.cac.gov.cn/notice.htm")
    assert result.content == b"PK\x03\x04 another list"
    assert result.url == URL and result.location == f"{server.base_url}{OTHER_PATH}"
    assert server.requests == [(PATH, "https://www.cac.gov.cn/notice.htm", 301),
                               (OTHER_PATH, "https://www.cac.gov.cn/notice.htm", 200)]


@pytest.mark.parametrize("location", [
    "http://evil.example/www.cac.gov.cn/files/2026-01/other.docx",
    "https://www.cac.gov.cn/files/2026-01/other.docx",  # the canonical host, but not the mirror
    "http://127.0.0.1:9/www.cac.gov.cn/files/2026-01/other.docx",  # another port
])
def test_a_redirect_out_of_the_mirror_is_refused(server, location):
    server.script(PATH, redirect(location))
    message = _fetch_error(_source(server.base_url), URL)
    assert f"refused redirect from {server.base_url}{PATH} to {location}: it leaves the mirror" in message
    assert [path for path, _, _ in server.requests] == [PATH]  # the foreign host was never asked


def test_live_mode_checks_every_hop_against_the_allow_list(server):
    # live mode pointed at loopback through the allow-list; the hop to "localhost" is foreign
    port = server.base_url.rsplit(":", 1)[1]
    live = _source(None, Limits(allowed_hosts=("127.0.0.1",)))
    first = f"{server.base_url}{PATH}"
    server.script(PATH, redirect(OTHER_PATH), None)
    assert live.fetch(first).content == b"PK\x03\x04 another list"  # same host: followed

    server.clear()
    server.script(PATH, redirect(f"http://localhost:{port}{OTHER_PATH}"))
    message = _fetch_error(live, first)
    assert "refused redirect" in message and "host 'localhost' is not allowed" in message
    assert server.attempts(OTHER_PATH) == 0


def test_a_redirect_loop_is_named(server):
    server.script(PATH, redirect(OTHER_PATH))
    server.script(OTHER_PATH, redirect(PATH))
    message = _fetch_error(_source(server.base_url), URL)
    assert f"redirect loop: {server.base_url}{OTHER_PATH} leads back to {server.base_url}{PATH}" in message
    assert [status for _, _, status in server.requests] == [302, 302]  # a loop is not retried


def test_a_redirect_chain_longer_than_the_limit_is_cut(server):
    hops = [f"/www.cac.gov.cn/hop{i}.htm" for i in range(5)]
    server.script(PATH, redirect(hops[0]))
    for here, there in zip(hops, hops[1:]):
        server.script(here, redirect(there))
    message = _fetch_error(_source(server.base_url, Limits(max_redirects=2)), URL)
    assert f"more than 2 redirects ({server.base_url}{hops[2]} not followed)" in message
    assert len(server.requests) == 3  # the first request and two hops, no more


def test_a_redirect_without_location_is_an_error(server):
    server.script(PATH, Fault(302))
    assert "HTTP 302 redirect without a Location" in _fetch_error(_source(server.base_url), URL)


# --- the body: capped, complete, not empty --------------------------------------------

def test_a_content_length_over_the_cap_is_refused_before_reading(server):
    server.script(PATH, Fault(body=b"x" * 1000, repeat=60 * 1024))  # 60 MB declared
    message = _fetch_error(_source(server.base_url), URL)  # default cap: 50 MB
    assert f"Content-Length {60 * 1024 * 1000} bytes from {server.base_url}{PATH}, " \
           f"over the {50 * 1024 * 1024}-byte cap" in message
    assert server.attempts(PATH) == 1  # not retried


def test_a_body_without_length_is_cut_at_the_cap(server):
    server.script(PATH, Fault(body=b"x" * 1000, repeat=100, declare_length=False))
    message = _fetch_error(_source(server.base_url, Limits(max_download_bytes=10_000)), URL)
    assert f"body from {server.base_url}{PATH} is over the 10000-byte cap" in message
    assert server.attempts(PATH) == 1


def test_a_body_at_the_cap_is_accepted(server):
    server.script(PATH, Fault(body=b"x" * 1000, repeat=10, declare_length=False))
    result = _source(server.base_url, Limits(max_download_bytes=10_000)).fetch(URL)
    assert result.content == b"x" * 10_000


def test_a_gzip_bomb_counts_as_inflated(server):
    bomb = gzip.compress(b"\0" * 5_000_000)  # 5 KB on the wire
    server.script(PATH, Fault(body=bomb, headers={"Content-Encoding": "gzip"}))
    message = _fetch_error(_source(server.base_url, Limits(max_download_bytes=1_000_000)), URL)
    assert "over the 1000000-byte cap" in message


def test_a_truncated_body_is_retried_then_named(server):
    server.script(PATH, Fault(body=b"x" * 100, content_length=1000))
    message = _fetch_error(_source(server.base_url, retries=2), URL)
    assert f"truncated body from {server.base_url}{PATH}: the connection broke before " \
           f"the 1000 bytes declared" in message
    assert message.endswith("gave up after 3 attempts")
    assert server.attempts(PATH) == 3


def test_a_truncated_body_then_a_whole_one_succeeds(server):
    server.script(PATH, Fault(body=b"x" * 100, content_length=1000), None)
    assert _source(server.base_url).fetch(URL).content == DOCX_BYTES
    assert server.attempts(PATH) == 2


def test_an_empty_200_is_retried_then_named(server):
    server.script(PATH, Fault(200, b""))
    message = _fetch_error(_source(server.base_url, retries=3), URL)
    assert "empty body with HTTP 200" in message and message.endswith("gave up after 4 attempts")
    assert server.attempts(PATH) == 4


# --- statuses, Retry-After and timeouts ------------------------------------------------

@pytest.mark.parametrize("status", [403, 404, 410, 400])
def test_a_client_error_is_not_retried(server, status):
    server.script(PATH, Fault(status, b"no"))
    message = _fetch_error(_source(server.base_url), URL)
    assert f"HTTP {status} from {server.base_url}{PATH}" in message
    assert server.attempts(PATH) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_server_errors_are_retried_a_bounded_number_of_times(server, status):
    server.script(PATH, Fault(status, b"busy"))
    message = _fetch_error(_source(server.base_url, retries=3), URL)
    assert f"HTTP {status} from {server.base_url}{PATH}; gave up after 4 attempts" in message
    assert server.attempts(PATH) == 4


def test_retry_after_within_the_cap_is_obeyed_then_succeeds(server):
    server.script(PATH, Fault(503, headers={"Retry-After": "0"}), Fault(429, headers={"Retry-After": "0"}), None)
    assert _source(server.base_url, retries=2).fetch(URL).content == DOCX_BYTES
    assert [status for _, _, status in server.requests] == [503, 429, 200]


def test_retry_after_on_every_answer_still_ends(server):
    # the server never stops asking for patience: the attempts stay bounded
    server.script(PATH, Fault(503, headers={"Retry-After": "0"}))
    message = _fetch_error(_source(server.base_url, Limits(max_retry_after_s=0.5), retries=4), URL)
    assert message.endswith("gave up after 5 attempts") and server.attempts(PATH) == 5


@pytest.mark.parametrize("retry_after, shown", [
    ("3600", "3600"),
    ("HTTP-date in two hours", r"[67]\d{3}"),  # ~7200, the date made when the test runs
    ("inf", "inf"),
])
def test_retry_after_over_the_cap_fails_the_url_at_once(server, retry_after, shown):
    if retry_after.startswith("HTTP-date"):
        retry_after = format_datetime(datetime.now(timezone.utc) + timedelta(hours=2), usegmt=True)
    server.script(PATH, Fault(503, headers={"Retry-After": retry_after}))
    message = _fetch_error(_source(server.base_url, Limits(max_retry_after_s=1), retries=4), URL)
    assert re.search(rf"HTTP 503 from {re.escape(server.base_url + PATH)} with Retry-After {shown} s, "
                     r"over the 1 s cap$", message)
    assert server.attempts(PATH) == 1  # no waiting, no second attempt


def test_a_server_slower_than_the_timeout_is_a_fetch_error(server):
    server.script(PATH, Fault(body=b"late", delay_s=1.0))
    message = _fetch_error(_source(server.base_url, retries=1, timeout_s=0.2), URL)
    assert "timed out" in message and message.endswith("gave up after 2 attempts")
    assert server.attempts(PATH) == 2


def test_a_connection_refused_is_a_fetch_error():
    source = _source("http://127.0.0.1:9", retries=1)  # the discard port: nobody listens
    message = _fetch_error(source, URL)
    assert "request to http://127.0.0.1:9" in message and message.endswith("gave up after 2 attempts")


# --- URLs no request should be made for ------------------------------------------------

def test_a_very_long_url_is_refused_before_any_request(server):
    url = "https://www.cac.gov.cn/files/" + "a" * 5000 + ".docx"
    for source in (_source(None), _source(server.base_url)):
        message = _fetch_error(source, url)
        assert "URL longer than 2048 characters" in message and "(5034 characters)" in message
        assert len(message) < 400
    assert server.requests == []


def test_a_long_file_name_under_the_url_limit_is_a_fetch_error(server):
    url = "https://www.cac.gov.cn/files/" + "a" * 1500 + ".docx"  # too long for the file system
    message = _fetch_error(_source(server.base_url, retries=0), url)
    assert "HTTP 404" in message


@pytest.mark.parametrize("url", [
    "https://www.cac.gov.cn/files/%2e%2e/%2e%2e/etc/passwd",
    "https://www.cac.gov.cn/files/..%2f..%2fetc/passwd",
])
def test_a_traversal_is_refused_in_mirror_mode_before_any_request(server, url):
    assert "'..' segments" in _fetch_error(_source(server.base_url), url)
    assert server.requests == []


@pytest.mark.parametrize("url", ["https://www.cac.gov.cn/index.htm\n", "https://www.cac.gov.cn/\x00index.htm"])
def test_control_characters_in_a_url_are_refused_before_any_request(server, url):
    with pytest.raises(FetchError) as caught:
        _source(server.base_url).fetch(url)
    message = str(caught.value)
    assert "refused: control characters in the URL" in message and message.isprintable()
    assert server.requests == []
