"""HttpSource against a mirror served over loopback HTTP (tests/http_server.py).

Facts from corpus/README.md and domain.md: the CAC answers an empty 200 without a
Referer; attachments are percent-encoded root-relative links with Chinese names.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
from http_server import serve_mirror  # noqa: E402

from orchestration.settings import MIRROR_ENTRY_PAGES  # noqa: E402
from orchestration.sources.base import FetchError  # noqa: E402
from orchestration.sources.discovery import discover  # noqa: E402
from orchestration.sources.http import HttpSource  # noqa: E402
from orchestration.sources.mirror import MirrorSource  # noqa: E402

DOCX_PATH = "www.cac.gov.cn/files/2023-06-20/境内深度合成服务算法备案清单（2023年6月）.docx"
DOCX_URL = "https://www.cac.gov.cn/files/2023-06-20/" + quote("境内深度合成服务算法备案清单（2023年6月）.docx")
EXPECTED_ATTACHMENTS = {"deep_synthesis": 15, "algorithm_recommendation": 16, "genai": 11, "cancellation": 4}


def _source(server, **kwargs) -> HttpSource:
    options = dict(min_interval_s=0, retries=2, backoff_s=0.01, timeout_s=5)
    options.update(kwargs)
    return HttpSource(server.base_url, **options)


@pytest.fixture(scope="module")
def mirror(corpus_dir) -> Path:
    return corpus_dir / "mirror"


@pytest.fixture()
def tiny_mirror(tmp_path) -> Path:
    """A mirror with one page, one attachment and one empty file."""
    files = tmp_path / "www.cac.gov.cn" / "files" / "2026-01"
    files.mkdir(parents=True)
    (files / "清单（2026年1月）.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (files / "empty.docx").write_bytes(b"")
    (tmp_path / "www.cac.gov.cn" / "index.htm").write_text("<html><h1>首页</h1></html>", encoding="utf-8")
    return tmp_path


def test_serve_mirror_answers_empty_200_without_referer(mirror):
    with serve_mirror(mirror) as server:
        url = f"{server.base_url}/{quote(DOCX_PATH)}"
        bare = requests.get(url, timeout=5)
        with_referer = requests.get(url, headers={"Referer": "https://www.cac.gov.cn/"}, timeout=5)
        requests_seen = server.requests
    assert bare.status_code == 200 and bare.content == b""
    assert with_referer.content == (mirror / DOCX_PATH).read_bytes()
    assert requests_seen == [("/" + DOCX_PATH, None, 200), ("/" + DOCX_PATH, "https://www.cac.gov.cn/", 200)]


def test_serve_mirror_only_serves_loopback_and_stops(mirror):
    with serve_mirror(mirror) as server:
        base = server.base_url
        assert base.startswith("http://127.0.0.1:")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/www.cac.gov.cn/index.htm", timeout=2)


def test_fetch_returns_the_file_bytes_with_browser_headers(mirror):
    with serve_mirror(mirror) as server:
        result = _source(server).fetch(DOCX_URL)
        (path, referer, status), = server.requests
        headers = server.request_headers[0]
    assert result.content == (mirror / DOCX_PATH).read_bytes()
    assert result.content[:2] == b"PK"
    assert result.url == DOCX_URL  # canonical URL, whatever served it
    assert result.status == 200 and result.location.startswith(server.base_url)
    assert path == "/" + DOCX_PATH and status == 200
    assert referer == "https://www.cac.gov.cn/"  # default Referer: the site root
    assert headers["User-Agent"].startswith("Mozilla/5.0") and "python-requests" not in headers["User-Agent"]


def test_fetch_passes_the_given_referer(mirror):
    page = "https://www.cac.gov.cn/2023-06/20/c_1688910683316256.htm"
    with serve_mirror(mirror) as server:
        _source(server).fetch(DOCX_URL, referer=page)
        assert server.requests[0][1] == page


def test_empty_body_raises_fetch_error_after_bounded_retries(tiny_mirror):
    url = "https://www.cac.gov.cn/files/2026-01/empty.docx"
    with serve_mirror(tiny_mirror) as server:
        with pytest.raises(FetchError) as info:
            _source(server, retries=2).fetch(url)
        seen = [r for r in server.requests if r[0] == "/www.cac.gov.cn/files/2026-01/empty.docx"]
    assert url in str(info.value)
    assert "empty" in str(info.value)
    assert len(seen) == 3  # one try and two retries, then give up
    assert all(status == 200 and referer for _, referer, status in seen)


def test_503s_are_retried_then_succeed(tiny_mirror):
    url = "https://www.cac.gov.cn/files/2026-01/" + quote("清单（2026年1月）.docx")
    with serve_mirror(tiny_mirror, fail_first=2) as server:
        result = _source(server, retries=4).fetch(url)
        statuses = [status for _, _, status in server.requests]
    assert result.content == b"PK\x03\x04 not really a docx"
    assert statuses == [503, 503, 200]


def test_503s_beyond_the_retry_budget_raise(tiny_mirror):
    url = "https://www.cac.gov.cn/index.htm"
    with serve_mirror(tiny_mirror, fail_first=10) as server:
        with pytest.raises(FetchError) as info:
            _source(server, retries=2).fetch(url)
        assert len(server.requests) == 3
    assert url in str(info.value) and "503" in str(info.value)


def test_404_raises_fetch_error_naming_the_url(tiny_mirror):
    url = "https://www.cac.gov.cn/files/2026-01/" + quote("不存在.docx")
    with serve_mirror(tiny_mirror) as server:
        with pytest.raises(FetchError) as info:
            _source(server).fetch(url)
        assert [status for _, _, status in server.requests] == [404]  # not retried
    assert url in str(info.value) and "404" in str(info.value)


def test_politeness_interval_between_requests_to_one_host(tiny_mirror):
    url = "https://www.cac.gov.cn/index.htm"
    with serve_mirror(tiny_mirror) as server:
        source = _source(server, min_interval_s=0.3)
        start = time.monotonic()
        source.fetch(url)
        source.fetch(url)
        elapsed = time.monotonic() - start
    assert elapsed >= 0.3


def _expected_attachment_urls(corpus_dir: Path) -> set[str]:
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["attachments"]]
    return {"https://" + r["attachments"] for r in rows}


def test_discover_over_http_matches_the_mirror(corpus_dir, mirror):
    expected = _expected_attachment_urls(corpus_dir)
    assert len(expected) == sum(EXPECTED_ATTACHMENTS.values()) == 46

    via_mirror = discover(MirrorSource(mirror), MIRROR_ENTRY_PAGES)
    with serve_mirror(mirror) as server:
        via_http = discover(_source(server), MIRROR_ENTRY_PAGES)
        requests_seen = server.requests

    assert via_http.errors == [] and via_mirror.errors == []
    assert [n.url for n in via_http.notices] == [n.url for n in via_mirror.notices]
    http_refs = {a.url: a for a in via_http.attachments()}
    mirror_refs = {a.url: a for a in via_mirror.attachments()}
    assert set(http_refs) == set(mirror_refs)
    assert {unquote(url) for url in http_refs} == expected
    series_counts: dict[str, int] = {}
    for ref in http_refs.values():
        series_counts[ref.series] = series_counts.get(ref.series, 0) + 1
    assert series_counts == EXPECTED_ATTACHMENTS
    assert http_refs == mirror_refs  # same series, labels, batches, dates
    # Every request carried a Referer (the site gives nothing without one) and succeeded.
    assert requests_seen and all(referer and status == 200 for _, referer, status in requests_seen)
