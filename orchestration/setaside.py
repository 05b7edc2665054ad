"""What was set aside, for the command line: the quarantined rows per list, each list with
its file and its first rows' reasons and places (table, row, page), so that nobody has to
know raw.quarantine exists to learn that rows were held back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

LISTS_SHOWN = 10
REASONS_SHOWN = 3

_SQL = """
    with q as (
        select l.partition_key, l.attachment_url, l.rows_extracted, q.table_index, q.row_index, q.page,
               q.reason, count(*) over (partition by l.partition_key) as n,
               row_number() over (partition by l.partition_key order by q.table_index, q.row_index) as i
        from raw.quarantine q join raw.lists l using (attachment_url)
        where l.duplicate_of is null {only})
    select partition_key, attachment_url, rows_extracted, n, table_index, row_index, page, reason
    from q where i <= {shown} order by partition_key, i"""


def quarantined(path: Path, keys: list[str] | None = None) -> dict[str, dict]:
    """List key -> {url, extracted, rows, first: [(table, row, page, reason)]}, read-only."""
    import duckdb

    from .warehouse import connect

    if not Path(path).exists():
        return {}
    only = "and l.partition_key in (select unnest($keys))" if keys is not None else ""
    con = connect(path, read_only=True)
    try:
        rows = con.execute(_SQL.format(only=only, shown=REASONS_SHOWN),
                           {"keys": keys} if keys is not None else {}).fetchall()
    except duckdb.CatalogException:  # a warehouse of an older layout, or none yet
        return {}
    finally:
        con.close()
    lists: dict[str, dict] = {}
    for key, url, extracted, n, table, row, page, reason in rows:
        entry = lists.setdefault(key, {"url": url, "extracted": extracted, "rows": n, "first": []})
        entry["first"].append((table, row, page, reason))
    return lists


def quarantine_lines(lists: dict[str, dict]) -> list[str]:
    """The summary's lines for ``lists`` (from ``quarantined``); none when nothing was set aside."""
    if not lists:
        return []
    total = sum(entry["rows"] for entry in lists.values())
    lines = [f"rows set aside (quarantined): {total} in {len(lists)} list{'s' if len(lists) != 1 else ''}"]
    for key, entry in list(lists.items())[:LISTS_SHOWN]:
        name = unquote(entry["url"].rsplit("/", 1)[-1])
        lines.append(f"  {key}: {entry['rows']} of {entry['extracted']} rows, file {name} <{entry['url']}>")
        for table, row, page, reason in entry["first"]:
            where = f"table {table} row {row}" + (f" (page {page})" if page is not None else "")
            lines.append(f"    {where}: {reason[:300]}")
        if entry["rows"] > len(entry["first"]):
            lines.append(f"    … {entry['rows'] - len(entry['first'])} more")
    if len(lists) > LISTS_SHOWN:
        lines.append(f"  … {len(lists) - LISTS_SHOWN} more lists")
    lines.append("  every row, with its reasons and record: beian query \"select * from raw.quarantine\"")
    return lines
