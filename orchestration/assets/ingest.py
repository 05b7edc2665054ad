"""Discovery of notice pages and the raw landing of every page and attachment."""


import dataclasses
from collections import Counter

import dagster as dg
from dagster_duckdb import DuckDBResource

from ..landing import LandedFile
from ..parsers.notice_pages import SERIES_GENAI_STATISTICS
from ..resources import BeianResource
from ..sources import FetchError
from ..sources.discovery import discover
from ..warehouse import ensure_raw_schema, record_manifest, replace_notices

GROUP = "ingest"


def _manifest_row(landed: LandedFile) -> dict:
    return {"url": landed.url, "sha256": landed.sha256, "bytes": landed.bytes,
            "file_type": landed.file_type, "http_status": landed.http_status,
            "fetched_at": landed.fetched_at, "fetched_from": landed.location}


@dg.asset(
    group_name=GROUP,
    kinds={"python", "html"},
    description="Entry pages and the notice pages they link to, each landed by SHA-256; "
                "writes raw.notices. Yields the attachments to fetch.",
    check_specs=[dg.AssetCheckSpec("every_page_fetched", asset="notice_pages",
                                   description="Every linked notice page could be fetched.")],
)
def notice_pages(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: DuckDBResource):
    source = beian.make_source()
    store = beian.raw_store()
    found = discover(source, beian.entry_pages)
    landed = {page.url: store.land(page) for page in found.pages}
    notices = [{
        "notice_url": n.url, "title": n.title, "published_on": n.published_on,
        "series": found.notice_series.get(n.url), "batch_no": n.batch_no,
        "page_sha256": landed[n.url].sha256, "attachment_count": len(n.attachments),
        "body_text": n.text,
    } for n in found.notices]
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)
        new_pages = record_manifest(con, [_manifest_row(x) for x in landed.values()])
        replace_notices(con, notices)
    attachments = [dataclasses.asdict(a) for a in found.attachments()]
    attachments += beian.manual_attachments()
    statistics = [n for n in notices if n["series"] == SERIES_GENAI_STATISTICS]
    yield dg.Output(
        {"attachments": attachments, "statistics_notices": statistics, "errors": found.errors},
        metadata={
            "source": source.description,
            "pages_fetched": len(found.pages),
            "pages_new_or_changed": new_pages,
            "notices_by_series": dict(Counter(str(s) for s in found.notice_series.values())),
            "attachments": len(attachments),
        },
    )
    yield dg.AssetCheckResult(
        check_name="every_page_fetched", passed=not found.errors,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"errors": dg.MetadataValue.json(found.errors)})


@dg.asset(
    group_name=GROUP,
    kinds={"python", "duckdb"},
    description="Every attachment fetched and stored once by SHA-256 under data/raw, with "
                "its type sniffed from the bytes; writes raw.manifest.",
    check_specs=[dg.AssetCheckSpec("every_attachment_fetched", asset="landed_files",
                                   description="Every discovered attachment was fetched.")],
)
def landed_files(context: dg.AssetExecutionContext, notice_pages: dict, beian: BeianResource,
                 duckdb: DuckDBResource):
    source = beian.make_source()
    store = beian.raw_store()
    files, manifest, errors = [], [], []
    for att in notice_pages["attachments"]:
        if att.get("sha256"):  # added by `beian ingest`: already in the store
            files.append(att)
            continue
        try:
            landed = store.land(source.fetch(att["url"], referer=att["notice_url"]))
        except FetchError as exc:
            errors.append(str(exc))
            continue
        manifest.append(_manifest_row(landed))
        files.append({"attachment_url": att["url"], "notice_url": att["notice_url"],
                      "series": att["series"], "batch_no": att["batch_no"],
                      "list_label": att["list_label"], "published_on": att["published_on"],
                      "link_text": att["link_text"], "sha256": landed.sha256,
                      "file_type": landed.file_type})
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)
        new = record_manifest(con, manifest)
    context.log.info(f"{len(files)} attachments, {new} new or changed")
    yield dg.Output(files, metadata={
        "attachments": len(files),
        "new_or_changed": new,
        "bytes": sum(m["bytes"] for m in manifest),
        "by_type": dict(Counter(f["file_type"] for f in files)),
    })
    yield dg.AssetCheckResult(
        check_name="every_attachment_fetched", passed=not errors,
        severity=dg.AssetCheckSeverity.ERROR, metadata={"errors": dg.MetadataValue.json(errors)})
