"""DuckDB: the raw schema, atomic per-list loads, and read-only access.

One writer at a time (the Dagster run, in process); every reader opens read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

RAW_SCHEMA = "raw"

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
    "lists": """
        attachment_url VARCHAR PRIMARY KEY,
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
        last_error VARCHAR
    """,
    "deep_synthesis_filings": _PROVENANCE + _ALGORITHM_FILING.format(kind_column="role"),
    "algorithm_recommendation_filings": _PROVENANCE + _ALGORITHM_FILING.format(
        kind_column="algorithm_category"),
    "genai_registrations": _PROVENANCE + """
        tier VARCHAR NOT NULL,
        tier_rule VARCHAR NOT NULL,
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
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
    "skipped_rows": _PROVENANCE + """
        reason VARCHAR NOT NULL,
        cells JSON,
        PRIMARY KEY (attachment_url, table_index, row_index)
    """,
    "genai_statistics": """
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
    "provinces": """
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        short_name VARCHAR NOT NULL,
        pinyin VARCHAR NOT NULL,
        name_en VARCHAR NOT NULL
    """,
    "quarantine": _PROVENANCE + """
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


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.ddl_version (version VARCHAR)")
    current = con.execute(f"select version from {RAW_SCHEMA}.ddl_version").fetchone()
    with transaction(con):
        if current is None or current[0] != DDL_VERSION:
            for table in DDL:
                if table != "manifest":
                    con.execute(f"DROP TABLE IF EXISTS {RAW_SCHEMA}.{table}")
            con.execute(f"delete from {RAW_SCHEMA}.ddl_version")
            con.execute(f"insert into {RAW_SCHEMA}.ddl_version values (?)", [DDL_VERSION])
        for table, columns in DDL.items():
            con.execute(f"CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{table} ({columns})")


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


def already_loaded(con: duckdb.DuckDBPyConnection, attachment_url: str, sha256: str,
                   parser_version: str) -> bool:
    row = con.execute(f"""
        select 1 from {RAW_SCHEMA}.lists
        where attachment_url = ? and sha256 = ? and parser_version = ? and last_error is null""",
        [attachment_url, sha256, parser_version]).fetchone()
    return row is not None


def load_list(con: duckdb.DuckDBPyConnection, table: str, list_row: dict,
              accepted: pd.DataFrame, quarantined: pd.DataFrame,
              skipped: pd.DataFrame | None = None) -> ListLoad:
    """Replace one list's rows, its quarantine and its lists row in one transaction.

    Re-loading a list replaces it; a failure rolls back, leaving the previous load
    whole, and records the error on the list.
    """
    url = list_row["attachment_url"]
    try:
        with transaction(con):
            con.execute(f"delete from {RAW_SCHEMA}.{table} where attachment_url = ?", [url])
            con.execute(f"delete from {RAW_SCHEMA}.quarantine where attachment_url = ?", [url])
            con.execute(f"delete from {RAW_SCHEMA}.skipped_rows where attachment_url = ?", [url])
            _insert_frame(con, table, accepted)
            _insert_frame(con, "quarantine", quarantined)
            if skipped is not None:
                _insert_frame(con, "skipped_rows", skipped)
            con.execute(f"delete from {RAW_SCHEMA}.lists where attachment_url = ?", [url])
            _insert_frame(con, "lists", pd.DataFrame([{
                **list_row,
                "rows_accepted": len(accepted),
                "rows_quarantined": len(quarantined),
                "loaded_at": pd.Timestamp.now(tz="UTC"),
                "last_error": None,
            }]))
    except duckdb.Error as exc:
        record_list_error(con, list_row, f"load failed: {exc}")
        return ListLoad(url, "failed", 0, 0, str(exc))
    return ListLoad(url, "loaded", len(accepted), len(quarantined))


def record_list_error(con: duckdb.DuckDBPyConnection, list_row: dict, error: str) -> None:
    """Mark a list as failed without touching rows loaded from an earlier version."""
    url = list_row["attachment_url"]
    exists = con.execute(f"select 1 from {RAW_SCHEMA}.lists where attachment_url = ?", [url]).fetchone()
    with transaction(con):
        if exists:
            con.execute(f"update {RAW_SCHEMA}.lists set last_error = ? where attachment_url = ?",
                        [error, url])
        else:
            _insert_frame(con, "lists", pd.DataFrame([{**list_row, "last_error": error}]))


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace a small reference table whole, in one transaction."""
    with transaction(con):
        con.execute(f"delete from {RAW_SCHEMA}.{table}")
        _insert_frame(con, table, frame)


def to_json_records(frame: pd.DataFrame) -> list[str]:
    return [json.dumps(rec, ensure_ascii=False, default=str) for rec in frame.to_dict("records")]


def publish(build_path: Path, published_path: Path) -> int:
    """Copy the finished build file over the published one, atomically: a reader with the
    old file open keeps reading it, the next reader opens the new one. Returns bytes."""
    con = connect(build_path)
    try:
        con.execute("CHECKPOINT")  # everything in the file itself, nothing left in the WAL
    finally:
        con.close()
    tmp = published_path.with_name(f".{published_path.name}.publishing")
    shutil.copyfile(build_path, tmp)
    os.replace(tmp, published_path)
    return published_path.stat().st_size


def query(path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` on a read-only connection: safe beside a running UI."""
    con = connect(path, read_only=True)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()
    finally:
        con.close()
