"""Parquet and CSV exports of the marts, described by a Frictionless Data Package.

Every file carries the descriptions dbt wrote as DuckDB comments: Parquet in its Arrow field
metadata and file key-value metadata, CSV through ``datapackage.json``. The folder is built
beside ``out_dir`` and swapped in whole, so a reader never sees old and new files mixed.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..vocabulary import MARTS_SCHEMA
from .compat import quote_identifier
from .folders import replaced_folder

DATAPACKAGE = "datapackage.json"
UTF8_BOM = b"\xef\xbb\xbf"
# Rows per Arrow batch read from DuckDB, and per Parquet row group (pyarrow's default
# maximum): memory stays bounded by one row group however large the table.
BATCH_ROWS = 262_144
ROW_GROUP_ROWS = 1_048_576
CAC_SOURCE = {
    "title": "Cyberspace Administration of China (国家互联网信息办公室): published AI filing lists",
    "path": "https://www.cac.gov.cn/",
}
# What a CSV reader needs to know; pyarrow writes exactly this (LF line ends, RFC 4180 quoting).
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True,
               "header": True}

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
                  "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME"}
_TIMESTAMPTZ_TYPES = {"TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"}


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    data_type: str
    nullable: bool
    description: str | None


@dataclass(frozen=True)
class TableDoc:
    schema: str
    name: str
    description: str | None
    columns: tuple[ColumnDoc, ...]
    primary_key: tuple[str, ...]


@dataclass(frozen=True)
class ExportedFile:
    table: str
    format: str  # "parquet" or "csv"
    path: str  # relative to the export folder
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class ExportManifest:
    out_dir: Path
    schema: str
    created_at: str
    files: tuple[ExportedFile, ...]

    def rows_by_table(self) -> dict[str, int]:
        return {file.table: file.rows for file in self.files}


def export_marts(con_or_path: duckdb.DuckDBPyConnection | Path | str, out_dir: Path,
                 schema: str = MARTS_SCHEMA, tables: list[str] | None = None) -> ExportManifest:
    """Write each table of ``schema`` (or only ``tables``) as ``<table>.parquet`` (zstd) and
    ``<table>.csv`` (UTF-8 with BOM), plus ``datapackage.json``, into ``out_dir``, replacing
    whatever was there. A path is opened read-only; a connection is used as it is (DuckDB
    refuses a second connection to the same file in one process with other settings).
    One exporter at a time per ``out_dir``: leftovers of an earlier crashed one are removed.
    """
    out_dir = Path(out_dir)
    with _connection(con_or_path) as con:
        docs = describe_tables(con, schema, tables)
        created_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        with replaced_folder(out_dir) as staging:
            files: list[ExportedFile] = []
            for doc in docs:
                files.append(write_parquet(con, doc, staging / f"{doc.name}.parquet"))
                files.append(write_csv(con, doc, staging / f"{doc.name}.csv"))
            package = data_package(docs, files, schema, created_at)
            (staging / DATAPACKAGE).write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    return ExportManifest(out_dir=out_dir, schema=schema, created_at=created_at, files=tuple(files))


def describe_tables(con: duckdb.DuckDBPyConnection, schema: str,
                    tables: list[str] | None = None) -> list[TableDoc]:
    """Comments, columns, types and primary keys of the tables of ``schema`` in the
    connection's current database (all of them, by name, or those named, in that order)."""
    found = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = ? ORDER BY table_name",
        [schema]).fetchall())
    names = list(found) if tables is None else list(tables)
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"no table {', '.join(missing)} in schema {schema!r} "
                         f"(has: {', '.join(found) or 'none'})")
    columns: dict[str, list[ColumnDoc]] = {}
    for table, column, data_type, nullable, comment in con.execute(
            "SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = ? "
            "ORDER BY table_name, column_index", [schema]).fetchall():
        columns.setdefault(table, []).append(ColumnDoc(column, data_type, nullable, comment))
    keys = dict(con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE database_name = current_database() AND schema_name = ? "
        "AND constraint_type = 'PRIMARY KEY'", [schema]).fetchall())
    return [TableDoc(schema, name, found[name], tuple(columns[name]), tuple(keys.get(name, ())))
            for name in names]


def write_parquet(con: duckdb.DuckDBPyConnection, doc: TableDoc, path: Path) -> ExportedFile:
    """The table as Parquet (zstd), streamed in Arrow batches. Column descriptions go into
    each field's metadata (``description``), which Arrow-based readers restore; the table's
    description, and the column descriptions again as JSON, go into the file's key-value
    metadata, which every Parquet reader can list (e.g. DuckDB's ``parquet_kv_metadata``)."""
    reader = con.sql(f"SELECT * FROM {_relation(doc)}").to_arrow_reader(batch_size=BATCH_ROWS)
    rows = 0
    try:
        schema = parquet_schema(reader.schema, doc)
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            # One row group per ROW_GROUP_ROWS, not per batch: DuckDB yields ~123k-row
            # batches, and row groups that small made the file 1.6x larger (1M rows: 15.8
            # MB against 9.6 MB), the dictionaries restarting in each.
            pending: list[pa.RecordBatch] = []
            pending_rows = 0
            for batch in reader:
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows >= ROW_GROUP_ROWS:
                    writer.write_table(pa.Table.from_batches(pending, schema=reader.schema))
                    rows, pending, pending_rows = rows + pending_rows, [], 0
            if pending or rows == 0:
                writer.write_table(pa.Table.from_batches(pending, schema=reader.schema))
                rows += pending_rows
    finally:
        reader.close()  # DuckDB 2.0 refuses the next query while a result is open
    return _exported(doc, "parquet", path, rows)


def parquet_schema(schema: pa.Schema, doc: TableDoc) -> pa.Schema:
    descriptions = {column.name: column.description for column in doc.columns}
    fields = [field.with_metadata({"description": descriptions[field.name]})
              if descriptions.get(field.name) else field for field in schema]
    file_metadata = {
        "table": f"{doc.schema}.{doc.name}",
        "column_descriptions": json.dumps({name: text for name, text in descriptions.items() if text},
                                          ensure_ascii=False),
    }
    if doc.description:
        file_metadata["description"] = doc.description
    return pa.schema(fields, metadata={key: value.encode("utf-8") for key, value in file_metadata.items()})


def write_csv(con: duckdb.DuckDBPyConnection, doc: TableDoc, path: Path) -> ExportedFile:
    """The table as CSV in UTF-8 with a BOM (Excel then reads Chinese correctly), a header,
    every text value quoted, NULL as an empty field, dates and times in ISO 8601."""
    select_list = ", ".join(csv_expression(column) for column in doc.columns)
    reader = con.sql(f"SELECT {select_list} FROM {_relation(doc)}").to_arrow_reader(batch_size=BATCH_ROWS)
    rows = 0
    try:
        with pa.OSFile(str(path), "wb") as sink:
            sink.write(UTF8_BOM)
            options = pa_csv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
            with pa_csv.CSVWriter(sink, reader.schema, write_options=options) as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
    finally:
        reader.close()
    return _exported(doc, "csv", path, rows)


def csv_expression(column: ColumnDoc) -> str:
    """The SQL that renders one column for CSV: ISO 8601 timestamps ('T', UTC with 'Z' for
    TIMESTAMPTZ), base64 for BLOB, JSON for nested types, text for types pyarrow's CSV writer
    can't render; every other type as it is."""
    name = quote_identifier(column.name)
    kind = _base_type(column.data_type)
    if kind in _TIMESTAMPTZ_TYPES:
        expression = f"replace(CAST(({name} AT TIME ZONE 'UTC') AS VARCHAR), ' ', 'T') || 'Z'"
    elif kind in _TIMESTAMP_TYPES:
        expression = f"replace(CAST({name} AS VARCHAR), ' ', 'T')"
    elif kind == "BLOB":
        expression = f"base64({name})"
    elif kind in {"LIST", "ARRAY", "STRUCT", "MAP", "UNION", "JSON"}:
        expression = f"CAST(to_json({name}) AS VARCHAR)"
    elif kind in _INTEGER_TYPES | {"BOOLEAN", "FLOAT", "DOUBLE", "DECIMAL", "DATE", "VARCHAR"}:
        return name
    else:  # TIME, TIME WITH TIME ZONE, INTERVAL, UUID, ENUM, BIT, …
        expression = f"CAST({name} AS VARCHAR)"
    return f"{expression} AS {name}"


def frictionless_field(data_type: str) -> dict[str, str]:
    """The Frictionless Table Schema type (and format) for a DuckDB type, matching how
    ``csv_expression`` renders the column."""
    kind = _base_type(data_type)
    if kind in _INTEGER_TYPES:
        return {"type": "integer"}
    if kind in {"FLOAT", "DOUBLE", "DECIMAL"}:
        return {"type": "number"}
    if kind == "BOOLEAN":
        return {"type": "boolean"}
    if kind == "DATE":
        return {"type": "date"}
    if kind == "TIME":
        return {"type": "time"}
    if kind in _TIMESTAMP_TYPES | _TIMESTAMPTZ_TYPES:
        return {"type": "datetime"}
    if kind == "UUID":
        return {"type": "string", "format": "uuid"}
    if kind == "BLOB":
        return {"type": "string", "format": "binary"}
    if kind in {"LIST", "ARRAY"}:
        return {"type": "array"}
    if kind in {"STRUCT", "MAP"}:
        return {"type": "object"}
    if kind in {"VARCHAR", "ENUM", "INTERVAL", "TIME WITH TIME ZONE", "BIT"}:
        # INTERVAL as DuckDB writes it ("1 day 02:00:00") is not an ISO 8601 duration.
        return {"type": "string"}
    return {"type": "any"}


def table_schema(doc: TableDoc) -> dict:
    """The Frictionless Table Schema of one table, with column descriptions, NOT NULL as
    ``required`` and the primary key."""
    fields = []
    for column in doc.columns:
        field = {"name": column.name, **frictionless_field(column.data_type)}
        if column.description:
            field["description"] = column.description
        if not column.nullable:
            field["constraints"] = {"required": True}
        fields.append(field)
    schema: dict = {"fields": fields}
    if doc.primary_key:
        schema["primaryKey"] = list(doc.primary_key)
    return schema


def data_package(docs: list[TableDoc], files: list[ExportedFile], schema: str, created_at: str) -> dict:
    """A Frictionless Data Package (v1) describing every exported file.

    Each file is its own resource: a resource is one data file (a ``path`` list would mean
    parts to concatenate), so a table's Parquet and CSV are two resources with one Table
    Schema. Both carry the spec's ``hash`` ('sha256:…') and ``bytes``, and ``rowCount``.

    - CSV: a Tabular Data Resource with ``encoding`` 'utf-8' (the IANA name; the BOM is a
      valid UTF-8 signature, which Frictionless strips) and its dialect; also ``rows``,
      Frictionless' own property, which ``frictionless validate`` checks against the file,
      as it checks the schema, primary key, hash and bytes.
    - Parquet: the Tabular Data Resource spec (v1) wants CSV, so a plain Data Resource with
      the schema for readers, and ``"type": "file"``: Frictionless then checks its hash and
      bytes. Read as a table, Frictionless goes through pandas (integers with NULLs turn into
      floats and fail the integer type) and skips the hash check altogether.

    No ``licenses``: the lists are public information published by the CAC, which states no
    licence for them, so none is claimed here; ``sources`` names the CAC.
    """
    by_table = {doc.name: doc for doc in docs}
    resources = []
    for file in files:
        doc = by_table[file.table]
        resource = {
            "name": _resource_name(f"{file.table}-{file.format}"),
            "path": file.path,
            "title": f"{doc.schema}.{doc.name} ({file.format.upper()})",
        }
        if doc.description:
            resource["description"] = doc.description
        if file.format == "csv":
            resource.update(profile="tabular-data-resource", format="csv", mediatype="text/csv",
                            encoding="utf-8", dialect=dict(CSV_DIALECT), rows=file.rows)
        else:
            resource.update(profile="data-resource", type="file", format="parquet",
                            mediatype="application/vnd.apache.parquet")
        resource.update(schema=table_schema(doc), hash=f"sha256:{file.sha256}", bytes=file.bytes,
                        rowCount=file.rows)
        resources.append(resource)
    return {
        "profile": "data-package",
        "name": _resource_name(f"beian-{schema}"),
        "title": f"beian: China's CAC AI filing lists, schema {schema}",
        "description": (
            "Tables of the beian warehouse built from the Cyberspace Administration of China's "
            "published AI filing lists (generative-AI 备案/登记, deep-synthesis and "
            "algorithm-recommendation filings), each as Parquet and as CSV (UTF-8 with BOM)."),
        "created": created_at,
        "sources": [dict(CAC_SOURCE)],
        "resources": resources,
    }


def _exported(doc: TableDoc, file_format: str, path: Path, rows: int) -> ExportedFile:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return ExportedFile(table=doc.name, format=file_format, path=path.name, rows=rows,
                        bytes=path.stat().st_size, sha256=digest)


@contextmanager
def _connection(con_or_path: duckdb.DuckDBPyConnection | Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(con_or_path, duckdb.DuckDBPyConnection):
        yield con_or_path
        return
    con = duckdb.connect(str(con_or_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _relation(doc: TableDoc) -> str:
    return f"{quote_identifier(doc.schema)}.{quote_identifier(doc.name)}"


def _base_type(data_type: str) -> str:
    """DuckDB's type name without parameters: DECIMAL(10,2) -> DECIMAL, VARCHAR[] -> LIST."""
    data_type = data_type.strip().upper()
    if data_type.endswith("]"):
        return "ARRAY" if re.search(r"\[\d+\]$", data_type) else "LIST"
    return data_type.split("(", 1)[0].strip()


def _resource_name(text: str) -> str:
    """Data Package names are lower case letters, digits and ``-._/``."""
    return re.sub(r"[^a-z0-9._/-]+", "-", text.lower())
