"""Cancellation notices (注销算法备案编号的公告) from the beian.cac.gov.cn JSON API.

On the live host the notice list is not a static page: the single-page app reads
it from a JSON API, and each notice's PDF is downloaded by its notice id.

Where the shape comes from (public code, read through the project's code index;
none of it was checked against the live host from here):

- chenluo951-oss/lawdatify-site, ``tools/harvest_algo_filing.py`` (``harvest_cancel``),
  and its output ``sources/algo/cancel.json``:
  * ``GET https://beian.cac.gov.cn/api/notice/list`` with ``Referer:
    https://beian.cac.gov.cn/`` (the host answers an empty body without one);
  * the body is JSON; the notices are ``body["datas"]``, each with ``noticeId``,
    ``title`` and ``createTime`` (the harvester takes ``createTime[:10]`` as the date);
  * a cancellation notice is one whose title contains 注销;
  * the PDF is ``GET https://beian.cac.gov.cn/api/file/fileDownLoad?noticeId=<noticeId>``;
    the ``/static/fileUpload/...pdf`` path in a notice's ``content`` answered 404
    for all 7 notices the harvester tried, so the notice id is the stable key;
  * ``noticeId`` values look like ``notice_93606d70-fea9-4518-baf8-32913e0a6d49``:
    the same id the corpus uses in ``/notice/notice_<uuid>.htm`` and
    ``/files/notice_<uuid>.pdf`` (cancel.json lists the 4 corpus notices by these ids).
- IHUI-INF-AI/IHUI-AI, ``apps/api/src/services/algorithm-record-seeds.ts`` (comment)
  and ``algorithm-record-service.ts``: the body is
  ``{errno, errmsg, datas: [{noticeId, type, title, content, createTime, ...}]}``,
  GET works without a login, deep-synthesis notices have ``type == 3`` and a
  www.cac.gov.cn page URL in ``content``.
- A third harvester in the index (repository not named by the index) checks
  ``errno == 0`` before reading ``datas``.

Uncertain, and handled defensively here:

- **Paging.** IHUI's comment says the API *ignores* ``page``/``pageSize`` and always
  returns one snapshot of 34 pinned notices (their first deep-synthesis batch was
  missing from it). No source names a paging parameter that works. This module
  asks for ``page=<n>&pageSize=<size>`` (the names IHUI tried) and stops when a
  page is empty, brings no notice id not seen before (a server that ignores
  paging answers page 2 with page 1), or is shorter than ``pageSize``; more
  than ``max_pages`` pages of new notices is an error, never an endless loop.
  If the snapshot really is capped, old cancellation notices can drop out of it:
  discovery must keep what it found before (the landing store does).
- **createTime** is read by the harvesters as a string starting ``YYYY-MM-DD``; an
  epoch-milliseconds number (common in Java back ends) is accepted too.
- **The human page URL** ``https://beian.cac.gov.cn/notice/<noticeId>.htm`` is the
  corpus's; whether the live single-page app serves it is unknown. It is used as
  the canonical notice URL (provenance), not fetched.
- Whether errno 440 (``检测到未登录状态``, seen by another project on the sibling
  endpoint ``/api/algorithmpublicity/list``) can also come from this endpoint.

The API is GET only, so the project's ``Source.fetch(url, referer)`` is enough:
``source_json_fetcher`` wraps any Source (the live ``HttpSource`` keeps its
politeness, retries and Referer) and decodes JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import urlencode

from ..parsers.notice_pages import SERIES_CANCELLATION, classify_series
from ..parsers.text import normalise_cell
from .base import FetchError, Source
from .discovery import AttachmentRef

DEFAULT_API_BASE = "https://beian.cac.gov.cn"
NOTICE_LIST_PATH = "/api/notice/list"
DOWNLOAD_PATH = "/api/file/fileDownLoad"
DEFAULT_PAGE_SIZE = 20
DEFAULT_MAX_PAGES = 50  # at 20 a page, 1,000 notices: far beyond the ~34 the API shows
_CHINA = timezone(timedelta(hours=8))

FetchJson = Callable[[str], Any]  # URL -> decoded JSON body


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


def is_cancellation_notice(title: str | None) -> bool:
    """A notice cancelling filing numbers: 关于注销“…”等N个算法备案编号的公告 (by the rule
    that classifies every notice page)."""
    return classify_series(title or "") == SERIES_CANCELLATION


def notice_list_url(api_base: str = DEFAULT_API_BASE, page: int = 1,
                    page_size: int = DEFAULT_PAGE_SIZE) -> str:
    return f"{api_base.rstrip('/')}{NOTICE_LIST_PATH}?{urlencode({'page': page, 'pageSize': page_size})}"


def attachment_url_for(notice_id: str, api_base: str = DEFAULT_API_BASE) -> str:
    return f"{api_base.rstrip('/')}{DOWNLOAD_PATH}?{urlencode({'noticeId': notice_id})}"


def notice_url_for(notice_id: str, api_base: str = DEFAULT_API_BASE) -> str:
    # the ids carry their notice_ prefix; an id without it gets one, as the corpus paths have
    page = notice_id if notice_id.startswith("notice_") else f"notice_{notice_id}"
    return f"{api_base.rstrip('/')}/notice/{page}.htm"


def source_json_fetcher(source: Source, referer: str | None = None) -> FetchJson:
    """A ``FetchJson`` over a project Source: GET with a Referer, then JSON.

    Without ``referer`` the Source's default is used (HttpSource sends the host's
    root, which is what the harvesters send).
    """
    def fetch_json(url: str) -> Any:
        result = source.fetch(url, referer=referer)
        try:
            return json.loads(result.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            head = result.content[:60].decode("utf-8", "replace")
            raise BeianApiError(f"{url}: not a JSON response ({exc}); it begins {head!r}") from exc

    return fetch_json


def _published_on(value: Any) -> date | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value / 1000, _CHINA).date()  # epoch milliseconds
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10].replace("/", "-"))
        except ValueError:
            return None
    return None


def _page_items(body: Any, url: str) -> list[dict]:
    """The notices of one answer, after checking the envelope and each item's keys."""
    if not isinstance(body, dict):
        raise BeianApiError(f"{url}: expected a JSON object, got {type(body).__name__}")
    errno = body.get("errno")
    if errno not in (None, 0, "0"):
        raise BeianApiError(f"{url}: the API reports errno {errno}: {body.get('errmsg', '')}")
    items = body.get("datas")
    if not isinstance(items, list):
        raise BeianApiError(f"{url}: no 'datas' list in the answer (keys: {sorted(body)})")
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("noticeId"), str) \
                or not item["noticeId"].strip() or not isinstance(item.get("title"), str):
            raise BeianApiError(f"{url}: datas[{position}] lacks a noticeId or title: {item!r:.200}")
    return items


def fetch_notice_items(fetch_json: FetchJson, api_base: str = DEFAULT_API_BASE, *,
                       page_size: int = DEFAULT_PAGE_SIZE,
                       max_pages: int = DEFAULT_MAX_PAGES) -> list[dict]:
    """Every notice the list API gives, each once (by noticeId), in the API's order.

    Pages until a page is empty, shorter than ``page_size`` or brings nothing new;
    a pager that keeps bringing new notices past ``max_pages`` is an error.
    """
    seen: dict[str, dict] = {}
    for page in range(1, max_pages + 1):
        url = notice_list_url(api_base, page, page_size)
        items = _page_items(fetch_json(url), url)
        new = [item for item in items if item["noticeId"].strip() not in seen]
        for item in new:
            seen[item["noticeId"].strip()] = item
        if not new or len(items) < page_size:
            return list(seen.values())
    raise BeianApiError(f"{notice_list_url(api_base, max_pages, page_size)}: still new notices after "
                        f"{max_pages} pages of {page_size}; the pager does not end")


def list_cancellation_notices(fetch_json: FetchJson, api_base: str = DEFAULT_API_BASE, *,
                              page_size: int = DEFAULT_PAGE_SIZE,
                              max_pages: int = DEFAULT_MAX_PAGES) -> list[CancellationNoticeRef]:
    """The cancellation notices of the list API, oldest first."""
    refs = []
    for item in fetch_notice_items(fetch_json, api_base, page_size=page_size, max_pages=max_pages):
        title = normalise_cell(item["title"])  # as a notice page's title is read
        if not is_cancellation_notice(title):
            continue
        notice_id = item["noticeId"].strip()
        refs.append(CancellationNoticeRef(
            notice_id=notice_id,
            title=title,
            published_on=_published_on(item.get("createTime")),
            notice_url=notice_url_for(notice_id, api_base),
            attachment_url=attachment_url_for(notice_id, api_base),
            link_text=title,
        ))
    return sorted(refs, key=lambda r: (r.published_on or date.min, r.notice_id))


def to_attachment_ref(ref: CancellationNoticeRef) -> AttachmentRef:
    """The discovery record of one notice's PDF, as discovery.Discovery.attachments()
    makes it for a cancellation notice page: no batch, labelled by the notice month."""
    return AttachmentRef(
        url=ref.attachment_url, link_text=ref.link_text, notice_url=ref.notice_url,
        series=SERIES_CANCELLATION, batch_no=None, published_on=ref.published_on,
        list_label=ref.published_on.strftime("%Y-%m") if ref.published_on else None,
    )
