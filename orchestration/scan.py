"""One look at the CAC: the entry pages, the notice pages they link to, and every list
attachment, fetched and stored by SHA-256 before anything parses it, then compared with the
catalogue. The sensor, `beian update`, `beian run` and the notice_pages asset all start here.

Plain Python: no Dagster, no DuckDB.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from .catalog import ORIGIN_SITE, Catalog, ListEntry
from .landing import LandedFile, RawStore
from .parsers.notice_pages import SERIES_GENAI_STATISTICS
from .series import SERIES
from .settings import Settings
from .sources import FetchError, Source, make_source
from .sources.beian_api import list_cancellation_notices, source_json_fetcher, to_attachment_ref
from .sources.discovery import AttachmentRef, Discovery, discover


@dataclass
class ListScan:
    entry: ListEntry
    state: str  # new, changed, unchanged, failed or duplicate (ListEntry.state)
    fetched: bool  # fetched in this scan (else the catalogue's last fetch stands)
    linked: bool  # linked from a page in this scan (a list added by hand never is)

    @property
    def key(self) -> str:
        return self.entry.key


@dataclass
class Scan:
    scan_id: str
    source: str
    pages: list[LandedFile]
    notices: list[dict]  # one row per notice page, for raw.notices
    lists: list[ListScan]
    errors: list[str]  # pages that could not be fetched or read: each fails the run
    warnings: list[str]  # e.g. links to hosts not allowed, not followed
    pages_changed: int  # pages whose bytes differ from the previous scan
    attachments: list[LandedFile] = field(default_factory=list)  # fetched in this scan

    def record(self) -> dict:
        """What a run needs of this scan, kept in the catalogue: the pages for raw.manifest,
        the notices for raw.notices, and the errors, which fail the run."""
        return {"scan_id": self.scan_id, "source": self.source, "errors": self.errors,
                "warnings": self.warnings, "pages_changed": self.pages_changed,
                "pages": [p.manifest_row() for p in self.pages], "notices": self.notices}

    def by_state(self, *states: str) -> list[ListScan]:
        return [s for s in self.lists if s.state in states]

    @property
    def pending(self) -> list[ListScan]:
        """Lists whose bytes the warehouse does not hold yet (or holds but must drop)."""
        return self.by_state("new", "changed")

    @property
    def failed(self) -> list[ListScan]:
        return self.by_state("failed")


def notice_rows(found: Discovery, landed: dict[str, LandedFile]) -> list[dict]:
    return [{
        "notice_url": n.url, "title": n.title, "published_on": n.published_on,
        "series": found.notice_series.get(n.url), "batch_no": found.batch_numbers.get(n.url, n.batch_no),
        "page_sha256": landed[n.url].sha256, "attachment_count": len(n.attachments),
        "body_text": n.text,
    } for n in found.notices if n.url in landed]


def _register(catalog: Catalog, ref: AttachmentRef) -> str:
    return catalog.register(series=ref.series, attachment_url=ref.url, list_label=ref.list_label,
                            batch_no=ref.batch_no, published_on=ref.published_on,
                            notice_url=ref.notice_url, link_text=ref.link_text, origin=ORIGIN_SITE)


def fetch_list(catalog: Catalog, store: RawStore, source: Source, entry: ListEntry) -> tuple[ListEntry, LandedFile | None]:
    """Fetch and land one list's bytes, recording the outcome in the catalogue."""
    try:
        landed = store.land(source.fetch(entry.attachment_url, referer=entry.notice_url))
    except FetchError as exc:
        catalog.record_fetch_error(entry.key, str(exc))
        return catalog.get(entry.key), None
    return catalog.record_fetch(entry.key, landed), landed


def scan_publications(settings: Settings, *, source: Source | None = None,
                      recheck: int | None = None) -> Scan:
    """Discover, fetch and land; compare with the catalogue.

    Every list never fetched is fetched. Known lists are fetched again to notice new bytes at
    a known URL: all of them, or with ``recheck`` only that many, longest unchecked first (the
    sensor's budget against the live sites, where each request costs a polite second).
    """
    source = source or make_source(settings)
    store = RawStore(settings.raw_dir)
    catalog = Catalog(settings.catalog_path)
    found = discover(source, settings.entry_pages, settings.limits.allowed_hosts)
    if settings.source_kind == "live":
        # beian.cac.gov.cn serves its cancellation notices from a JSON API, not static pages
        try:
            found.extra_attachments += [to_attachment_ref(ref) for ref in list_cancellation_notices(
                source_json_fetcher(source), settings.beian_api_base)]
        except FetchError as exc:
            found.errors.append(str(exc))
    landed_pages = {page.url: store.land(page) for page in found.pages}
    pages_changed = catalog.record_pages({url: p.sha256 for url, p in landed_pages.items()})

    linked: dict[str, str] = {}  # key -> attachment URL, for every list a page links
    with catalog.batch():
        for ref in found.attachments():
            if ref.series in SERIES and ref.series != SERIES_GENAI_STATISTICS:
                linked[_register(catalog, ref)] = ref.url

    entries = catalog.entries()
    never_fetched = [e for e in entries if e.sha256 is None and e.key in linked]
    known = sorted((e for e in entries if e.sha256 is not None and e.key in linked and e.origin == ORIGIN_SITE),
                   key=lambda e: e.fetched_at or "")
    to_fetch = never_fetched + (known if recheck is None else known[:recheck])
    fetched: set[str] = set()
    attachments = []
    with catalog.batch():  # the fetches themselves are outside SQLite; their records commit once
        for entry in to_fetch:
            _, landed = fetch_list(catalog, store, source, entry)
            fetched.add(entry.key)
            if landed is not None:
                attachments.append(landed)
    lists = [ListScan(e, e.state(), e.key in fetched, e.key in linked) for e in catalog.entries()]
    scan = Scan(scan_id=uuid.uuid4().hex[:12], source=source.description, pages=list(landed_pages.values()),
                notices=notice_rows(found, landed_pages), lists=lists, errors=list(found.errors),
                warnings=list(found.warnings), pages_changed=pages_changed, attachments=attachments)
    catalog.save_scan(scan.scan_id, scan.record())
    return scan

