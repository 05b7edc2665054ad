"""DuckDB: the raw schema, atomic per-list loads, and read-only access.

One writer at a time (the Dagster run, in process); every reader opens read-only.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from .recovery import WriterBusy, writer_lock  # noqa: F401 (the writer's lock lives with the waits)
from .vocabulary import (
    DISTRICTS_TABLE, LISTS_TABLE, PROVINCES_TABLE, QUARANTINE_TABLE, RAW_SCHEMA, SKIPPED_ROWS_TABLE,
    STATISTICS_TABLE,
)

_PROVENANCE = """
    attachment_url VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    notice_url VARCHAR,
    table_index INTEGER NOT NULL,
    row_index INTEGER NOT NULL,
    page INTEGER,
"""

# The two algorithm-filing lists differ in one column: 角色 (role) or 算法类别 (category).
_ALGORITHM_FILING = """
        serial_raw VARCHAR,
        algorithm_name VARCHAR NOT NULL,
        {kind_column} VARCHAR,
        entity VARCHAR NOT NULL,
        product VARCHAR,
        purpose VARCHAR,
        filing_number_raw VARCHAR NOT NULL,
        filing_number VARCHAR NOT NULL,
        remark VARCHAR,
        region_code VARCHAR NOT NULL,
        entity_id VARCHAR NOT NULL,
        algorithm_type VARCHAR NOT NULL,
        filing_year INTEGER NOT NULL,
        extra_columns JSON,
        PRIMARY KEY (attachment_url, table_index, row_index)
"""

DDL = {
    "manifest": """
        url VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        bytes BIGINT NOT NULL,
        file_type VARCHAR NOT NULL,
        http_status INTEGER NOT NULL,
        first_fetched_at TIMESTAMPTZ NOT NULL,
        last_fetched_at TIMESTAMPTZ NOT NULL,
        fetched_from VARCHAR,
        PRIMARY KEY (url, sha256)
    """,
    "notices": """
        notice_url VARCHAR PRIMARY KEY,
        title VARCHAR,
        published_on DATE,
        series VARCHAR,
        batch_no INTEGER,
        page_sha256 VARCHAR,
        attachment_count INTEGER,
        body_text VARCHAR
    """,
    LISTS_TABLE: """
        attachment_url VARCHAR PRIMARY KEY,
        partition_key VARCHAR,
        notice_url VARCHAR,
        series VARCHAR,
        batch_no INTEGER,
        list_label VARCHAR,
        published_on DATE,
        link_text VARCHAR,
        sha256 VARCHAR,
        file_type VARCHAR,
        parser_version VARCHAR,
        rows_extracted INTEGER,
        rows_accepted INTEGER,
        rows_quarantined INTEGER,
        loaded_at TIMESTAMPTZ,
        last_error VARCHAR,
        duplicate_of VARCHAR
    """,
    "deep_synthesis_filings": _PROVENANCE + _ALGORITHM_FILING.format(kind_column="role"),
    "algorithm_recommendation_filings": _PROVENANCE + _ALGORITHM_FILING.format(
        kind_column="algorithm_category"),
    "genai_registrations": _PROVENANCE + """
        tier VARCHAR NOT NULL,
        tier_rule VARCHAR NOT NULL,
        service_kind VARCHAR NOT NULL,
        serial_raw VARCHAR,
        serial INTEGER,
        locality VARCHAR,
        locality_province_code VARCHAR,
        service_name VARCHAR NOT NULL,
        filer VARCHAR NOT NULL,
        registration_number VARCHAR,
        number_prefix VARCHAR,
        number_province_code VARCHAR,
        number_pinyin_name VARCHAR,
        number_date DATE,
        number_sequence VARCHAR,
        number_is_valid BOOLEAN NOT NULL,
        registered_on_raw VARCHAR,
        registered_on DATE,
        registered_on_note VARCHAR,
        is_supplementary BOOLEAN NOT NULL,
        scenario VARCHAR,
        quality_flags VARCHAR,
        extra_columns JSON,
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
    "cancellations": _PROVENANCE + """
        serial_raw VARCHAR,
        algorithm_name VARCHAR NOT NULL,
        role_raw VARCHAR,
        role VARCHAR,
        role_note VARCHAR,
        algorithm_category VARCHAR,
        entity VARCHAR NOT NULL,
        product VARCHAR,
        purpose VARCHAR,
        filing_number_raw VARCHAR,
        filing_number VARCHAR NOT NULL,
        region_code VARCHAR,
        entity_id VARCHAR,
        algorithm_type VARCHAR,
        filing_year INTEGER,
        filed_series VARCHAR,
        cancelled_raw VARCHAR,
        cancelled_month DATE NOT NULL,
        extra_columns JSON,
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
    DISTRICTS_TABLE: """
        district_code VARCHAR PRIMARY KEY,
        province_code VARCHAR NOT NULL,
        province VARCHAR,
        prefecture_code VARCHAR,
        prefecture VARCHAR,
        district VARCHAR,
        level VARCHAR NOT NULL,
        dataset VARCHAR NOT NULL,
        dataset_version VARCHAR NOT NULL
    """,
    SKIPPED_ROWS_TABLE: _PROVENANCE + """
        reason VARCHAR NOT NULL,
        cells JSON,
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
    STATISTICS_TABLE: """
        notice_url VARCHAR PRIMARY KEY,
        notice_title VARCHAR,
        published_on DATE,
        page_sha256 VARCHAR,
        as_of DATE NOT NULL,
        period_label VARCHAR,
        national_cumulative INTEGER,
        local_cumulative INTEGER,
        national_new INTEGER,
        local_new INTEGER
    """,
    PROVINCES_TABLE: """
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        short_name VARCHAR NOT NULL,
        pinyin VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL
    """,
    QUARANTINE_TABLE: _PROVENANCE + """
        series VARCHAR NOT NULL,
        failed_checks VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        record JSON NOT NULL,
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
}


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# Raw tables are derived from the landed bytes, so a change of their layout simply
# rebuilds them (the manifest, the record of fetches, is kept).
DDL_VERSION = hashlib.sha256(json.dumps(DDL, sort_keys=True).encode()).hexdigest()[:12]


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the raw tables; True when they were (re)built empty, so every list must be
    loaded again from the landed bytes."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.ddl_version (version VARCHAR)")
    current = con.execute(f"select version from {RAW_SCHEMA}.ddl_version").fetchone()
    rebuilt = current is None or current[0] != DDL_VERSION
    with transaction(con):
        if rebuilt:
            for table in DDL:
                if table != "manifest":
                    con.execute(f"DROP TABLE IF EXISTS {RAW_SCHEMA}.{table}")
            con.execute(f"delete from {RAW_SCHEMA}.ddl_version")
            con.execute(f"insert into {RAW_SCHEMA}.ddl_version values (?)", [DDL_VERSION])
        for table, columns in DDL.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{table} ({columns})")
    return rebuilt


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    # The frame is read by DuckDB's replacement scan of this local name: no register and
    # unregister, whose clean-up would fail inside an aborted transaction and mask the error.
    if frame.empty:
        return
    incoming = frame  # noqa: F841 (read by name in the SQL below)
    con.execute(f"INSERT INTO {RAW_SCHEMA}.{table} BY NAME SELECT * FROM incoming")


def record_manifest(con: duckdb.DuckDBPyConnection, landed: list[dict]) -> int:
    """Upsert fetches into raw.manifest; returns how many (url, sha256) pairs were new."""
    if not landed:
        return 0
    landed_rows = pd.DataFrame(landed)  # noqa: F841 (read by name in the SQL below)
    with transaction(con):
        new = con.execute(f"""
            select count(*) from landed_rows l
            anti join {RAW_SCHEMA}.manifest m using (url, sha256)""").fetchone()[0]
        con.execute(f"""
            insert into {RAW_SCHEMA}.manifest by name
            select url, sha256, bytes, file_type, http_status,
                   fetched_at as first_fetched_at, fetched_at as last_fetched_at, fetched_from
            from landed_rows
            on conflict (url, sha256) do update set
                last_fetched_at = excluded.last_fetched_at,
                http_status = excluded.http_status""")
    return int(new)


def replace_notices(con: duckdb.DuckDBPyConnection, notices: list[dict]) -> None:
    if not notices:
        return
    notice_rows = pd.DataFrame(notices)  # noqa: F841 (read by name in the SQL below)
    with transaction(con):
        con.execute(f"""
            insert into {RAW_SCHEMA}.notices by name select * from notice_rows
            on conflict (notice_url) do update set
                title = excluded.title, published_on = excluded.published_on,
                series = excluded.series, batch_no = excluded.batch_no,
                page_sha256 = excluded.page_sha256,
                attachment_count = excluded.attachment_count,
                body_text = excluded.body_text""")


@dataclass(frozen=True)
class ListLoad:
    attachment_url: str
    outcome: str  # "loaded", "unchanged" or "failed"
    rows_accepted: int
    rows_quarantined: int
    error: str | None = None


def loaded_lists(con: duckdb.DuckDBPyConnection, parser_version: str) -> set[tuple[str, str]]:
    """(attachment URL, sha256) of every list loaded whole by this parser version: loading
    those bytes again would change nothing."""
    return set(con.execute(f"""
        select attachment_url, sha256 from {RAW_SCHEMA}.lists
        where parser_version = ? and last_error is null and duplicate_of is null""",
        [parser_version]).fetchall())


@dataclass(frozen=True)
class StagedList:
    """A list ready to load: its raw table, its raw.lists row and its staged Parquet parts."""
    table: str
    list_row: dict
    parts: dict[str, Path | None]  # accepted, quarantined, skipped
    counts: dict[str, int]  # accepted, quarantined

    @property
    def url(self) -> str:
        return self.list_row["attachment_url"]


_PART_TARGETS = (("accepted", None), ("quarantined", QUARANTINE_TABLE), ("skipped", SKIPPED_ROWS_TABLE))


def load_lists(con: duckdb.DuckDBPyConnection, lists: list[StagedList]) -> list[ListLoad]:
    """Replace the rows, quarantine, non-data rows and lists rows of ``lists`` in one
    transaction, one INSERT a table (a run of a thousand lists commits a few times, not a
    thousand). When the batch fails, each list is loaded alone: the failure names its list,
    rolls back to that list's previous load, is recorded on it, and the others load."""
    try:
        with transaction(con):
            _write_lists(con, lists)
    except duckdb.Error as exc:
        if len(lists) > 1:
            return [load for staged in lists for load in load_lists(con, [staged])]
        message = f"load failed: {str(exc).strip().splitlines()[0]}"
        record_list_error(con, lists[0].list_row, message)
        return [ListLoad(lists[0].url, "failed", 0, 0, message)]
    return [ListLoad(s.url, "loaded", s.counts["accepted"], s.counts["quarantined"]) for s in lists]


def load_list(con: duckdb.DuckDBPyConnection, table: str, list_row: dict,
              parts: dict[str, Path | None], counts: dict[str, int]) -> ListLoad:
    """One list: see load_lists. Re-loading a list replaces it."""
    return load_lists(con, [StagedList(table, list_row, parts, counts)])[0]


def _write_lists(con: duckdb.DuckDBPyConnection, lists: list[StagedList]) -> None:
    _delete_list_rows(con, {s.table for s in lists}, [s.url for s in lists])
    files: dict[str, list[str]] = {}
    for staged in lists:
        for part, target in _PART_TARGETS:
            if staged.parts.get(part) is not None:
                files.setdefault(target or staged.table, []).append(str(staged.parts[part]))
    for target, paths in files.items():
        con.execute(f"INSERT INTO {RAW_SCHEMA}.{target} BY NAME "
                    f"SELECT * FROM read_parquet(?, union_by_name = true)", [paths])
    now = pd.Timestamp.now(tz="UTC")
    _insert_frame(con, LISTS_TABLE, pd.DataFrame([{
        **staged.list_row, "rows_accepted": staged.counts["accepted"],
        "rows_quarantined": staged.counts["quarantined"], "loaded_at": now, "last_error": None,
        "duplicate_of": None} for staged in lists]))


def _delete_list_rows(con: duckdb.DuckDBPyConnection, tables: set[str], urls: list[str]) -> None:
    # a list's rows are written with its lists row, in one transaction: without that row there
    # is nothing to delete, and a first load skips four scans of growing tables
    known = [url for (url,) in con.execute(
        f"select attachment_url from {RAW_SCHEMA}.lists where attachment_url in (select unnest(?))", [urls]).fetchall()]
    if not known:
        return
    for name in (*sorted(tables), QUARANTINE_TABLE, SKIPPED_ROWS_TABLE, LISTS_TABLE):
        con.execute(f"delete from {RAW_SCHEMA}.{name} where attachment_url in (select unnest(?))", [known])


def unload_duplicate(con: duckdb.DuckDBPyConnection, table: str, list_row: dict, duplicate_of: str) -> ListLoad:
    """A list whose bytes another list carries: its rows go (they are the other list's), and
    its lists row says which list holds them. Identical bytes are one list."""
    url = list_row["attachment_url"]
    with transaction(con):
        _delete_list_rows(con, {table}, [url])
        _insert_frame(con, LISTS_TABLE, pd.DataFrame([{**list_row, "rows_extracted": 0, "rows_accepted": 0,
                                                   "rows_quarantined": 0, "duplicate_of": duplicate_of,
                                                   "loaded_at": pd.Timestamp.now(tz="UTC")}]))
    return ListLoad(url, "duplicate", 0, 0)


def record_list_error(con: duckdb.DuckDBPyConnection, list_row: dict, error: str) -> None:
    """Mark a list as failed without touching rows loaded from an earlier version."""
    url = list_row["attachment_url"]
    exists = con.execute(f"select 1 from {RAW_SCHEMA}.lists where attachment_url = ?", [url]).fetchone()
    with transaction(con):
        if exists:
            con.execute(f"update {RAW_SCHEMA}.lists set last_error = ? where attachment_url = ?",
                        [error, url])
        else:
            _insert_frame(con, LISTS_TABLE, pd.DataFrame([{**list_row, "last_error": error}]))


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace a small reference table whole, in one transaction."""
    with transaction(con):
        con.execute(f"delete from {RAW_SCHEMA}.{table}")
        _insert_frame(con, table, frame)


def to_json_records(frame: pd.DataFrame) -> list[str]:
    return [json.dumps(rec, ensure_ascii=False, default=str) for rec in frame.to_dict("records")]
