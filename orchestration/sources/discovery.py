"""Discovery: from the entry pages to notice pages to their attachments.

Entry pages may be listing pages (follow their links one step) or notice pages
themselves (the living pages, which gain one attachment per update).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from ..parsers.notice_pages import (
    SERIES_DEEP_SYNTHESIS, Link, NoticePage, classify_series, list_label, parse_notice_page,
)
from .base import FetchError, FetchResult, Source

CAC_HOSTS = ("www.cac.gov.cn", "beian.cac.gov.cn", "cac.gov.cn")


@dataclass(frozen=True)
class AttachmentRef:
    url: str
    link_text: str
    notice_url: str
    series: str | None
    list_label: str | None  # YYYY-MM of the list, or the notice date for cancellations
    batch_no: int | None
    published_on: date | None  # known only when the notice carries this one list


@dataclass
class Discovery:
    pages: list[FetchResult] = field(default_factory=list)
    notices: list[NoticePage] = field(default_factory=list)
    notice_series: dict[str, str | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def attachments(self) -> list[AttachmentRef]:
        refs: dict[str, AttachmentRef] = {}
        for notice in self.notices:
            series = self.notice_series.get(notice.url)
            links = notice.attachments
            for link in links:
                link_series = classify_series(link.text or link.file_name) or series
                label = list_label(link.text) or list_label(link.file_name)
                if label is None and notice.published_on is not None:
                    label = notice.published_on.strftime("%Y-%m")
                batch = notice.batch_no
                if batch is None and link_series == SERIES_DEEP_SYNTHESIS:
                    batch = 1  # the first deep-synthesis notice names no batch
                refs.setdefault(link.url, AttachmentRef(
                    url=link.url, link_text=link.text, notice_url=notice.url, series=link_series,
                    list_label=label, batch_no=batch,
                    published_on=notice.published_on if len(links) == 1 else None,
                ))
        return list(refs.values())


def _worth_following(link: Link) -> bool:
    """A link to a CAC page whose words name one of the series: on the live site a listing
    page links to hundreds of unrelated pages, and each fetch costs a polite second."""
    on_cac = urlsplit(link.url).netloc.lower() in CAC_HOSTS
    return on_cac and (classify_series(link.text) is not None or "备案" in link.text)


def discover(source: Source, entry_pages: tuple[str, ...] | list[str]) -> Discovery:
    """Fetch the entry pages and the notice pages they link to. Failures of single
    pages are collected, not raised; no entry page at all is an error."""
    found = Discovery()
    seen: set[str] = set()

    def visit(url: str, referer: str | None) -> NoticePage | None:
        if url in seen:
            return None
        seen.add(url)
        try:
            result = source.fetch(url, referer=referer)
        except FetchError as exc:
            found.errors.append(str(exc))
            return None
        found.pages.append(result)
        page = parse_notice_page(result.content, url)
        series = classify_series(page.title, page.text)
        if series is not None:
            found.notices.append(page)
            found.notice_series[url] = series
        return page

    for entry in entry_pages:
        page = visit(entry, None)
        if page is None:
            continue
        for link in page.pages:
            if _worth_following(link):
                visit(link.url, entry)
    if not found.pages:
        raise FetchError("no entry page could be fetched: " + "; ".join(found.errors))
    found.notices.sort(key=lambda n: (n.published_on or date.min, n.url))
    return found
