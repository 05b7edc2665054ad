"""Notices from the beian.cac.gov.cn JSON API: the cancellations, and the pages of the
deep-synthesis batches.

On the live host the notice list is not a static page: the single-page app reads it from
``GET /api/notice/list`` (with a Referer; without one the host answers an empty body), whose
body is ``{errno, errmsg, datas: [{noticeId, type, title, content, createTime}]}``.

Where the shape comes from: public harvesters (chenluo951-oss/lawdatify-site,
``tools/harvest_algo_filing.py``; IHUI-INF-AI/IHUI-AI, ``algorithm-record-service.ts``) and the
replica of the live host in ../shared/corpus/cac-site.warc.gz (SITE.md):

- **No paging.** The API ignores paging parameters and always returns one snapshot of pinned
  notices, so it is asked once, at ``/api/notice/list`` with no query.
- **Deep-synthesis notices** have ``type`` 3 and their www.cac.gov.cn page URL in ``content``
  (the first batch is not among them): discovery visits those pages.
- **Cancellation notices** are known by their title (关于注销“…”等N个算法备案编号的公告; their
  ``type`` is not known publicly). Their ``content`` names a ``/static/fileUpload/….pdf`` that
  answers 404, so the PDF is fetched by notice id from ``/api/file/fileDownLoad?noticeId=…``.
- Every other notice is not ours, and is listed as skipped.
- **createTime** is a string starting ``YYYY-MM-DD``; an epoch-milliseconds number is read too.
- An ``errno`` other than 0 (440, 检测到未登录状态, is seen on a sibling endpoint) or an
  answer that is not JSON fails discovery in one line naming the URL.
- **The human page URL** ``https://beian.cac.gov.cn/notice/<noticeId>.htm`` is the canonical
  notice URL (provenance); it is not fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..parsers.notice_pages import classify_series
from ..vocabulary import SERIES_CANCELLATION, SERIES_DEEP_SYNTHESIS
from ..parsers.text import normalise_cell
from .base import FetchError, FetchResult, Source

DEFAULT_API_BASE = "https://beian.cac.gov.cn"
NOTICE_LIST_PATH = "/api/notice/list"
DOWNLOAD_PATH = "/api/file/fileDownLoad"
DEEP_SYNTHESIS_TYPE = 3
_CHINA = timezone(timedelta(hours=8))


class BeianApiError(FetchError):
    """The notice API answered something this module cannot read; names the URL."""


@dataclass(frozen=True)
class CancellationNoticeRef:
    notice_id: str  # as the API gives it, e.g. notice_93606d70-fea9-4518-baf8-32913e0a6d49
    title: str
    published_on: date | None  # from createTime; None when the API gives none
    notice_url: str  # canonical human page, https://beian.cac.gov.cn/notice/<notice_id>.htm
    attachment_url: str  # the PDF, downloaded by id through /api/file/fileDownLoad
    link_text: str  # the title: the notice pages link their one PDF with it


@dataclass(frozen=True)
class ApiNotice:
    """A notice of the API that points at a page (a deep-synthesis batch), or one not ours."""
    notice_id: str
    type: Any
    title: str
    published_on: date | None
    page_url: str | None  # the www.cac.gov.cn page a type-3 notice names in ``content``


@dataclass
class NoticeApi:
    url: str = ""
    answer: FetchResult | None = None  # the API's answer, landed like any page
    cancellations: list[CancellationNoticeRef] = field(default_factory=list)
    batch_pages: list[ApiNotice] = field(default_factory=list)
    skipped: list[ApiNotice] = field(default_factory=list)


def notice_list_url(api_base: str = DEFAULT_API_BASE) -> str:
    return f"{api_base.rstrip('/')}{NOTICE_LIST_PATH}"


def attachment_url_for(notice_id: str, api_base: str = DEFAULT_API_BASE) -> str:
    return f"{api_base.rstrip('/')}{DOWNLOAD_PATH}?{urlencode({'noticeId': notice_id})}"


def notice_url_for(notice_id: str, api_base: str = DEFAULT_API_BASE) -> str:
    # the ids carry their notice_ prefix; an id without it gets one, as the corpus paths have
    page = notice_id if notice_id.startswith("notice_") else f"notice_{notice_id}"
    return f"{api_base.rstrip('/')}/notice/{page}.htm"


def is_cancellation_notice(title: str | None) -> bool:
    """A notice cancelling filing numbers (by the rule that classifies every notice page)."""
    return classify_series(title or "") == SERIES_CANCELLATION


def _published_on(value: Any) -> date | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1000, _CHINA).date()  # epoch milliseconds
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10].replace("/", "-"))
        except ValueError:
            return None
    return None


def notice_items(body: Any, url: str) -> list[dict]:
    """The notices of one answer, after checking the envelope and each item's keys."""
    if not isinstance(body, dict):
        raise BeianApiError(f"{url}: expected a JSON object, got {type(body).__name__}")
    errno = body.get("errno")
    if errno not in (None, 0, "0"):
        raise BeianApiError(f"{url}: the API reports errno {errno}: {str(body.get('errmsg', ''))[:200]}")
    items = body.get("datas")
    if not isinstance(items, list):
        raise BeianApiError(f"{url}: no 'datas' list in the answer (keys: {sorted(map(str, body))[:20]})")
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("noticeId"), str) \
                or not item["noticeId"].strip() or not isinstance(item.get("title"), str):
            raise BeianApiError(f"{url}: datas[{position}] lacks a noticeId or title: {item!r:.200}")
    return items


def _page_url(content: Any) -> str | None:
    """The page a type-3 notice names: its ``content`` when that is an http(s) URL."""
    if not isinstance(content, str):
        return None
    text = content.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme in ("http", "https") and parts.netloc and " " not in text else None


def classify_notices(items: list[dict], api_base: str = DEFAULT_API_BASE) -> NoticeApi:
    """Cancellations (oldest first), the deep-synthesis batch pages, and the rest, skipped."""
    found = NoticeApi()
    seen: set[str] = set()
    for item in items:
        notice_id = item["noticeId"].strip()
        if notice_id in seen:
            continue
        seen.add(notice_id)
        title = normalise_cell(item["title"])  # as a notice page's title is read
        published = _published_on(item.get("createTime"))
        if is_cancellation_notice(title):
            found.cancellations.append(CancellationNoticeRef(
                notice_id=notice_id, title=title, published_on=published,
                notice_url=notice_url_for(notice_id, api_base),
                attachment_url=attachment_url_for(notice_id, api_base), link_text=title))
            continue
        notice = ApiNotice(notice_id, item.get("type"), title, published, _page_url(item.get("content")))
        is_batch = str(item.get("type")) == str(DEEP_SYNTHESIS_TYPE) or classify_series(title) == SERIES_DEEP_SYNTHESIS
        if is_batch and notice.page_url and classify_series(title) == SERIES_DEEP_SYNTHESIS:
            found.batch_pages.append(notice)
        else:
            found.skipped.append(notice)
    found.cancellations.sort(key=lambda r: (r.published_on or date.min, r.notice_id))
    return found


def read_notice_api(source: Source, api_base: str = DEFAULT_API_BASE) -> NoticeApi:
    """One request to the notice list (it ignores paging), with the host's root as Referer."""
    url = notice_list_url(api_base)
    result = source.fetch(url, referer=f"{api_base.rstrip('/')}/")
    try:
        body = json.loads(result.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        head = result.content[:60].decode("utf-8", "replace")
        raise BeianApiError(f"{url}: not a JSON response ({type(exc).__name__}); it begins {head!r}") from exc
    found = classify_notices(notice_items(body, url), api_base)
    found.url, found.answer = url, result
    return found
