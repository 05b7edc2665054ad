"""The beian.cac.gov.cn notice API, against a loopback server.

The server answers the shape documented in orchestration/sources/beian_api.py:
``GET /api/notice/list`` -> ``{"errno": 0, "errmsg": …, "datas": [{noticeId, type,
title, content, createTime}]}`` (paging parameters ignored: one snapshot), and
``GET /api/file/fileDownLoad?noticeId=<id>`` -> the PDF. Its notices are the 4 cancellation
notices of corpus/notices.csv, two deep-synthesis notices (type 3, page URL in content) and
one notice that is not ours; the PDFs are the corpus files. Like the CAC, it answers an empty
200 to a request without a Referer.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from orchestration.parsers.cancellations import parse_cancellation_document
from orchestration.sources.beian_api import (
    BeianApiError, CancellationNoticeRef, classify_notices, is_cancellation_notice, notice_items,
    read_notice_api,
)
from orchestration.sources.discovery import cancellation_attachment
from orchestration.sources.base import FetchError
from orchestration.limits import Limits
from orchestration.sources.http import HttpSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for http_server
from http_server import serve_on_loopback  # noqa: E402

OTHER_NOTICES = [  # deep-synthesis notices as the API lists them: type 3, content = the cac.gov.cn page
    {"noticeId": "notice_c0ffee00-0000-4000-8000-000000000015", "type": 3,
     "title": "国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告",
     "content": "https://www.cac.gov.cn/2026-01/07/c_1769516642440314.htm", "createTime": "2026-01-07 17:30:00"},
    {"noticeId": "notice_c0ffee00-0000-4000-8000-000000000014", "type": 3,
     "title": "国家互联网信息办公室关于发布第十四批深度合成服务算法备案信息的公告",
     "content": "https://www.cac.gov.cn/2025-11/06/c_1764156698314535.htm", "createTime": "2025-11-06 17:00:00"},
    {"noticeId": "notice_c0ffee00-0000-4000-8000-000000000099", "type": 2,
     "title": "算法备案常见问题解答", "content": "<p>一、哪些主体需要履行备案手续？</p>",
     "createTime": "2023-05-10 14:57:01"},
]


@dataclass
class ApiServer:
    notices: list[dict]
    pdfs: dict[str, bytes]
    mode: str = "snapshot"  # snapshot | html | no_datas | errno | bad_item
    base_url: str = ""
    requests: list[tuple[str, dict[str, list[str]], str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def notice_list(self, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
        if self.mode == "html":
            return 200, "<!DOCTYPE html><html><body>系统维护中</body></html>".encode(), "text/html"
        if self.mode == "no_datas":
            body: dict = {"errno": 0, "errmsg": "成功", "data": {"list": []}}
        elif self.mode == "errno":
            body = {"errno": 440, "errmsg": "检测到未登录状态，请先登录"}
        elif self.mode == "bad_item":
            body = {"errno": 0, "errmsg": "成功", "datas": [self.notices[0], {"title": "关于注销…的公告"}]}
        else:  # paging parameters ignored: one snapshot, as the live API answers
            body = {"errno": 0, "errmsg": "成功", "datas": self.notices}
        return 200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json;charset=UTF-8"


def _handler(state: ApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            referer = self.headers.get("Referer")
            with state.lock:
                state.requests.append((parts.path, query, referer))
            if not referer:
                status, body, ctype = 200, b"", "text/html"  # the CAC's answer without a Referer
            elif parts.path == "/api/notice/list":
                status, body, ctype = state.notice_list(query)
            elif parts.path == "/api/file/fileDownLoad" and query.get("noticeId", [""])[0] in state.pdfs:
                status, body, ctype = 200, state.pdfs[query["noticeId"][0]], "application/octet-stream"
            else:
                status, body, ctype = 404, b"Not Found", "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_api(notices: list[dict], pdfs: dict[str, bytes], mode: str = "snapshot") -> Iterator[ApiServer]:
    state = ApiServer(notices=notices, pdfs=pdfs, mode=mode)
    with serve_on_loopback(_handler(state)) as base_url:
        state.base_url = base_url
        yield state


def loopback_source() -> HttpSource:
    """The live-mode source, allowed to reach this test's server on loopback only."""
    return HttpSource(None, min_interval_s=0, retries=1, backoff_s=0.01, timeout_s=5,
                      limits=Limits(allowed_hosts=("127.0.0.1",)))


@pytest.fixture(scope="module")
def corpus_notices(corpus_dir) -> list[dict]:
    """The 4 cancellation rows of notices.csv."""
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["series"] == "cancellation"]


@pytest.fixture(scope="module")
def api_data(corpus_dir, corpus_notices) -> tuple[list[dict], dict[str, bytes]]:
    """(the API's notice list, newest first, mixed series; the PDFs by noticeId)."""
    items, pdfs = list(OTHER_NOTICES), {}
    for row in corpus_notices:
        notice_id = re.search(r"(notice_[0-9a-f-]{36})\.htm$", row["notice_url"]).group(1)
        items.append({"noticeId": notice_id, "type": 1, "title": row["title"],
                      "content": f"/static/fileUpload/notice/{notice_id}.pdf",  # the path that 404s live
                      "createTime": f"{row['published_on']} 10:00:00"})
        pdfs[notice_id] = (corpus_dir / "mirror" / row["attachments"]).read_bytes()
    items.sort(key=lambda item: item["createTime"], reverse=True)
    return items, pdfs


def test_the_api_is_read_once_and_sorted_into_ours_and_not(api_data, corpus_notices):
    with serve_api(*api_data) as server:
        api = read_notice_api(loopback_source(), server.base_url)
        requests = [(path, query, referer) for path, query, referer in server.requests]
    assert requests == [("/api/notice/list", {}, server.base_url + "/")]  # no paging, with a Referer
    by_date = sorted(corpus_notices, key=lambda n: n["published_on"])
    assert [r.title for r in api.cancellations] == [n["title"] for n in by_date]
    assert [r.published_on for r in api.cancellations] == [date.fromisoformat(n["published_on"]) for n in by_date]
    assert api.cancellations[0] == CancellationNoticeRef(
        notice_id="notice_93606d70-fea9-4518-baf8-32913e0a6d49",
        title="关于注销“仲帆PreWrite算法”等28个算法备案编号的公告",
        published_on=date(2025, 7, 14),
        notice_url=f"{server.base_url}/notice/notice_93606d70-fea9-4518-baf8-32913e0a6d49.htm",
        attachment_url=f"{server.base_url}/api/file/fileDownLoad?noticeId=notice_93606d70-fea9-4518-baf8-32913e0a6d49",
        link_text="关于注销“仲帆PreWrite算法”等28个算法备案编号的公告",
    )
    assert [n.page_url for n in api.batch_pages] == [n["content"] for n in OTHER_NOTICES[:2]]
    assert [n.title for n in api.skipped] == ["算法备案常见问题解答"]


def test_each_pdf_is_downloaded_by_id_and_parses_to_its_rows(api_data, corpus_notices):
    expected = {n["title"]: int(n["expected_rows"]) for n in corpus_notices}
    source = loopback_source()
    with serve_api(*api_data) as server:
        refs = read_notice_api(source, server.base_url).cancellations
        counts = {}
        for ref in refs:
            result = source.fetch(ref.attachment_url)
            counts[ref.title] = len(parse_cancellation_document(result.content, ref.link_text))
        downloads = [(q["noticeId"][0], referer) for path, q, referer in server.requests
                     if path == "/api/file/fileDownLoad"]
    assert counts == expected and sorted(counts.values()) == [3, 5, 5, 28]
    assert [notice_id for notice_id, _ in downloads] == [r.notice_id for r in refs]
    assert all(referer for _, referer in downloads)


@pytest.mark.parametrize("mode, message", [
    ("html", r"/api/notice/list: not a JSON response .*it begins '<!DOCTYPE html>"),
    ("no_datas", r"/api/notice/list: no 'datas' list in the answer \(keys: \['data', "),
    ("errno", r"/api/notice/list: the API reports errno 440: 检测到未登录状态"),
    ("bad_item", r"/api/notice/list: datas\[1\] lacks a noticeId or title"),
])
def test_malformed_answers_are_errors_naming_the_url(api_data, mode, message):
    with serve_api(*api_data, mode=mode) as server:
        with pytest.raises(BeianApiError, match=message) as caught:
            read_notice_api(loopback_source(), server.base_url)
    assert str(caught.value).startswith(server.base_url)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, FetchError)  # discovery collects FetchErrors per page


def test_an_unknown_id_is_a_fetch_error(api_data):
    source = loopback_source()
    with serve_api(*api_data) as server:
        with pytest.raises(FetchError, match=r"noticeId=notice_missing: HTTP 404"):
            source.fetch(f"{server.base_url}/api/file/fileDownLoad?noticeId=notice_missing")


# --- pure parts, without a server -------------------------------------------------------

def test_is_cancellation_notice():
    assert is_cancellation_notice("关于注销“天朝人脸融合算法”等算法备案编号的公告")
    assert not is_cancellation_notice("国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告")
    assert not is_cancellation_notice("关于注销部分网站的通知")  # no filing words: not ours
    assert not is_cancellation_notice(None)


def test_create_time_forms_and_the_attachment_ref():
    body = {"errno": "0", "datas": [
        {"noticeId": "notice_a", "title": "关于注销“甲算法”等2个算法备案编号的公告", "createTime": 1752458400000},
        {"noticeId": "b", "title": "关于注销“乙算法”等算法备案编号的公告", "createTime": "2025/09/11"},
        {"noticeId": "notice_c", "title": "关于 注销 “丙算法”备案编号的公告", "createTime": None},
        {"noticeId": "notice_a", "title": "关于注销“甲算法”等2个算法备案编号的公告", "createTime": 1},
    ]}
    refs = classify_notices(notice_items(body, "u"), "https://beian.cac.gov.cn/").cancellations
    assert [(r.notice_id, r.published_on) for r in refs] == [
        ("notice_c", None), ("notice_a", date(2025, 7, 14)), ("b", date(2025, 9, 11))]
    assert refs[0].title == "关于 注销 “丙算法”备案编号的公告"
    assert refs[2].notice_url == "https://beian.cac.gov.cn/notice/notice_b.htm"
    assert refs[2].attachment_url == "https://beian.cac.gov.cn/api/file/fileDownLoad?noticeId=b"
    ref = cancellation_attachment(refs[1])
    assert (ref.url, ref.notice_url, ref.series, ref.list_label, ref.batch_no, ref.published_on) == (
        refs[1].attachment_url, refs[1].notice_url, "cancellation", "2025-07", None, date(2025, 7, 14))


def test_a_type_3_notice_without_a_page_url_is_skipped_not_followed():
    body = {"errno": 0, "datas": [
        {"noticeId": "n1", "type": 3, "title": "国家互联网信息办公室关于发布第十六批深度合成服务算法备案信息的公告",
         "content": "<p>见附件</p>", "createTime": "2026-03-12 10:00:00"},
        {"noticeId": "n2", "type": 3, "title": "国家互联网信息办公室关于发布第十七批深度合成服务算法备案信息的公告",
         "content": " https://www.cac.gov.cn/2026-05/06/c_1.htm ", "createTime": "2026-05-06 10:00:00"},
    ]}
    api = classify_notices(notice_items(body, "u"))
    assert [n.page_url for n in api.batch_pages] == ["https://www.cac.gov.cn/2026-05/06/c_1.htm"]
    assert [n.notice_id for n in api.skipped] == ["n1"]
