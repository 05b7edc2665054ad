"""Per list: parse the landed bytes and validate the rows with the series' pandera model,
staging accepted and quarantined rows as Parquet. The same bytes read by the same code are
never parsed twice."""


import warnings

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from ..automation.partitions import LISTS
from ..resources import BeianResource
from ..series import SERIES, parse_version
from ..stage_pool import PendingList, plan_chunks, stage_all, worker_count
from ..vocabulary import (
    EXTRA_COLUMNS, GROUP_VALIDATE, LIST_ROWS, ROWS_FAILING_BY_CHECK, UNBALANCED_LISTS, UNREADABLE_LISTS,
)
from .ingest import SINGLE_RUN, list_files

GROUP = GROUP_VALIDATE


def column_schema(model) -> dg.TableSchema:
    """A pandera model as a Dagster table schema, so the UI lists its columns and checks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pandera_schema_to_dagster_type(model).metadata["schema"].schema


@dg.asset(
    group_name=GROUP,
    kinds={"python", "pandera"},
    partitions_def=LISTS,
    backfill_policy=SINGLE_RUN,
    deps=[list_files],
    description="One list's rows, parsed (DOCX or PDF, sniffed from the bytes) and checked by its "
                "series' pandera model; failing rows are set aside for quarantine with their "
                "reasons and provenance (attachment, table, row, page). Staged under data/staged.",
    metadata={f"pandera_model/{name}": spec.model.__name__ for name, spec in SERIES.items()},
    check_specs=[
        dg.AssetCheckSpec("list_readable", asset=dg.AssetKey(LIST_ROWS), blocking=True,
                          description="The list can be read as its series and yields data rows; "
                                      "otherwise it fails, naming the file (and the row)."),
        dg.AssetCheckSpec("rows_reconcile", asset=dg.AssetKey(LIST_ROWS), blocking=True,
                          description="Accepted + quarantined = extracted, for every list."),
        dg.AssetCheckSpec("known_columns", asset=dg.AssetKey(LIST_ROWS),
                          description="Every column of the list is one its series knows; warns naming "
                                      "any other (its cells are kept in the row's extra_columns)."),
        dg.AssetCheckSpec("pandera_schema", asset=dg.AssetKey(LIST_ROWS),
                          description="Every row passes its pandera model; warns with the counts "
                                      "per failed check (those rows are in quarantine)."),
    ],
)
def list_rows(context: dg.AssetExecutionContext, beian: BeianResource):
    catalog, store, staged = beian.catalog(), beian.raw_store(), beian.staged_store()
    limits = beian.settings().limits
    version = parse_version(limits)
    keys = set(context.partition_keys)
    summaries, to_parse, undated = [], {}, {}
    for entry in catalog.entries():
        if entry.key not in keys or entry.sha256 is None or entry.duplicate_of or not store.has(entry.sha256):
            continue  # not in this run, not fetched (list_files failed it), or a duplicate
        if entry.list_label is None:  # every model places a list in its month: fail it here
            undated[entry.key] = (f"{entry.attachment_url}: no list month: neither the link text, the "
                                  f"file name nor the notice's date names one (YYYY年M月)")
            continue
        summary = staged.summary(entry.sha256, version)
        if summary is not None:
            summaries.append(summary)  # the same bytes read by the same code: not parsed again
            continue
        path = store.path_for(entry.sha256)
        to_parse.setdefault(entry.series, []).append(PendingList(
            entry.key, entry.attachment_url, entry.notice_url, entry.sha256, path, path.stat().st_size,
            entry.link_text or entry.attachment_url))
    chunks = plan_chunks(to_parse)
    workers = worker_count(chunks, beian.settings().parse_workers)
    fresh = list(stage_all(chunks, limits, staged.root, workers))
    summaries += fresh
    parsed = len(fresh)
    errors = {**undated, **{s.key: s.error for s in summaries if s.error}}
    for error in errors.values():
        context.log.error(error)
    unbalanced = [s.key for s in summaries if not s.balanced]
    failing: dict[str, int] = {}
    for s in summaries:
        for check, n in s.failures_by_check.items():
            failing[check] = failing.get(check, 0) + n
    quarantined = sum(s.rows_quarantined for s in summaries)
    table = "\n".join(["| list | extracted | accepted | quarantined |", "|---|---|---|---|"] + [
        f"| {s.key} | {s.rows_extracted} | {s.rows_accepted} | {s.rows_quarantined} |" for s in summaries])
    yield dg.MaterializeResult(metadata={
        "lists": len(summaries),
        "lists_parsed": parsed,  # the others were staged already: same bytes, same code
        "lists_reused": len(summaries) - parsed,
        "rows_extracted": sum(s.rows_extracted for s in summaries),
        "rows_accepted": sum(s.rows_accepted for s in summaries),
        "rows_quarantined": quarantined,
        # a table per list only for a few lists: in a run over many, every partition's event
        # carries a copy of the metadata
        **({"rows_per_list": dg.MetadataValue.md(table)} if len(summaries) <= 20 else {}),
    })
    yield dg.AssetCheckResult(check_name="list_readable", passed=not errors,
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={UNREADABLE_LISTS: dg.MetadataValue.json(errors)})
    yield dg.AssetCheckResult(check_name="rows_reconcile", passed=not unbalanced,
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={UNBALANCED_LISTS: dg.MetadataValue.json(unbalanced)})
    extra = {s.key: s.extra_columns for s in summaries if s.extra_columns}
    yield dg.AssetCheckResult(check_name="known_columns", passed=not extra, severity=dg.AssetCheckSeverity.WARN,
                              metadata={EXTRA_COLUMNS: dg.MetadataValue.json(extra)})
    yield dg.AssetCheckResult(
        check_name="pandera_schema", passed=not failing and not any(s.schema_errors for s in summaries),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={ROWS_FAILING_BY_CHECK: dg.MetadataValue.json(failing),
                  "rows_quarantined": quarantined,
                  "schema_errors": dg.MetadataValue.json(sorted({e for s in summaries for e in s.schema_errors})),
                  "quarantined_preview": dg.MetadataValue.json(
                      {s.key: s.quarantine_preview for s in summaries[:20] if s.quarantine_preview})})
