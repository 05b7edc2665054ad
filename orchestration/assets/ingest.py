"""The notice pages (one scan of the source) and the list files, one partition per list,
each stored once by SHA-256 before anything parses it."""


from collections import Counter

import dagster as dg

from ..automation.partitions import LISTS, SCAN_TAG, register_lists
from ..catalog import ORIGIN_MANUAL
from ..resources import WRITER_POOL, BeianResource, WarehouseResource
from ..scan import fetch_list, scan_publications
from ..vocabulary import FAILED_LISTS, GROUP_INGEST, LIST_FILES, NOTICE_PAGES, PAGE_ERRORS
from ..warehouse import record_manifest, replace_notices

GROUP = GROUP_INGEST
SINGLE_RUN = dg.BackfillPolicy.single_run()  # a refresh of every list is one run, not one per list


def scan_record(context: dg.AssetExecutionContext, beian: BeianResource) -> dict:
    """The scan this run was started from (CLI, sensor), or a new one (a run from the UI)."""
    scan_id = context.run.tags.get(SCAN_TAG)
    record = beian.catalog().load_scan(scan_id) if scan_id else None
    if record is None:
        scan = scan_publications(beian.settings())
        register_lists(context.instance, [s.key for s in scan.lists])
        record = scan.record()
    return record


@dg.asset(
    group_name=GROUP,
    kinds={"python", "html"},
    pool=WRITER_POOL,
    description="Entry pages and the notice pages they link to, each landed by SHA-256: writes "
                "raw.notices and the pages' raw.manifest rows, and registers one partition per list.",
    check_specs=[dg.AssetCheckSpec(
        "every_page_fetched", asset=dg.AssetKey(NOTICE_PAGES), blocking=True,
        description="Every entry page and every linked notice page was fetched and read; an "
                    "entry page that links nothing, or a notice page that reads as none, fails.")],
)
def notice_pages(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    record = scan_record(context, beian)
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        new_pages = record_manifest(con, record["pages"])
        replace_notices(con, record["notices"])
    yield dg.MaterializeResult(metadata={
        "source": record["source"],
        "scan_id": record["scan_id"],
        "pages_fetched": len(record["pages"]),
        "pages_new_or_changed": new_pages,
        "notices_by_series": dict(Counter(str(n["series"]) for n in record["notices"])),
        "dagster/row_count": len(record["notices"]),
        "warnings": dg.MetadataValue.json(record["warnings"]),
        # the column walk: how far it went, and the notices it skipped as not ours (区块链 filings,
        # AI rules, the API's other notices)
        "discovery": dg.MetadataValue.json(record.get("discovery") or {}),
        "as_of": record.get("as_of") or "today",
        "archive_written": record.get("archive") or "(none: not a live look)",
    })
    yield dg.AssetCheckResult(
        check_name="every_page_fetched", passed=not record["errors"],
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={PAGE_ERRORS: dg.MetadataValue.json(record["errors"])})


@dg.asset(
    group_name=GROUP,
    kinds={"python", "duckdb"},
    partitions_def=LISTS,
    backfill_policy=SINGLE_RUN,
    pool=WRITER_POOL,
    deps=[notice_pages],
    description="One list's attachment, fetched (unless the scan that started the run just did) "
                "and stored once by SHA-256 under data/raw, its type sniffed from the bytes; "
                "writes its raw.manifest row.",
    check_specs=[dg.AssetCheckSpec(
        "every_list_fetched", asset=dg.AssetKey(LIST_FILES), blocking=True,
        description="The list could be fetched: a 403/404/5xx, a timeout, a truncated or empty "
                    "body, a redirect off the allowed hosts fails the list, naming its URL.")],
)
def list_files(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    catalog, store = beian.catalog(), beian.raw_store()
    trusted = context.run.tags.get(SCAN_TAG) is not None
    source = None
    fetched, manifest, errors = [], [], {}
    entries = {entry.key: entry for entry in catalog.entries()}  # one read, not one per list
    for key in context.partition_keys:
        entry = entries.get(key)
        if entry is None:
            errors[key] = f"{key}: not in the list catalogue ({catalog.path}); run `beian update`"
            continue
        have_bytes = entry.sha256 is not None and store.has(entry.sha256)
        if entry.origin != ORIGIN_MANUAL and not (trusted and have_bytes and not entry.fetch_error):
            source = source or beian.make_source()
            entry, _ = fetch_list(catalog, store, source, entry)
            have_bytes = entry.sha256 is not None and store.has(entry.sha256)
        if entry.fetch_error:
            errors[key] = entry.fetch_error
            continue
        if not have_bytes:
            errors[key] = f"{entry.attachment_url}: its bytes ({entry.sha256}) are not in {store.root}"
            continue
        fetched.append(entry)
        manifest.append({"url": entry.attachment_url, "sha256": entry.sha256, "bytes": entry.bytes or 0,
                         "file_type": entry.file_type, "http_status": entry.http_status or 200,
                         "fetched_at": entry.fetched_at, "fetched_from": entry.fetched_from})
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        new = record_manifest(con, manifest)
    for error in errors.values():
        context.log.error(error)
    yield dg.MaterializeResult(metadata={
        "lists": len(context.partition_keys),
        "fetched": len(fetched),
        "new_or_changed_bytes": new,
        "bytes": sum(e.bytes or 0 for e in fetched),
        "by_type": dict(Counter(str(e.file_type) for e in fetched)),
        "duplicates": dg.MetadataValue.json({e.key: e.duplicate_of for e in fetched if e.duplicate_of}),
    })
    yield dg.AssetCheckResult(
        check_name="every_list_fetched", passed=not errors, severity=dg.AssetCheckSeverity.ERROR,
        metadata={FAILED_LISTS: dg.MetadataValue.json(errors)})
