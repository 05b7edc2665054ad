"""`beian lookup`: is this number, product or filer registered, and is it still valid?

Reads the published warehouse read-only. Takes a 网信算备 number in any printed form, a gen-AI
备案号 or 上线编号, or a product, service or filer name (a part of one is enough), and returns
one record per match across every series.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .parsers.numbers import parse_algorithm_filing_number, parse_registration_number
from .parsers.text import compact, normalise_cell


@dataclass(frozen=True)
class Match:
    series: str
    tier: str
    number: str | None
    name: str | None
    filer: str | None
    entity_key: str | None
    province: str | None
    place: str | None  # province / prefecture / district where the number encodes one
    lists: str | None  # the lists it appears in, oldest first
    status: str
    cancelled_on: str | None
    cancellation_notice_url: str | None

    def as_dict(self) -> dict:
        return asdict(self)


_FILINGS = """
    select series, 'filing', filing_number_raw, algorithm_name, entity, entity_key, province,
           concat_ws(' / ', province, prefecture, district), list_labels, status,
           cast(cancelled_on as varchar), cancellation_notice_url
    from marts.dim_filing
"""
_REGISTRATIONS = """
    select 'genai', r.tier || case when r.service_kind = 'on_device' then ' (on-device)' else '' end,
           r.registration_number, r.service_name, r.filer, r.entity_key, r.province, r.province,
           a.lists, 'active', null, null
    from marts.fct_registrations r
    left join (select registration_key, string_agg(list_label, ', ' order by list_month) as lists
               from marts.fct_registration_appearances group by 1) a using (registration_key)
"""
# a cancelled number that no list carries is still an answer: cancelled
_UNLISTED_CANCELLATIONS = """
    select coalesce(filed_series, 'unknown'), 'filing', filing_number_raw, algorithm_name, entity,
           entity_key, province, concat_ws(' / ', province, prefecture, district), null, 'cancelled',
           cast(cancelled_on as varchar), notice_url
    from marts.fct_cancellations where not is_matched
"""


def _name_variants(text: str) -> list[str]:
    """The query with brackets both ways: the lists print names with either."""
    text = normalise_cell(text)
    return sorted({text, text.replace("(", "（").replace(")", "）"),
                   text.replace("（", "(").replace("）", ")")})


def lookup_sql(text: str) -> tuple[str, list]:
    """The SQL and parameters answering ``text``: exact for a number, a substring search
    (names, filers, products) otherwise."""
    algorithm = parse_algorithm_filing_number(text)
    if algorithm is not None:
        where = "where filing_number = ?"
        return (f"{_FILINGS} {where} union all {_UNLISTED_CANCELLATIONS} and filing_number = ?",
                [algorithm.canonical, algorithm.canonical])
    if parse_registration_number(compact(text)) is not None:
        key = compact(text).lower()
        return (f"select * from ({_REGISTRATIONS}) "
                "where lower(regexp_replace(registration_number, '\\s+', '', 'g')) = ?", [key])
    variants = _name_variants(text)
    like = " or ".join(["{col} ilike ?"] * len(variants))
    patterns = [f"%{v}%" for v in variants]

    def any_of(*columns: str) -> tuple[str, list]:
        return " or ".join(f"({like.format(col=c)})" for c in columns), patterns * len(columns)

    filings_where, filings_params = any_of("algorithm_name", "entity", "product")
    genai_where, genai_params = any_of("r.service_name", "r.filer", "r.registration_number")
    cancel_where, cancel_params = any_of("algorithm_name", "entity")
    sql = (f"{_FILINGS} where {filings_where} union all {_REGISTRATIONS} where {genai_where} "
           f"union all {_UNLISTED_CANCELLATIONS} and ({cancel_where})")
    return sql, filings_params + genai_params + cancel_params


def lookup(warehouse: Path, text: str, limit: int = 50) -> tuple[list[Match], int]:
    """Matches for ``text`` (at most ``limit``) and how many there are in all."""
    import duckdb  # not warehouse.connect: that module loads pandas, a third of a second

    if not re.search(r"\w", text or ""):
        raise ValueError("nothing to look up: give a filing number, a product or a filer name")
    sql, params = lookup_sql(text)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:  # only the rows shown leave DuckDB; the window counts them all
        rows = con.execute(f"select *, count(*) over () from ({sql}) order by 1, 2, 3 limit ?",
                           [*params, limit]).fetchall()
    finally:
        con.close()
    return [Match(*row[:-1]) for row in rows], rows[0][-1] if rows else 0


def format_matches(matches: list[Match], total: int) -> str:
    """Human-readable cards, one per match."""
    if not matches:
        return "No registration or filing matches."
    lines = []
    for i, m in enumerate(matches, start=1):
        status = m.status
        if m.status == "cancelled":
            status += f" on {m.cancelled_on}" if m.cancelled_on else ""
            status += f" ({m.cancellation_notice_url})" if m.cancellation_notice_url else ""
        lines += [f"[{i}] {m.series} · {m.tier} · {m.number or '(no number)'}",
                  f"    name      {m.name or ''}",
                  f"    filer     {m.filer or ''}" + (f" (entity {m.entity_key})" if m.entity_key else ""),
                  f"    where     {m.place or m.province or ''}",
                  f"    lists     {m.lists or '(none)'}",
                  f"    status    {status}"]
    if total > len(matches):
        lines.append(f"... and {total - len(matches)} more; narrow the search or raise --limit")
    return "\n".join(lines)
