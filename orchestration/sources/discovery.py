"""Discovery: from the entry pages to notice pages to their attachments.

Entry pages may be listing pages (follow their links one step) or notice pages
themselves (the living pages, which gain one attachment per update).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from ..parsers.notice_pages import (
    SERIES_DEEP_SYNTHESIS, Link, NoticePage, batch_number, classify_series, list_label,
    parse_notice_page,
)
from ..limits import DEFAULT_ALLOWED_HOSTS
from .base import FetchError, FetchResult, Source

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
    batch_numbers: dict[str, int | None] = field(default_factory=dict)  # notice URL -> 第N批
    errors: list[str] = field(default_factory=list)  # each fails the run
    warnings: list[str] = field(default_factory=list)  # e.g. links to hosts not allowed
    extra_attachments: list[AttachmentRef] = field(default_factory=list)  # e.g. from the notice API

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
                batch = self.batch_numbers.get(notice.url, notice.batch_no)
                if batch is None and link_series == SERIES_DEEP_SYNTHESIS:
                    batch = 1  # the first deep-synthesis notice names no batch
                refs.setdefault(link.url, AttachmentRef(
                    url=link.url, link_text=link.text, notice_url=notice.url, series=link_series,
                    list_label=label, batch_no=batch,
                    published_on=notice.published_on if len(links) == 1 else None,
                ))
        for ref in self.extra_attachments:
            refs.setdefault(ref.url, ref)
        return list(refs.values())


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _worth_following(link: Link) -> bool:
    """A link whose words name one of the series: on the live site a listing page links to
    hundreds of unrelated pages, and each fetch costs a polite second."""
    return classify_series(link.text) is not None or "备案" in link.text


def discover(source: Source, entry_pages: tuple[str, ...] | list[str],
             allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS) -> Discovery:
    """Fetch the entry pages and the notice pages they link to.

    What could not be fetched or read is collected in ``errors`` (each one fails the run):
    an entry page, a linked notice page, an entry page that yields nothing, and a page whose
    link named a series but which reads as no notice of it (mangled text, say). Links to hosts
    outside ``allowed_hosts`` are never followed, and are listed in ``warnings``. No entry
    page fetched at all is raised.
    """
    found = Discovery()
    seen: set[str] = set()

    def allowed(link: Link, on_page: str) -> bool:
        if host_of(link.url) in allowed_hosts:
            return True
        found.warnings.append(f"{on_page}: link to {link.url[:200]} not followed: host not allowed")
        return False

    def visit(url: str, referer: str | None, link: Link | None = None) -> NoticePage | None:
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
        page.links[:] = [x for x in page.links if not x.is_attachment or allowed(x, url)]
        series = classify_series(page.title, page.text)
        linked_as = classify_series(link.text) if link is not None else None
        if series is None and linked_as is not None and page.attachments:
            series = linked_as  # the page's own words are unreadable; its link's are not
        if series is not None:
            found.notices.append(page)
            found.notice_series[url] = series
            batch = page.batch_no if page.batch_no is not None else (batch_number(link.text) if link else None)
            found.batch_numbers[url] = batch
        elif linked_as is not None:
            found.errors.append(f"{url}: linked as {link.text[:80]!r} but the page reads as no "
                                f"{linked_as} notice (no readable title or attachment); is it mangled?")
        return page

    for entry in entry_pages:
        page = visit(entry, None)
        if page is None:
            continue
        followed = [link for link in page.pages if _worth_following(link) and allowed(link, entry)]
        for link in followed:
            visit(link.url, entry, link)
        if entry not in found.notice_series and not followed:
            found.errors.append(f"{entry}: an entry page, but it links no notice and is none itself; "
                                "is it the right page, or mangled?")
    if not found.pages:
        raise FetchError("no entry page could be fetched: " + "; ".join(found.errors))
    found.notices.sort(key=lambda n: (n.published_on or date.min, n.url))
    return found
