"""Parquet and CSV exports of the marts, their descriptions, the data package, the swap."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from frictionless import validate

from orchestration.publish.exports import ExportManifest, export_marts
from orchestration.publish import exports
from orchestration.publish.exports import DATAPACKAGE, UTF8_BOM, frictionless_field


@pytest.fixture(scope="module")
def exported(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    return export_marts(warehouse, tmp_path_factory.mktemp("published") / "exports")


def comments(warehouse: Path, table: str) -> tuple[str, dict[str, str | None]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        table_comment = con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = 'marts' "
                                    "AND table_name = ?", [table]).fetchone()[0]
        columns = dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE "
                                   "schema_name = 'marts' AND table_name = ? ORDER BY column_index",
                                   [table]).fetchall())
    finally:
        con.close()
    return table_comment, columns


def table_as_arrow(warehouse: Path, table: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(f"SELECT * FROM marts.{table}").to_arrow_table()
    finally:
        con.close()


def test_every_mart_is_exported_as_parquet_and_csv(exported: ExportManifest, mart_tables: list[str]) -> None:
    names = sorted(path.name for path in exported.out_dir.iterdir())
    assert names == sorted([DATAPACKAGE] + [f"{table}.{ext}" for table in mart_tables
                                            for ext in ("csv", "parquet")])
    assert exported.rows_by_table() == {"dim_province": 4, "fct_registrations": 4,
                                        "fct_reconciliation_findings": 0}
    for file in exported.files:
        data = (exported.out_dir / file.path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (file.bytes, file.sha256)


@pytest.mark.parametrize("table", ["fct_registrations", "dim_province", "fct_reconciliation_findings"])
def test_parquet_holds_the_table_and_its_descriptions(exported: ExportManifest, warehouse: Path,
                                                      table: str) -> None:
    table_comment, column_comments = comments(warehouse, table)
    parquet = pq.read_table(exported.out_dir / f"{table}.parquet")

    assert parquet.equals(table_as_arrow(warehouse, table), check_metadata=False)
    for field in parquet.schema:
        described = column_comments[field.name]
        assert (field.metadata or {}).get(b"description") == (described.encode() if described else None)
    assert parquet.schema.metadata[b"description"].decode() == table_comment
    assert parquet.schema.metadata[b"table"] == f"marts.{table}".encode()
    assert json.loads(parquet.schema.metadata[b"column_descriptions"]) == \
        {name: text for name, text in column_comments.items() if text}
    assert pq.ParquetFile(exported.out_dir / f"{table}.parquet").metadata.row_group(0).column(0).compression == "ZSTD"


def test_parquet_descriptions_are_visible_to_readers_without_arrow(exported: ExportManifest) -> None:
    """DuckDB (and any Parquet reader) lists the file's key-value metadata."""
    path = exported.out_dir / "fct_registrations.parquet"
    kv = dict(duckdb.sql(f"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{path}')").fetchall())
    assert kv["description"].startswith("One row per gen-AI registration: 备案")
    assert json.loads(kv["column_descriptions"])["serial"].startswith("序号")


def test_csv_has_a_bom_and_round_trips_chinese_text(exported: ExportManifest, warehouse: Path) -> None:
    path = exported.out_dir / "fct_registrations.csv"
    assert path.read_bytes().startswith(UTF8_BOM + b'"registration_id"')

    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    expected = table_as_arrow(warehouse, "fct_registrations").to_pandas()
    assert list(frame.columns) == list(expected.columns)
    for column in ("tier", "service_name", "filer", "registration_number", "province", "remark"):
        assert frame[column].tolist() == expected[column].fillna("").tolist()
    assert frame.loc[2, "service_name"] == 'AI上海, "小申"'
    assert frame.loc[2, "remark"] == "2023年8月更新应用产品\n第二行：“引号”, 逗号"


def test_csv_writes_iso_dates_and_plain_values(exported: ExportManifest) -> None:
    with (exported.out_dir / "fct_registrations.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["registered_on"] for row in rows] == ["2023-08-31", "2023-08-31", "", "2023-09-01"]
    assert [row["loaded_at"] for row in rows] == ["2026-11-30T13:56:30Z", "2026-11-30T13:56:30Z",
                                                  "2026-11-30T13:56:30.25Z", "2026-11-30T13:56:30Z"]
    assert [row["serial"] for row in rows] == ["1", "2", "", "263"]
    assert [row["is_supplementary"] for row in rows] == ["false", "false", "true", "true"]
    text = (exported.out_dir / "fct_registrations.csv").read_text(encoding="utf-8-sig")
    # NULL is an empty field; an empty string is quoted.
    assert ',"Beijing-WenXinYiYan-20230821","北京市",2023-08-31,false,,"2026-11-30T13:56:30Z"' in text
    assert ',"Beijing-ChatGLM-20230821","北京市",2023-08-31,false,"","2026-11-30T13:56:30Z"' in text
    with (exported.out_dir / "dim_province.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row["share_of_filings"] for row in csv.DictReader(handle)] == ["0.50", "31.25", "20.00", ""]


def test_the_data_package_validates_with_frictionless(exported: ExportManifest) -> None:
    report = validate(str(exported.out_dir / DATAPACKAGE))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    # Every resource was checked: 3 tables x 2 formats.
    assert report.stats["tasks"] == 6


def test_the_data_package_describes_every_file(exported: ExportManifest, warehouse: Path) -> None:
    package = json.loads((exported.out_dir / DATAPACKAGE).read_text(encoding="utf-8"))
    assert package["name"] == "beian-marts" and package["created"] == exported.created_at
    assert "licenses" not in package
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert sorted(resources) == sorted(f"{file.table}-{file.format}" for file in exported.files)
    for file in exported.files:
        resource = resources[f"{file.table}-{file.format}"]
        assert resource["path"] == file.path
        assert resource["hash"] == f"sha256:{file.sha256}" and resource["bytes"] == file.bytes
        assert resource["rowCount"] == file.rows
    csv_resource = resources["fct_registrations-csv"]
    assert (csv_resource["encoding"], csv_resource["rows"], csv_resource["dialect"]["header"]) == ("utf-8", 4, True)

    table_comment, column_comments = comments(warehouse, "fct_registrations")
    assert csv_resource["description"] == table_comment
    schema = csv_resource["schema"]
    assert schema == resources["fct_registrations-parquet"]["schema"]
    assert schema["primaryKey"] == ["registration_id"]
    fields = {field["name"]: field for field in schema["fields"]}
    assert {name: field["type"] for name, field in fields.items()} == {
        "registration_id": "integer", "tier": "string", "serial": "integer", "service_name": "string",
        "filer": "string", "registration_number": "string", "province": "string",
        "registered_on": "date", "is_supplementary": "boolean", "remark": "string",
        "loaded_at": "datetime"}
    assert {name: field.get("description") for name, field in fields.items()} == column_comments
    assert fields["tier"]["constraints"] == {"required": True}
    assert "constraints" not in fields["serial"]


def test_frictionless_catches_a_changed_file(exported: ExportManifest, tmp_path: Path) -> None:
    """The validation above can fail: a changed byte breaks the declared hash."""
    copy = tmp_path / "exports"
    shutil.copytree(exported.out_dir, copy)
    csv_path = copy / "fct_registrations.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace("通义千问".encode(), "通义千同".encode()))
    parquet_path = copy / "dim_province.parquet"
    parquet_path.write_bytes(parquet_path.read_bytes() + b"\0")

    report = validate(str(copy / DATAPACKAGE))

    assert not report.valid
    errors = {(task.name, error.type) for task in report.tasks for error in task.errors}
    assert ("fct_registrations-csv", "hash-count") in errors
    assert ("dim_province-parquet", "hash-count") in errors
    assert ("dim_province-parquet", "byte-count") in errors


@pytest.mark.parametrize(("duckdb_type", "expected"), [
    ("INTEGER", {"type": "integer"}), ("BIGINT", {"type": "integer"}), ("HUGEINT", {"type": "integer"}),
    ("UBIGINT", {"type": "integer"}), ("DOUBLE", {"type": "number"}), ("DECIMAL(5,2)", {"type": "number"}),
    ("BOOLEAN", {"type": "boolean"}), ("VARCHAR", {"type": "string"}), ("DATE", {"type": "date"}),
    ("TIME", {"type": "time"}), ("TIMESTAMP", {"type": "datetime"}), ("TIMESTAMP_NS", {"type": "datetime"}),
    ("TIMESTAMP WITH TIME ZONE", {"type": "datetime"}), ("UUID", {"type": "string", "format": "uuid"}),
    ("BLOB", {"type": "string", "format": "binary"}), ("VARCHAR[]", {"type": "array"}),
    ("INTEGER[3]", {"type": "array"}), ("STRUCT(a INTEGER)", {"type": "object"}),
    ("MAP(VARCHAR, INTEGER)", {"type": "object"}), ("ENUM('a', 'b')", {"type": "string"}),
    ("INTERVAL", {"type": "string"}), ("GEOMETRY", {"type": "any"}),
])
def test_duckdb_types_map_to_frictionless_types(duckdb_type: str, expected: dict) -> None:
    assert frictionless_field(duckdb_type) == expected


def test_other_types_render_as_frictionless_reads_them(tmp_path: Path) -> None:
    """Types the marts don't have yet, through the same path: the package still validates."""
    con = duckdb.connect()
    try:
        con.execute("""
            CREATE SCHEMA marts;
            CREATE TABLE marts.kinds AS SELECT
                1::HUGEINT AS big, 2.5::DOUBLE AS ratio, TIME '10:30:00' AS at_time,
                TIMESTAMP '2024-01-05 10:00:00' AS naive, 'deadbeef'::BLOB AS bytes,
                [1, 2] AS numbers, {'省': '北京市'} AS place, 'a'::ENUM('a', 'b') AS letter,
                '2f1c7e8a-0b5d-4f9e-8c3a-1d2e3f4a5b6c'::UUID AS id;
        """)
        manifest = export_marts(con, tmp_path / "exports")
        assert con.execute("SELECT count(*) FROM marts.kinds").fetchone()[0] == 1  # still usable
    finally:
        con.close()
    with (manifest.out_dir / "kinds.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row == {"big": "1", "ratio": "2.5", "at_time": "10:30:00", "naive": "2024-01-05T10:00:00",
                   "bytes": "ZGVhZGJlZWY=", "numbers": "[1,2]", "place": '{"省":"北京市"}',
                   "letter": "a", "id": "2f1c7e8a-0b5d-4f9e-8c3a-1d2e3f4a5b6c"}
    report = validate(str(manifest.out_dir / DATAPACKAGE))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


def test_a_new_export_replaces_the_folder_whole(warehouse: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "exports"
    export_marts(warehouse, out_dir)
    (tmp_path / ".exports.staging-deadbeef").mkdir()  # left by a crashed export
    (tmp_path / ".exports.old-deadbeef").mkdir()

    manifest = export_marts(warehouse, out_dir, tables=["dim_province"])

    assert sorted(path.name for path in out_dir.iterdir()) == [DATAPACKAGE, "dim_province.csv",
                                                               "dim_province.parquet"]
    assert [path.name for path in tmp_path.iterdir()] == ["exports"]
    package = json.loads((out_dir / DATAPACKAGE).read_text(encoding="utf-8"))
    assert [resource["name"] for resource in package["resources"]] == ["dim_province-parquet", "dim_province-csv"]
    assert manifest.rows_by_table() == {"dim_province": 4}


def test_a_failed_export_leaves_the_last_one_in_place(warehouse: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out_dir = tmp_path / "exports"
    export_marts(warehouse, out_dir)
    before = {path.name: path.read_bytes() for path in out_dir.iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_csv", fail)
    with pytest.raises(OSError, match="disk full"):
        export_marts(warehouse, out_dir)

    assert {path.name: path.read_bytes() for path in out_dir.iterdir()} == before
    assert [path.name for path in tmp_path.iterdir()] == ["exports"]


def test_an_unknown_table_is_refused(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no table fct_nothing in schema 'marts'"):
        export_marts(warehouse, tmp_path / "exports", tables=["fct_nothing"])
    assert not (tmp_path / "exports").exists()
