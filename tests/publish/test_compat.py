"""The v1 copy: DuckDB 1.4 and 1.5 clients read what DuckDB 2.0 reads in the warehouse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import duckdb
import pytest

from orchestration.publish.compat import missing_comment_statements, v1_temp_path, write_v1_copy


def test_duckdb_1x_clients_read_the_copy_as_duckdb_2_reads_the_warehouse(
        warehouse: Path, v1_copy: tuple[Path, dict[str, int]], duckdb_1x_python: Path,
        read_probe: Callable[[Path | str, Path], dict], mart_tables: list[str]) -> None:
    copy, _ = v1_copy
    expected = read_probe(sys.executable, warehouse)
    seen = read_probe(duckdb_1x_python, copy)

    assert expected["duckdb"].startswith("2.") and seen["duckdb"].startswith(("1.4.", "1.5."))
    # Rows, checksums and comments of every table, every column's type and comment, and
    # every view (dbt's staging and intermediate models) with its rows.
    assert seen["tables"] == expected["tables"]
    assert seen["columns"] == expected["columns"]
    assert seen["views"] == expected["views"]
    # …and that is not vacuous: the marts are there with their rows and Chinese comments.
    assert {f"marts.{table}" for table in mart_tables} <= set(seen["tables"])
    assert seen["tables"]["marts.fct_registrations"]["rows"] == 4
    assert seen["tables"]["marts.fct_registrations"]["comment"].startswith("One row per gen-AI registration: 备案")
    assert seen["columns"]["marts.fct_registrations.serial"][1].startswith("序号")
    assert seen["views"]["staging.stg_genai_registrations"]["rows"] == 2
    assert seen["views"]["marts.national_filings"]["rows"] == 3


def test_duckdb_1x_clients_cannot_open_the_warehouse_itself(
        warehouse: Path, duckdb_1x_python: Path,
        run_probe: Callable[[Path | str, Path], subprocess.CompletedProcess[str]]) -> None:
    """Why the copy exists, and proof that the comparison above can fail."""
    result = run_probe(duckdb_1x_python, warehouse)
    assert result.returncode != 0
    assert "Trying to read a database file with version number" in result.stderr


def test_the_checksums_are_the_same_in_duckdb_2_on_both_files(
        warehouse: Path, v1_copy: tuple[Path, dict[str, int]],
        read_probe: Callable[[Path | str, Path], dict]) -> None:
    """The checksum expression depends on the data, not on the storage format."""
    copy, _ = v1_copy
    assert read_probe(sys.executable, copy)["tables"] == read_probe(sys.executable, warehouse)["tables"]


def test_the_copy_is_in_the_storage_format_asked_for(v1_copy: tuple[Path, dict[str, int]]) -> None:
    copy, _ = v1_copy
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{copy}' AS copy (READ_ONLY)")
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'copy'").fetchone()[0]
    finally:
        con.close()
    assert tags["storage_version"].startswith("v1.4.0")


def test_the_copy_reports_the_rows_of_every_table(
        warehouse: Path, v1_copy: tuple[Path, dict[str, int]],
        read_probe: Callable[[Path | str, Path], dict]) -> None:
    copy, counts = v1_copy
    tables = read_probe(sys.executable, warehouse)["tables"]
    assert counts == {name: table["rows"] for name, table in tables.items()}
    assert counts["marts.fct_reconciliation_findings"] == 0
    assert not v1_temp_path(copy).exists()
    assert not copy.with_name(copy.name + ".wal").exists()


def test_a_stale_temp_file_is_replaced(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "warehouse_v1.duckdb"
    v1_temp_path(target).write_bytes(b"left by a crashed run")
    v1_temp_path(target).with_name(v1_temp_path(target).name + ".wal").write_bytes(b"and its WAL")

    counts = write_v1_copy(warehouse, target)

    assert counts["marts.fct_registrations"] == 4
    assert sorted(path.name for path in tmp_path.iterdir()) == ["warehouse_v1.duckdb"]


def test_a_failed_copy_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "warehouse_v1.duckdb"
    target.write_bytes(b"the last good copy")
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("not a database", encoding="utf-8")

    with pytest.raises(duckdb.Error):
        write_v1_copy(not_duckdb, target)
    with pytest.raises(FileNotFoundError):
        write_v1_copy(tmp_path / "missing.duckdb", target)

    assert target.read_bytes() == b"the last good copy"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.duckdb", "warehouse_v1.duckdb"]


def test_comments_a_copy_lacks_are_written_back() -> None:
    """The fallback for a DuckDB whose COPY FROM DATABASE drops comments: CREATE TABLE AS
    copies no comments, so this copy lacks all of them until the statements run."""
    con = duckdb.connect()
    try:
        con.execute("""
            ATTACH ':memory:' AS src; ATTACH ':memory:' AS copy;
            CREATE SCHEMA src.marts; CREATE SCHEMA copy.marts;
            CREATE TABLE src.marts.dim_province (province_code VARCHAR, province VARCHAR);
            COMMENT ON TABLE src.marts.dim_province IS '省份 (it''s quoted)';
            COMMENT ON COLUMN src.marts.dim_province.province IS '省份 in Chinese.';
            CREATE VIEW src.marts.v AS SELECT 1 AS one;
            COMMENT ON VIEW src.marts.v IS 'a view';
            CREATE TABLE copy.marts.dim_province AS SELECT * FROM src.marts.dim_province;
            CREATE VIEW copy.marts.v AS SELECT 1 AS one;
        """)
        statements = missing_comment_statements(con, "src", "copy")
        assert len(statements) == 3
        for statement in statements:
            con.execute(statement)
        assert missing_comment_statements(con, "src", "copy") == []
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = 'copy'").fetchone()[0] \
            == "省份 (it's quoted)"
        assert con.execute("SELECT comment FROM duckdb_columns() WHERE database_name = 'copy' "
                           "AND column_name = 'province'").fetchone()[0] == "省份 in Chinese."
    finally:
        con.close()
