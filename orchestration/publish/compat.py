"""A copy of the warehouse that DuckDB 1.4 and 1.5 clients can open.

The warehouse is written by DuckDB 2.0, whose storage format 1.x cannot read, and many BI
drivers bundle 1.x. DuckDB 2.0 can still write the older format into a newly attached file.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

SOURCE_ALIAS = "src"
COPY_ALIAS = "compat"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str | os.PathLike[str]) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def v1_temp_path(target: Path) -> Path:
    """Where the copy is written before it is renamed over ``target`` (same folder, so the
    rename is atomic)."""
    return target.with_name(f".{target.name}.v1-writing")


def write_v1_copy(source: Path, target: Path, storage_version: str = "v1.4.0",
                  memory_limit: str | None = None) -> dict[str, int]:
    """Copy every schema, table, view, macro and sequence of ``source`` into ``target`` in
    ``storage_version`` format, with table, view and column comments. The copy is written
    beside ``target`` and renamed over it only when complete; on any error ``target`` is left
    as it was. Returns ``{"schema.table": rows}`` for every table of the copy.

    ``source`` must not be open read-write by another process (DuckDB's file lock).
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise FileNotFoundError(f"no DuckDB file at {source}")
    temp = v1_temp_path(target)
    _remove_with_wal(temp)  # left by a run that crashed
    # In memory: a read-only connection to the source can't attach a writable copy.
    con = duckdb.connect(config={"memory_limit": memory_limit} if memory_limit else {})
    try:
        con.execute(f"ATTACH {quote_literal(source)} AS {SOURCE_ALIAS} (READ_ONLY)")
        con.execute(f"ATTACH {quote_literal(temp)} AS {COPY_ALIAS} "
                    f"(STORAGE_VERSION {quote_literal(storage_version)})")
        con.execute(f"COPY FROM DATABASE {SOURCE_ALIAS} TO {COPY_ALIAS}")
        # DuckDB 2.0 copies comments; older or future versions might not, and BI users
        # read the descriptions from them.
        for statement in missing_comment_statements(con, SOURCE_ALIAS, COPY_ALIAS):
            con.execute(statement)
        copied, expected = table_row_counts(con, COPY_ALIAS), table_row_counts(con, SOURCE_ALIAS)
        if copied != expected:
            raise RuntimeError(f"v1 copy of {source} differs from it in row counts: "
                               f"{copied} != {expected}")
        con.execute(f"DETACH {COPY_ALIAS}")  # checkpoints: the file is whole, no WAL beside it
    except BaseException:
        con.close()
        _remove_with_wal(temp)
        raise
    con.close()
    os.replace(temp, target)
    return copied


def table_row_counts(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    """``{"schema.table": rows}`` for every table of an attached database."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
        "ORDER BY schema_name, table_name", [database]).fetchall()
    counts = {}
    for schema, table in tables:
        relation = ".".join(quote_identifier(part) for part in (database, schema, table))
        counts[f"{schema}.{table}"] = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    return counts


def missing_comment_statements(con: duckdb.DuckDBPyConnection, source: str, copy: str) -> list[str]:
    """COMMENT ON statements that give ``copy`` every table, view and column comment that
    ``source`` has and ``copy`` lacks (or has differently). Empty when they agree."""
    relation_comments = """
        SELECT database_name, 'TABLE' AS kind, schema_name, table_name, NULL AS column_name, comment
        FROM duckdb_tables() WHERE database_name IN (?, ?)
        UNION ALL
        SELECT database_name, 'VIEW', schema_name, view_name, NULL, comment
        FROM duckdb_views() WHERE database_name IN (?, ?) AND NOT internal
        UNION ALL
        SELECT database_name, 'COLUMN', schema_name, table_name, column_name, comment
        FROM duckdb_columns() WHERE database_name IN (?, ?)
    """
    rows = con.execute(relation_comments, [source, copy] * 3).fetchall()
    by_database: dict[str, dict[tuple, str | None]] = {source: {}, copy: {}}
    for database, kind, schema, name, column, comment in rows:
        by_database[database][(kind, schema, name, column)] = comment
    statements = []
    for (kind, schema, name, column), comment in sorted(by_database[source].items(), key=str):
        if comment is None or (kind, schema, name, column) not in by_database[copy]:
            continue  # nothing to carry over, or an object the copy doesn't have at all
        if by_database[copy][(kind, schema, name, column)] == comment:
            continue
        parts = [copy, schema, name] + ([column] if column is not None else [])
        target = ".".join(quote_identifier(part) for part in parts)
        statements.append(f"COMMENT ON {kind} {target} IS {quote_literal(comment)}")
    return statements


def _remove_with_wal(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
