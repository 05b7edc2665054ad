"""Discovery: from the entry points to notice pages to their attachments.

An entry page is one of three kinds:
- **a column** (``…/A093702index_1.htm``, 网信发布): walked page by page (``_2.htm``, ``_3.htm`` …;
  the site draws its pager with a script, so no link leads there). Each item's full title is
  its ``title`` attribute; items of our series are visited, items that speak of filings or AI
  but are not ours (区块链 filings, AI rules) are skipped and named, the rest are unrelated.
  The walk stops at the first 404 (the end of the column), at a page that brings no item not
  seen on an earlier page (a column that never ends), at ``max_pages``, or, given ``since``,
  after the first page that reaches back before it: everything further is older than anything
  the catalogue still needs;
- **a listing page** (a mirror's index.htm): its links that name a series are followed one step;
- **a notice page** (the two living pages, which gain one attachment per update).

With a column walked, ``known`` notices (the filing notices published so far, shipped as data,
and those the catalogue holds) that the walk did not reach are fetched directly: a cold start
need not walk years of the column. One that answers 404 is reported as gone, never forgotten.
``api_base`` adds beian.cac.gov.cn's notice API: cancellation notices and the pages of the
deep-synthesis batches. ``skip`` names notice pages fetched before: met again, they are not
fetched again (the warehouse holds them), which keeps a look at the site to a few requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from ..limits import DEFAULT_ALLOWED_HOSTS
from ..reference.notices import KnownNotice
from ..parsers.notice_pages import (
    ColumnItem, Link, NoticePage, batch_number, classify_series, list_label, looks_related,
    parse_column_page, parse_notice_page,
)
from ..vocabulary import SERIES_DEEP_SYNTHESIS
from .base import FetchError, FetchResult, NotFound, Source
from .beian_api import CancellationNoticeRef, read_notice_api

COLUMN_PAGE = re.compile(r"^(?P<stem>.+index)_(?P<number>\d+)\.(?P<ext>s?html?)$")
DEFAULT_MAX_COLUMN_PAGES = 200


@dataclass(frozen=True)
class AttachmentRef:
    url: str
    link_text: str  # the list's name: fText, else the link text, else the file name
    notice_url: str
    series: str | None
    list_label: str | None  # YYYY-MM of the list, or the notice date for cancellations
    batch_no: int | None
    published_on: date | None  # known only when the notice carries this one list


@dataclass
class Discovery:
    pages: list[FetchResult] = field(default_factory=list)  # notice pages (and listing pages)
    listing_pages: list[FetchResult] = field(default_factory=list)  # column pages, the API answer
    notices: list[NoticePage] = field(default_factory=list)
    notice_series: dict[str, str | None] = field(default_factory=dict)
    batch_numbers: dict[str, int | None] = field(default_factory=dict)  # notice URL -> 第N批
    errors: list[str] = field(default_factory=list)  # each fails the run
    warnings: list[str] = field(default_factory=list)  # e.g. links to hosts not allowed
    skipped: list[dict] = field(default_factory=list)  # related-looking notices that are not ours
    unrelated: int = 0  # column items on other topics
    column_pages: int = 0
    extra_attachments: list[AttachmentRef] = field(default_factory=list)  # from the notice API
    api_notices: list[dict] = field(default_factory=list)  # cancellation notices the API lists

    def attachments(self) -> list[AttachmentRef]:
        refs: dict[str, AttachmentRef] = {}
        for notice in self.notices:
            series = self.notice_series.get(notice.url)
            links = notice.attachments
            for link in links:
                name = link.name
                link_series = classify_series(name) or series
                label = list_label(name) or list_label(link.file_name)
                if label is None and notice.published_on is not None:
                    label = notice.published_on.strftime("%Y-%m")
                batch = self.batch_numbers.get(notice.url, notice.batch_no)
                if batch is None and link_series == SERIES_DEEP_SYNTHESIS:
                    batch = 1  # the first deep-synthesis notice names no batch
                refs.setdefault(link.url, AttachmentRef(
                    url=link.url, link_text=name, notice_url=notice.url, series=link_series,
                    list_label=label, batch_no=batch,
                    published_on=notice.published_on if len(links) == 1 else None,
                ))
        for ref in self.extra_attachments:
            refs.setdefault(ref.url, ref)
        return list(refs.values())

    def record(self) -> dict:
        """What the run keeps of the walk: the notices skipped as not ours, and its extent."""
        return {"column_pages": self.column_pages, "unrelated_items": self.unrelated,
                "skipped": self.skipped}


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


_CUT_SHORT = re.compile(r"(…|\.\.\.|⋯)\s*$")
SITE_HOSTS = ("www.cac.gov.cn", "beian.cac.gov.cn")


def canonical(url: str) -> str:
    """The CAC's pages are https: an http link to its hosts names the same page."""
    if url.startswith("http://") and host_of(url) in SITE_HOSTS:
        return "https://" + url[len("http://"):]
    return url


def column_page_url(url: str, number: int) -> str | None:
    match = COLUMN_PAGE.match(url)
    return f"{match['stem']}_{number}.{match['ext']}" if match else None


def cancellation_attachment(ref: CancellationNoticeRef) -> AttachmentRef:
    """A cancellation notice's PDF: no batch, labelled by the notice month."""
    return AttachmentRef(
        url=ref.attachment_url, link_text=ref.link_text, notice_url=ref.notice_url,
        series=classify_series(ref.title), batch_no=None, published_on=ref.published_on,
        list_label=ref.published_on.strftime("%Y-%m") if ref.published_on else None,
    )


def _worth_following(link: Link) -> bool:
    """A link whose words name one of the series: on the live site a listing page links to
    hundreds of unrelated pages, and each fetch costs a polite second."""
    return classify_series(link.name) is not None or "备案" in link.name


class _Walk:
    def __init__(self, source: Source, allowed_hosts: tuple[str, ...], skip: set[str]):
        self.source = source
        self.allowed_hosts = allowed_hosts
        self.skip = skip
        self.found = Discovery()
        self.seen: set[str] = set()

    def allowed(self, url: str, on_page: str) -> bool:
        if host_of(url) in self.allowed_hosts:
            return True
        self.found.warnings.append(f"{on_page}: link to {url[:200]} not followed: host not allowed")
        return False

    def skip_item(self, url: str, title: str, published_on: date | None, where: str, reason: str) -> None:
        self.found.skipped.append({"url": url, "title": title[:300], "published_on": published_on,
                                   "found_on": where, "reason": reason})

    def visit(self, url: str, referer: str | None, linked_as: str | None = None,
              link_text: str = "", gone_is_warning: bool = False) -> NoticePage | None:
        found = self.found
        if url in self.seen:
            return None
        self.seen.add(url)
        try:
            result = self.source.fetch(url, referer=referer)
        except NotFound as exc:
            if gone_is_warning:
                found.warnings.append(f"{exc}: a known notice is gone from the site; its lists stay in "
                                      "the warehouse")
            else:
                found.errors.append(str(exc))
            return None
        except FetchError as exc:
            found.errors.append(str(exc))
            return None
        found.pages.append(result)
        page = parse_notice_page(result.content, url)
        page.links[:] = [x for x in page.links if not x.is_attachment or self.allowed(x.url, url)]
        series = classify_series(page.title, page.text)
        if series is None and linked_as is not None and page.attachments:
            series = linked_as  # the page's own words are unreadable; its link's are not
        if series is not None:
            found.notices.append(page)
            found.notice_series[url] = series
            batch = page.batch_no if page.batch_no is not None else batch_number(link_text)
            found.batch_numbers[url] = batch
        elif linked_as is not None:
            found.errors.append(f"{url}: linked as {link_text[:80]!r} but the page reads as no "
                                f"{linked_as} notice (no readable title or attachment); is it mangled?")
        return page

    def column_item(self, item: ColumnItem, page_url: str) -> None:
        url = canonical(item.url)
        series = classify_series(item.title)
        if series is None:
            if not looks_related(item.title):
                self.found.unrelated += 1
            elif _CUT_SHORT.search(item.title) and url not in self.skip and self.allowed(url, page_url):
                # a title cut short may have lost the words that name the series: the page decides
                self.visit(url, page_url)
                if url not in self.found.notice_series:
                    self.skip_item(url, item.title, item.published_on, page_url, "not one of our series (read on its page)")
            else:
                self.skip_item(url, item.title, item.published_on, page_url, "not one of our series")
            return
        if url in self.skip or not self.allowed(url, page_url):
            return
        self.visit(url, page_url, series, item.title)

    def walk_column(self, first: str, since: date | None, max_pages: int) -> None:
        found = self.found
        match = COLUMN_PAGE.match(first)
        start = int(match["number"])
        listed: set[str] = set()
        referer = None
        for number in range(start, start + max_pages):
            url = column_page_url(first, number)
            try:
                result = self.source.fetch(url, referer=referer)
            except NotFound as exc:
                if number == start:
                    found.errors.append(f"{exc}: the column's first page is missing")
                return  # past the last page: the end of the column
            except FetchError as exc:
                found.errors.append(str(exc))
                return
            found.listing_pages.append(result)
            found.column_pages += 1
            items = parse_column_page(result.content, url)
            fresh = [item for item in items if item.url not in listed]
            if not fresh:
                if number == start:
                    found.errors.append(f"{url}: a column page that lists no item; is it the right page?")
                else:
                    found.warnings.append(f"{url}: page {number} brings no item not seen on earlier "
                                          "pages; the column is taken to end there")
                return
            listed.update(item.url for item in fresh)
            for item in fresh:
                self.column_item(item, url)
            dates = [item.published_on for item in fresh if item.published_on]
            if since is not None and dates and min(dates) < since:
                return  # the next pages are older than anything still needed
            referer = url
        found.warnings.append(f"{first}: still more pages after {max_pages}; the walk stopped there "
                              "(BEIAN_MAX_COLUMN_PAGES)")

    def read_api(self, api_base: str) -> None:
        found = self.found
        try:
            api = read_notice_api(self.source, api_base)
        except FetchError as exc:
            found.errors.append(str(exc))
            return
        found.extra_attachments += [cancellation_attachment(ref) for ref in api.cancellations]
        found.api_notices += [{"notice_url": ref.notice_url, "title": ref.title, "published_on": ref.published_on,
                               "series": classify_series(ref.title), "batch_no": None,
                               "listed_by": api.url, "attachment_count": 1, "body_text": ref.title}
                              for ref in api.cancellations]
        found.listing_pages.append(api.answer)
        for notice in api.batch_pages:
            page_url = canonical(notice.page_url)
            if page_url in self.skip or not self.allowed(page_url, "the notice API"):
                continue
            self.visit(page_url, f"{api_base.rstrip('/')}/", SERIES_DEEP_SYNTHESIS, notice.title)
        for notice in api.skipped:
            self.skip_item(notice.page_url or notice.notice_id, notice.title, notice.published_on,
                           "the notice API", f"type {notice.type}, not one of our series")

    def listing_or_notice(self, entry: str) -> None:
        page = self.visit(entry, None)
        if page is None:
            return
        followed = [link for link in page.pages if _worth_following(link) and self.allowed(link.url, entry)]
        for link in followed:
            self.visit(link.url, entry, classify_series(link.name), link.name)
        if entry not in self.found.notice_series and not followed:
            self.found.errors.append(f"{entry}: an entry page, but it links no notice and is none itself; "
                                     "is it the right page, or mangled?")


def discover(source: Source, entry_pages: tuple[str, ...] | list[str],
             allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS, *,
             api_base: str | None = None, known: list[KnownNotice] | tuple = (),
             since: date | None = None, skip: set[str] | frozenset = frozenset(),
             max_column_pages: int = DEFAULT_MAX_COLUMN_PAGES) -> Discovery:
    """Fetch the entry points and the notice pages they lead to.

    What could not be fetched or read is collected in ``errors`` (each one fails the run): an
    entry page, a linked notice page, an entry page that yields nothing, a page whose link named
    a series but which reads as no notice of it, an API answer that cannot be read. Links to
    hosts outside ``allowed_hosts`` are never followed, and are listed in ``warnings``. Nothing
    fetched at all is raised.
    """
    walk = _Walk(source, allowed_hosts, set(skip))
    columns = [entry for entry in entry_pages if COLUMN_PAGE.match(entry)]
    for entry in entry_pages:
        if entry in columns:
            walk.walk_column(entry, since, max_column_pages)
        else:
            walk.listing_or_notice(entry)
    if api_base:
        walk.read_api(api_base)
    if columns:
        for notice in known:
            if notice.url not in walk.seen and notice.url not in walk.skip and host_of(notice.url) in allowed_hosts:
                walk.visit(notice.url, columns[0], notice.series, notice.title, gone_is_warning=True)
    found = walk.found
    if not found.pages and not found.listing_pages:
        raise FetchError("no entry page could be fetched: " + "; ".join(found.errors[:5]))
    found.notices.sort(key=lambda n: (n.published_on or date.min, n.url))
    return found
