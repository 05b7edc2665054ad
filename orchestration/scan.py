"""One look at the CAC: the entry pages, the notice pages they link to, and every list
attachment, fetched and stored by SHA-256 before anything parses it, then compared with the
catalogue. The sensor, `beian update`, `beian run` and the notice_pages asset all start here.

Plain Python: no Dagster, no DuckDB.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import timedelta

from .catalog import ORIGIN_SITE, Catalog, ListEntry
from .landing import LandedFile, RawStore
from .parsers.notice_pages import classify_series, list_label
from .vocabulary import SERIES_GENAI_STATISTICS
from .reference.notices import load_known_notices
from .series import SERIES
from .settings import Settings
from .sources import FetchError, Source, make_source
from .sources.attachments import disposition_name, fetch_list_file
from .sources.base import short_url
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
    pages_changed: int  # notice pages whose bytes differ from the previous scan
    attachments: list[LandedFile] = field(default_factory=list)  # fetched in this scan
    listing_pages: list[LandedFile] = field(default_factory=list)  # column pages, API answers
    discovery: dict = field(default_factory=dict)  # the walk: skipped notices, pages walked
    archive: str | None = None  # the web archive this scan's live fetches were recorded to
    as_of: str | None = None  # a replayed archive's capture time (ISO date); None: today

    def record(self) -> dict:
        """What a run needs of this scan, kept in the catalogue: the pages for raw.manifest,
        the notices for raw.notices, and the errors, which fail the run."""
        return {"scan_id": self.scan_id, "source": self.source, "errors": self.errors,
                "warnings": self.warnings, "pages_changed": self.pages_changed,
                "pages": [p.manifest_row() for p in self.pages + self.listing_pages],
                "notices": self.notices, "discovery": self.discovery, "archive": self.archive,
                "as_of": self.as_of}

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
    """One row per notice: its page's, or for a notice the API lists, the API answer's hash."""
    api_rows = [{**{k: v for k, v in row.items() if k != "listed_by"},
                 "page_sha256": landed[row["listed_by"]].sha256}
                for row in found.api_notices if row["listed_by"] in landed]
    return api_rows + [{
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
    """Fetch and land one list's bytes (with its notice page as Referer), recording the outcome
    in the catalogue."""
    try:
        landed = store.land(fetch_list_file(source, entry.attachment_url, referer=entry.notice_url))
    except FetchError as exc:
        catalog.record_fetch_error(entry.key, str(exc))
        return catalog.get(entry.key), None
    return catalog.record_fetch(entry.key, landed), landed


def discovery_plan(settings: Settings, catalog: Catalog, full: bool) -> dict:
    """How far to look at a site-shaped source: the notices known so far (shipped as data and
    read before), the date the column walk must reach back to (the newest of them, less an
    overlap), and the notice pages not to fetch again (all are fetched on a full refresh)."""
    if not settings.site_shaped:
        return {}
    known = {n.url: n for n in load_known_notices(settings.known_notices_path)}
    known.update({n.url: n for n in catalog.known_notices()})
    dates = [n.published_on for n in known.values() if n.published_on]
    since = max(dates) - timedelta(days=settings.column_overlap_days) if dates else None
    return {"api_base": settings.beian_api_base, "known": list(known.values()), "since": since,
            "skip": frozenset() if full else frozenset(catalog.page_hashes()),
            "max_column_pages": settings.max_column_pages}


def _named_by_answer(ref: AttachmentRef, source: Source, store: RawStore,
                     warnings: list[str]) -> tuple[AttachmentRef, LandedFile | None, str | None]:
    """A download link that names nothing is fetched at once: its Content-Disposition names the
    list (its base name only), and the name classifies and labels it."""
    try:
        result = fetch_list_file(source, ref.url, referer=ref.notice_url)
    except FetchError as exc:
        return ref, None, str(exc)
    sent, name = disposition_name(result.header("Content-Disposition"))
    if sent is not None and sent != name:
        warnings.append(f"{short_url(ref.url)}: Content-Disposition names {sent[:200]!r}; only its base "
                        f"name {name!r} is used")
    name = name or ""
    named = replace(ref, link_text=name, series=classify_series(name) or ref.series,
                    list_label=list_label(name) or ref.list_label)
    return named, store.land(result), None


def scan_publications(settings: Settings, *, source: Source | None = None,
                      recheck: int | None = None, full: bool = False) -> Scan:
    """Discover, fetch and land; compare with the catalogue.

    Every list never fetched is fetched. Known lists are fetched again to notice new bytes at
    a known URL: all of them, or with ``recheck`` only that many, longest unchecked first (the
    budget against the live sites, where each request costs a polite second). ``full`` reads
    every known notice page again instead of only the new ones.
    """
    scan_id = uuid.uuid4().hex[:12]
    source = source or make_source(settings, record_as=scan_id)
    store = RawStore(settings.raw_dir)
    catalog = Catalog(settings.catalog_path)
    plan = discovery_plan(settings, catalog, full)
    found = discover(source, settings.entry_pages, settings.limits.allowed_hosts, **plan)
    landed_pages = {page.url: store.land(page) for page in found.pages}
    listing_pages = {page.url: store.land(page) for page in found.listing_pages}
    pages_changed = catalog.record_pages({url: p.sha256 for url, p in landed_pages.items()})
    notices = notice_rows(found, {**listing_pages, **landed_pages})
    catalog.record_notices([n for n in notices if n["notice_url"] in landed_pages])  # pages only: the walk's memory

    linked: dict[str, str] = {}  # key -> attachment URL, for every list a page links
    landed_early: dict[str, LandedFile] = {}
    errors, warnings = list(found.errors), list(found.warnings)
    with catalog.batch():
        for ref in found.attachments():
            landed = None
            if not ref.link_text:
                ref, landed, error = _named_by_answer(ref, source, store, warnings)
                errors += [error] if error else []
            if ref.series in SERIES and ref.series != SERIES_GENAI_STATISTICS:
                key = _register(catalog, ref)
                linked[key] = ref.url
                if landed is not None:
                    landed_early[key] = landed

    entries = catalog.entries()
    unvisited = plan.get("skip", frozenset())  # notices known and not fetched again: retry their failures
    never_fetched = [e for e in entries if e.key not in landed_early and e.origin == ORIGIN_SITE
                     and (e.key in linked or e.notice_url in unvisited) and (e.sha256 is None or e.fetch_error)]
    known = sorted((e for e in entries if e.sha256 is not None and not e.fetch_error and e.key in linked
                    and e.key not in landed_early and e.origin == ORIGIN_SITE), key=lambda e: e.fetched_at or "")
    to_fetch = never_fetched + (known if recheck is None else known[:recheck])
    fetched: set[str] = set(landed_early)
    attachments = list(landed_early.values())
    with catalog.batch():  # the fetches themselves are outside SQLite; their records commit once
        for key, landed in landed_early.items():
            catalog.record_fetch(key, landed)
        for entry in to_fetch:
            _, landed = fetch_list(catalog, store, source, entry)
            fetched.add(entry.key)
            if landed is not None:
                attachments.append(landed)
    lists = [ListScan(e, e.state(), e.key in fetched, e.key in linked) for e in catalog.entries()]
    recorder = getattr(source, "recorder", None)
    as_of = getattr(source, "as_of", None)
    scan = Scan(scan_id=scan_id, source=source.description, pages=list(landed_pages.values()),
                notices=notices, lists=lists, errors=errors, warnings=warnings,
                pages_changed=pages_changed, attachments=attachments, listing_pages=list(listing_pages.values()),
                discovery=found.record(),
                archive=str(recorder.path) if recorder is not None and recorder.records else None,
                as_of=as_of.date().isoformat() if as_of is not None else None)
    catalog.save_scan(scan.scan_id, scan.record())
    return scan
