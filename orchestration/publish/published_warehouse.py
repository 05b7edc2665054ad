"""The published warehouse, the file readers open: publishing a finished build over it (never
one that loses rows readers have), and read-only queries that reach nothing outside it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb

from ..vocabulary import RAW_SCHEMA
from ..warehouse import connect


class PublishRefused(RuntimeError):
    """Publishing would lose rows readers have: names the lists."""


LIST_ROWS_SQL = f"""
    select attachment_url, series, list_label, coalesce(rows_accepted, 0) + coalesce(rows_quarantined, 0)
    from {RAW_SCHEMA}.lists where duplicate_of is null"""


def rows_lost(build: duckdb.DuckDBPyConnection, published_path: Path) -> list[str]:
    """Lists the published warehouse has that the build would drop or shrink. A list whose
    bytes changed may shrink (a corrected list is its new last good load); one loaded from the
    same bytes may not, and no list may vanish. A list that became a duplicate counts with
    the rows of the list now holding its bytes."""
    if not published_path.exists():
        return []
    old = connect(published_path, read_only=True)
    try:
        before = {r[0]: r for r in old.execute(LIST_ROWS_SQL + " and last_error is null").fetchall()}
        old_sha = dict(old.execute(f"select attachment_url, sha256 from {RAW_SCHEMA}.lists").fetchall())
    except duckdb.CatalogException:
        return []  # an older layout: nothing to compare with
    finally:
        old.close()
    after = {r[0]: r for r in build.execute(LIST_ROWS_SQL).fetchall()}
    new_sha = dict(build.execute(f"select attachment_url, sha256 from {RAW_SCHEMA}.lists").fetchall())
    holder = dict(build.execute(f"""
        select d.attachment_url, h.attachment_url from {RAW_SCHEMA}.lists d
        left join {RAW_SCHEMA}.lists h on h.partition_key = d.duplicate_of
        where d.duplicate_of is not null""").fetchall())
    lost = []
    for url, (_, series, label, rows) in before.items():
        now = after.get(holder[url]) if url in holder else after.get(url)
        if now is None:
            lost.append(f"{series} {label} <{url}>: published with {rows} rows, missing from this build")
        elif now[3] < rows and new_sha.get(url) == old_sha.get(url):
            lost.append(f"{series} {label} <{url}>: {rows} rows published, {now[3]} in this build")
    return lost


def publish(build_path: Path, published_path: Path) -> int:
    """Copy the finished build file over the published one, atomically: a reader with the
    old file open keeps reading it, the next reader opens the new one. Refuses (and publishes
    nothing) when the build would lose rows readers have. Returns bytes."""
    con = connect(build_path)
    try:
        lost = rows_lost(con, published_path)
        if lost:
            raise PublishRefused("not published: the build has fewer rows than the published warehouse "
                                 "for " + "; ".join(lost))
        con.execute("CHECKPOINT")  # everything in the file itself, nothing left in the WAL
    finally:
        con.close()
    tmp = published_path.with_name(f".{published_path.name}.publishing")
    shutil.copyfile(build_path, tmp)
    os.replace(tmp, published_path)
    return published_path.stat().st_size


class QueryError(ValueError):
    """A query that cannot run: the message is DuckDB's, whole (its hints included)."""


_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def query(path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` on a read-only connection with no access outside the warehouse (no file
    reads or writes, no extensions, no ATTACH) and the configuration locked."""
    if not _COMMENT.sub("", sql).strip(" \t\n;"):
        raise QueryError("nothing to run: the query is empty or only comments")
    con = connect(path, read_only=True)
    try:
        for setting in ("autoinstall_known_extensions = false", "autoload_known_extensions = false",
                        "enable_external_access = false", "lock_configuration = true"):
            con.execute(f"SET {setting}")
        try:
            cursor = con.execute(sql)
        except duckdb.Error as exc:
            raise QueryError(" ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip())) from exc
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall() if cursor.description else []
    finally:
        con.close()
