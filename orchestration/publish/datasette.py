"""The registry as a SQLite file for Datasette: every mart, plus three tables made for looking
things up in a browser, written with sqlite-utils and swapped in whole.

- ``registry``: one row per filing (a 网信算备 number in one series, or a gen-AI 备案号/上线编号),
  with the columns the facets use (series, tier, province, status, year) and an FTS5 index with
  the ``trigram`` tokenizer over names, filers, products and the printed numbers.
- ``numbers``: one row per number, keyed by its search key: the row page Datasette gives each
  is the filing's page (status, cancellation and notice, lists, the original attachment).
- ``appearances``: every list, and every cancellation notice, a number appears in, with the
  attachment's URL; linked to ``numbers`` by a foreign key, so a number's page links to them.

``number`` is the key `beian lookup` finds a number by (``number_key``): the canonical 21/22
digits of a 网信算备 number, the 备案号/上线编号 without white space. The canned queries fold what
a visitor types the same way in SQL (``number_key_sql``), so any printed form finds its row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import sqlite_utils

from ..parsers.numbers import parse_algorithm_filing_number
from ..parsers.text import compact
from ..vocabulary import MARTS_SCHEMA
from .compat import quote_identifier
from .exports import _INTEGER_TYPES, ColumnDoc, TableDoc, _base_type, csv_expression, describe_tables
from .folders import replaced_folder

DATABASE = "beian"  # Datasette names a database after its file
DB_FILE = f"{DATABASE}.db"
METADATA_FILE = "metadata.json"
BATCH_ROWS = 5_000
FTS_COLUMNS = ("name", "filer", "product", "number_printed", "number")


def number_key(printed: str | None) -> str | None:
    """The key a printed number is found by: a 网信算备 number's canonical digits (any spacing,
    full-width digits, with or without 网信算备 and 号), otherwise the text without white space
    (a 备案号 or 上线编号; compared without regard to case)."""
    algorithm = parse_algorithm_filing_number(printed)
    if algorithm is not None:
        return algorithm.canonical
    return compact(printed or "") or None


# The same fold in SQL, for what a visitor types into a canned query: NFKC's part that numbers
# need (full-width digits and hyphen), no white space, no 网信算备 or 号; letters compare without
# case (COLLATE NOCASE). Nested replace() calls: SQLite's parser allows a few dozen.
_FULL_WIDTH = [(chr(0xFF10 + i), str(i)) for i in range(10)] + [("－", "-")]
_DROPPED = (" ", "\t", "\n", "\r", "\u3000", "\u00a0", "网信算备", "号")


def number_key_sql(expression: str) -> str:
    """SQLite expression folding ``expression`` as ``number_key`` folds a printed number."""
    for old, new in _FULL_WIDTH:
        expression = f"replace({expression}, '{old}', '{new}')"
    for dropped in _DROPPED:
        expression = f"replace({expression}, '{dropped}', '')"
    return expression


REGISTRY_SQL = """
with notices as (select notice_url, any_value(notice_title) as notice_title
                 from marts.fct_cancellations group by 1),
latest as (select series, filing_number, arg_max(attachment_url, period_month) as attachment_url,
                  arg_max(notice_url, period_month) as notice_url
           from marts.fct_filings group by all),
reg_lists as (select registration_key, string_agg(list_label, ' · ' order by list_month) as lists,
                     min(list_label) as first_list, max(list_label) as latest_list
              from marts.fct_registration_appearances group by 1)
select f.filing_id as registry_id, f.filing_number_raw as number_printed, f.series,
       'algorithm_filing' as tier, null as service_kind, f.algorithm_name as name, f.entity as filer,
       f.product, f.entity_key, f.province, concat_ws(' / ', f.province, f.prefecture, f.district) as place,
       year(f.first_listed_month) as year, f.first_list_label as first_list, f.last_list_label as latest_list,
       replace(f.list_labels, ', ', ' · ') as lists, f.list_appearances, f.status,
       cast(f.cancelled_on as varchar) as cancelled_on, n.notice_title as cancellation_notice_title,
       f.cancellation_notice_url, l.attachment_url, l.notice_url
from marts.dim_filing f
left join latest l using (series, filing_number)
left join notices n on n.notice_url = f.cancellation_notice_url
union all
select r.registration_key, r.registration_number, 'genai', r.tier, r.service_kind, r.service_name,
       r.filer, null, r.entity_key, r.province, concat_ws(' / ', r.province, r.locality),
       year(r.first_list_month), a.first_list, a.latest_list, a.lists, r.list_appearances, 'active',
       null, null, null, r.attachment_url, r.notice_url
from marts.fct_registrations r left join reg_lists a using (registration_key)
union all
select c.cancellation_row_id, c.filing_number_raw, coalesce(c.filed_series, 'unknown'), 'algorithm_filing',
       null, c.algorithm_name, c.entity, c.product, c.entity_key, c.province,
       concat_ws(' / ', c.province, c.prefecture, c.district), year(c.cancelled_on), null, null, null, 0,
       'cancelled', cast(c.cancelled_on as varchar), c.notice_title, c.notice_url, c.attachment_url, c.notice_url
from marts.fct_cancellations c where not c.is_matched
"""

APPEARANCES_SQL = """
select f.filing_row_id as appearance_id, f.filing_number_raw as number_printed, f.series, 'listed' as kind,
       f.list_label, cast(b.list_month as varchar) as list_month, cast(b.published_on as varchar) as published_on,
       f.algorithm_name as name, f.entity as filer, b.notice_title, f.notice_url, f.attachment_url,
       f.table_index, f.row_index
from marts.fct_filings f left join marts.dim_batch b using (list_id)
union all
select a.registration_row_id, a.registration_number, 'genai', 'listed', a.list_label,
       cast(a.list_month as varchar), cast(b.published_on as varchar), a.service_name, a.filer,
       b.notice_title, b.notice_url, a.attachment_url, a.table_index, a.row_index
from marts.fct_registration_appearances a left join marts.dim_batch b using (list_id)
union all
select c.cancellation_row_id, c.filing_number_raw, 'cancellation', 'cancelled', b.list_label,
       cast(b.list_month as varchar), cast(c.cancelled_on as varchar), c.algorithm_name, c.entity,
       c.notice_title, c.notice_url, c.attachment_url, c.table_index, c.row_index
from marts.fct_cancellations c left join marts.dim_batch b using (list_id)
"""

# One row per number, from the two tables above (in SQLite): a number listed in two series (the
# same 网信算备 number in deep-synthesis and algorithm-recommendation lists) has one page.
NUMBERS_SQL = """
insert into numbers
select r.number, min(r.number_printed), group_concat(distinct r.series), group_concat(distinct r.tier),
       max(r.name), max(r.filer), max(r.province),
       case when max(r.status = 'cancelled') then 'cancelled' else 'active' end,
       case when max(r.status = 'cancelled')
            then '已注销 cancelled on ' || coalesce(max(r.cancelled_on), '?') || ': '
                 || coalesce(max(r.cancellation_notice_title), max(r.cancellation_notice_url), 'notice unknown')
            else '有效 active: in ' || (select count(*) from appearances a where a.number = r.number
                                          and a.kind = 'listed') || ' list(s), latest ' || max(r.latest_list)
       end,
       max(r.cancelled_on), max(r.cancellation_notice_title), max(r.cancellation_notice_url),
       (select group_concat(label, ' · ') from (select a.list_label || ' ' || a.series as label
           from appearances a where a.number = r.number order by a.list_month, a.series)),
       (select count(*) from appearances a where a.number = r.number),
       (select a.attachment_url from appearances a where a.number = r.number and a.kind = 'listed'
        order by a.list_month desc limit 1),
       (select a.notice_url from appearances a where a.number = r.number and a.kind = 'listed'
        order by a.list_month desc limit 1)
from registry r where r.number is not null group by r.number
"""
NUMBERS_COLUMNS = {
    "number": str, "number_printed": str, "series": str, "tier": str, "name": str, "filer": str,
    "province": str, "status": str, "verdict": str, "cancelled_on": str, "cancellation_notice_title": str,
    "cancellation_notice_url": str, "lists": str, "appearances": int, "latest_attachment_url": str,
    "latest_notice_url": str,
}


@dataclass(frozen=True)
class DatasetteExport:
    path: Path  # the SQLite file
    metadata_path: Path
    rows_by_table: dict[str, int]
    bytes: int


def export_datasette(con_or_path: duckdb.DuckDBPyConnection | Path | str, out_dir: Path,
                     schema: str = MARTS_SCHEMA) -> DatasetteExport:
    """Write ``beian.db`` (every table of ``schema``, plus registry, numbers and appearances)
    and Datasette's ``metadata.json`` into ``out_dir``, replacing the folder whole."""
    from .datasette_site import site_metadata  # the page texts and canned queries

    out_dir = Path(out_dir)
    con, own = (con_or_path, False) if isinstance(con_or_path, duckdb.DuckDBPyConnection) else (
        duckdb.connect(str(con_or_path), read_only=True), True)
    try:
        try:  # quiet in the CLI and bench; a cached instance opened by a locked reader refuses it
            con.execute("SET enable_progress_bar = false")
        except duckdb.InvalidInputException:
            pass
        docs = describe_tables(con, schema)
        with replaced_folder(out_dir) as staging:
            db = sqlite_utils.Database(staging / DB_FILE)
            # a file nobody reads until it is swapped in: no journal, no fsync per batch
            db.execute("pragma journal_mode = off")
            db.execute("pragma synchronous = off")
            rows = {doc.name: copy_table(con, db, doc) for doc in docs}
            rows.update(write_lookup_tables(con, db))
            notices = [url for (url,) in con.execute(
                "select distinct notice_url from marts.dim_batch where notice_url is not null "
                "order by 1").fetchall()]
            # no VACUUM: a file written once has little free space (8% here), and rewriting it
            # took half of this step (1.1 of 2.4 s on the corpus)
            db.execute("analyze")
            db.close()
            metadata = site_metadata(docs, notices)
            (staging / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
    finally:
        if own:
            con.close()
    path = out_dir / DB_FILE
    return DatasetteExport(path, out_dir / METADATA_FILE, rows, path.stat().st_size)


def sqlite_kind(data_type: str) -> type:
    """A DuckDB type as SQLite stores it: integers and booleans as INTEGER, other numbers as
    REAL, BLOB as it is, everything else as text."""
    kind = _base_type(data_type)
    if kind in _INTEGER_TYPES - {"HUGEINT", "UHUGEINT", "UBIGINT"} or kind == "BOOLEAN":
        return int
    if kind in {"FLOAT", "DOUBLE", "DECIMAL"}:
        return float
    return bytes if kind == "BLOB" else str


def sqlite_expression(column: ColumnDoc) -> tuple[str, type]:
    """The SQL that renders one DuckDB column for SQLite, and its SQLite type (sqlite_kind;
    dates and times as ISO 8601 text, nested types as JSON, as in the CSV export)."""
    kind, name = sqlite_kind(column.data_type), quote_identifier(column.name)
    if kind is float:
        return f"CAST({name} AS DOUBLE) AS {name}", float
    if kind is not str:
        return name, kind
    expression = csv_expression(column)
    if expression == name:  # VARCHAR and DATE: DATE needs a cast for SQLite
        return (name if _base_type(column.data_type) == "VARCHAR" else f"CAST({name} AS VARCHAR) AS {name}"), str
    return expression, str


def copy_table(con: duckdb.DuckDBPyConnection, db: sqlite_utils.Database, doc: TableDoc) -> int:
    rendered = [sqlite_expression(column) for column in doc.columns]
    columns = {column.name: kind for column, (_, kind) in zip(doc.columns, rendered)}
    sql = f"select {', '.join(e for e, _ in rendered)} from {quote_identifier(doc.schema)}.{quote_identifier(doc.name)}"
    if doc.primary_key:  # SQLite's key index then grows at its end: 10.6 -> 7.5 s for 1M rows
        sql += " order by " + ", ".join(map(quote_identifier, doc.primary_key))
    db[doc.name].create(columns, pk=list(doc.primary_key) or None, not_null=[c.name for c in doc.columns
                                                                              if not c.nullable])
    return insert_rows(db, doc.name, list(columns), _batches(con.execute(sql)))


def write_lookup_tables(con: duckdb.DuckDBPyConnection, db: sqlite_utils.Database) -> dict[str, int]:
    """registry, appearances and numbers, keyed by ``number_key``; the FTS5 trigram index."""
    db["numbers"].create(NUMBERS_COLUMNS, pk="number")
    counts = {}
    for table, sql, pk in (("registry", REGISTRY_SQL, "registry_id"),
                           ("appearances", APPEARANCES_SQL, "appearance_id")):
        cursor = con.execute(sql)
        names = [name for name, *_ in cursor.description]
        kinds = {name: sqlite_kind(str(kind)) for name, kind, *_ in cursor.description}
        db[table].create({**kinds, "number": str}, pk=pk, foreign_keys=[("number", "numbers", "number")])
        printed = names.index("number_printed")
        counts[table] = insert_rows(db, table, [*names, "number"], (
            [(*row, number_key(row[printed])) for row in batch] for batch in _batches(cursor)))
        if not counts[table]:
            raise ValueError(f"nothing to export for {table}: the marts are empty")
        db[table].create_index(["number"])
    db.execute(NUMBERS_SQL)
    counts["numbers"] = db["numbers"].count
    db["registry"].enable_fts(FTS_COLUMNS, tokenize="trigram", create_triggers=False)
    db["registry"].optimize()
    return counts


def insert_rows(db: sqlite_utils.Database, table: str, names: list[str], batches: Iterable[list[tuple]]) -> int:
    """Rows as tuples, in batches, through one prepared statement and one transaction (sqlite-
    utils' insert_all builds a statement per ~40 rows: 30 s of 37 s at 100,000 rows)."""
    statement = (f"insert into {quote_identifier(table)} ({', '.join(map(quote_identifier, names))}) "
                 f"values ({', '.join('?' * len(names))})")
    with db.conn:
        for batch in batches:
            db.conn.executemany(statement, batch)
    return db[table].count


def _batches(cursor: duckdb.DuckDBPyConnection) -> Iterator[list[tuple]]:
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch
