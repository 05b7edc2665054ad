"""The guard against publishing fewer rows covers every list published before, including one
that has since become a repeat (a duplicate) of another list: it counts with the rows of the
list now holding its bytes."""

from __future__ import annotations

import duckdb
import pandas as pd

from orchestration.publish.published_warehouse import rows_lost
from orchestration.warehouse import connect, ensure_raw_schema, replace_table


def lists_file(path, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    ensure_raw_schema(con)
    replace_table(con, "lists", pd.DataFrame(rows))
    return con


def row(url: str, key: str, accepted: int, sha: str = "a", duplicate_of: str | None = None) -> dict:
    return {"attachment_url": url, "partition_key": key, "series": "genai", "list_label": key.split("/")[1][:7],
            "sha256": sha, "rows_accepted": accepted, "rows_quarantined": 0, "duplicate_of": duplicate_of}


def test_a_list_turned_duplicate_counts_with_its_holders_rows(tmp_path):
    published = tmp_path / "published.duckdb"
    lists_file(published, [row("u1", "genai/2025-06", 10, "a"), row("u2", "genai/2025-06-2", 10, "b")]).close()
    build = lists_file(tmp_path / "build.duckdb", [row("u1", "genai/2025-06", 10, "b"),
                                                   row("u2", "genai/2025-06-2", 0, "b", "genai/2025-06")])
    assert rows_lost(build, published) == []
    replace_table(build, "lists", pd.DataFrame([row("u1", "genai/2025-06", 4, "b"),
                                                row("u2", "genai/2025-06-2", 0, "b", "genai/2025-06")]))
    lost = rows_lost(build, published)
    assert lost == ["genai 2025-06 <u2>: 10 rows published, 4 in this build"]  # u1 changed bytes: may shrink
