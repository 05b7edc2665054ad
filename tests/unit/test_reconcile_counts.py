"""The per-list balance behind the `rows_reconcile` check: it must see a lost row."""

from __future__ import annotations

import pandas as pd

from orchestration.assets.series import reconcile_counts
from orchestration.schemas.split import ValidationOutcome
from orchestration.series import ParsedSeries


def parsed(rows_per_list: dict[str, int]) -> ParsedSeries:
    lists = pd.DataFrame([{"attachment_url": url, "list_label": url, "rows_extracted": n}
                          for url, n in rows_per_list.items()])
    rows = pd.DataFrame([{"attachment_url": url, "row_index": i}
                         for url, n in rows_per_list.items() for i in range(n)])
    return ParsedSeries(rows=rows, lists=lists, errors={})


def test_balanced_when_every_row_is_accepted_or_quarantined():
    source = parsed({"a": 3, "b": 2})
    outcome = ValidationOutcome(accepted=source.rows.iloc[:4], quarantined=source.rows.iloc[4:])
    table = reconcile_counts(source, outcome)
    assert table.balanced.all()
    assert table.set_index("attachment_url").loc["b", ["rows_accepted", "rows_quarantined"]].tolist() == [1, 1]


def test_a_lost_row_unbalances_its_list_only():
    source = parsed({"a": 3, "b": 2})
    outcome = ValidationOutcome(accepted=source.rows.iloc[1:], quarantined=source.rows.iloc[0:0])
    table = reconcile_counts(source, outcome).set_index("attachment_url")
    assert table.balanced.to_dict() == {"a": False, "b": True}
