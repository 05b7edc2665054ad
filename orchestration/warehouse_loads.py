"""What the warehouse assets write, as plain functions over a DuckDB connection: the list
loads in transactions of a hundred (each list alone when a batch fails), the per-list
reconciliation, the statistics notices' figures and the reference tables."""

from __future__ import annotations

import dataclasses

import duckdb
import pandas as pd
import pandera.pandas as pa

from .catalog import Catalog
from .parsers.provinces import ALL_LOCALITIES
from .parsers.statistics import parse_statistics_notice
from .schemas.statistics import StatisticsNoticeModel
from .series import SERIES
from .staged import PARTS, StagedStore
from .vocabulary import (
    DISTRICTS_TABLE, PROVINCES_TABLE, QUARANTINE_TABLE, RAW_SCHEMA, SERIES_GENAI_STATISTICS, STATISTICS_TABLE,
)
from .warehouse import (
    StagedList, load_lists, loaded_lists, record_list_error, replace_table, unload_duplicate,
)


def list_row(entry, summary, version: str) -> dict:
    """The raw.lists row of a catalogue entry."""
    return {"attachment_url": entry.attachment_url, "partition_key": entry.key, "notice_url": entry.notice_url,
            "series": entry.series, "batch_no": entry.batch_no, "list_label": entry.list_label,
            "published_on": entry.published_on, "link_text": entry.link_text, "sha256": entry.sha256,
            "file_type": entry.file_type, "parser_version": version,
            "rows_extracted": summary.rows_extracted if summary else 0}


LISTS_PER_LOAD = 100  # lists a load transaction; bounded, so a retry list by list stays short


def load_lists_into(con: duckdb.DuckDBPyConnection, catalog: Catalog, staged: StagedStore, version: str,
                    keys: list[str]) -> list[dict]:
    """Load every list of ``keys`` whose bytes or code changed; one outcome per list."""
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


def unbalanced_lists(con: duckdb.DuckDBPyConnection, keys: list[str]) -> pd.DataFrame:
    """Those of the lists ``keys`` whose stored + quarantined rows differ from the rows
    extracted, or that failed. Only their rows are counted: a one-list run scans one list."""
    counted = " union all ".join(
        f"select attachment_url, count(*) as n, {table == QUARANTINE_TABLE} as quarantined from {RAW_SCHEMA}.{table} "
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


def table_rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return int(con.execute(f"select count(*) from {schema}.{table}").fetchone()[0])


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


def load_genai_statistics(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, list[str]]:
    """Replace raw.genai_statistics with the validated figures of the statistics notices;
    returns them and the problems (notices not read, rows the model refused)."""
    notices = con.execute(f"select * from {RAW_SCHEMA}.notices where series = ?",
                          [SERIES_GENAI_STATISTICS]).df().to_dict("records")
    frame, problems = statistics_frame(notices)
    try:
        frame = StatisticsNoticeModel.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:  # report; keep nothing unvalidated
        problems.append(str(exc).splitlines()[0])
        frame = frame.iloc[0:0]
    replace_table(con, STATISTICS_TABLE, frame)
    return frame, problems


def load_reference_tables(con: duckdb.DuckDBPyConnection, districts: pd.DataFrame) -> None:
    """Replace raw.provinces (this package's) and raw.districts (``district_table()``, read
    before the warehouse is opened)."""
    replace_table(con, PROVINCES_TABLE, pd.DataFrame([dataclasses.asdict(p) for p in ALL_LOCALITIES]))
    replace_table(con, DISTRICTS_TABLE, districts)
