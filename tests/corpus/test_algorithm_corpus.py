"""The deep-synthesis and algorithm-recommendation lists of the corpus, end to end
through read_docx_tables, parse_algorithm_tables and split_valid.

Expected counts come from notices.csv (expected_rows) and corpus/README.md.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter

import pandas as pd
import pytest

from orchestration.parsers.algorithm_lists import parse_algorithm_tables
from orchestration.parsers.docx import read_docx_tables
from orchestration.schemas.split import split_valid
from orchestration.series import SERIES
from orchestration.vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS

TOTALS = {SERIES_DEEP_SYNTHESIS: 5672, SERIES_ALGORITHM_RECOMMENDATION: 794}
LISTS = {SERIES_DEEP_SYNTHESIS: 15, SERIES_ALGORITHM_RECOMMENDATION: 16}
DEEP_SYNTHESIS_BATCH_ROWS = [41, 110, 129, 266, 394, 492, 487, 509, 411, 395, 211, 389, 586, 680, 572]
ALGORITHM_LIST_ROWS = [30, 70, 123, 39, 41, 69, 32, 44, 32, 40, 45, 10, 51, 56, 69, 43]


@pytest.fixture(scope="module")
def parsed(corpus_dir) -> dict[str, list[tuple[dict, list[dict]]]]:
    """series -> [(notices.csv row, parsed records)] in notices.csv order."""
    result: dict[str, list[tuple[dict, list[dict]]]] = {s: [] for s in TOTALS}
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        for notice in csv.DictReader(f):
            if notice["series"] not in result:
                continue
            path = corpus_dir / "mirror" / notice["attachments"]
            tables = read_docx_tables(path.read_bytes(), str(path))
            result[notice["series"]].append((notice, parse_algorithm_tables(tables, notice["series"], str(path))))
    return result


def test_every_list_is_there(parsed):
    assert {series: len(lists) for series, lists in parsed.items()} == LISTS


@pytest.mark.parametrize("series", list(TOTALS))
def test_rows_per_list_match_notices_csv(parsed, series):
    for notice, records in parsed[series]:
        assert len(records) == int(notice["expected_rows"]), notice["attachments"]


def test_rows_per_list_match_the_readme(parsed):
    assert [len(r) for _, r in parsed[SERIES_DEEP_SYNTHESIS]] == DEEP_SYNTHESIS_BATCH_ROWS
    assert [len(r) for _, r in parsed[SERIES_ALGORITHM_RECOMMENDATION]] == ALGORITHM_LIST_ROWS


@pytest.mark.parametrize("series", list(TOTALS))
def test_series_totals(parsed, series):
    assert sum(len(records) for _, records in parsed[series]) == TOTALS[series]


def test_the_2025_07_algorithm_list_with_empty_serials(parsed):
    (records,) = [r for n, r in parsed[SERIES_ALGORITHM_RECOMMENDATION] if n["list_label"] == "2025年7月"]
    assert len(records) == 51
    assert all(r["serial_raw"] == "" for r in records)  # Word auto-numbering is not in the file
    assert len({r["filing_number"] for r in records}) == 51  # keyed on the number instead


@pytest.mark.parametrize("series", list(TOTALS))
def test_every_row_has_a_canonical_number(parsed, series):
    for notice, records in parsed[series]:
        for r in records:
            where = f"{notice['attachments']} table {r['table_index']} row {r['row_index']}"
            assert r["filing_number"] is not None, f"{where}: {r['filing_number_raw']!r}"
            assert r["filing_number"].isdigit() and len(r["filing_number"]) in (21, 22), where
            assert r["filing_number"] == "".join(ch for ch in r["filing_number_raw"] if ch.isdigit()), where
            assert r["algorithm_name"] and r["entity"], where


def test_only_one_22_digit_number(parsed):
    long = [(n["list_label"], r["filing_number"], r["entity"])
            for lists in parsed.values() for n, records in lists for r in records if len(r["filing_number"]) == 22]
    assert long == [("2022年8月", "1101082242366066220017", "北京三快科技有限公司")]


def test_deep_synthesis_roles_and_type(parsed):
    records = [r for _, rs in parsed[SERIES_DEEP_SYNTHESIS] for r in rs]
    assert set(r["role"] for r in records) == {"服务提供者", "服务技术支持者"}
    assert Counter(r["algorithm_type"] for r in records) == Counter({"01": len(records)})


def _frame(notice: dict, records: list[dict]) -> pd.DataFrame:
    url = "https://" + notice["attachments"]
    return pd.DataFrame.from_records(records).assign(
        attachment_url=url, sha256=hashlib.sha256(url.encode()).hexdigest(),
        notice_url=notice["notice_url"], page=None)


@pytest.mark.parametrize("series", list(TOTALS))
def test_split_valid_accepts_every_row(parsed, series):
    frame = pd.concat([_frame(n, r) for n, r in parsed[series]], ignore_index=True)
    outcome = split_valid(frame, SERIES[series].model, series)
    if not outcome.quarantined.empty:
        print(outcome.quarantined[["attachment_url", "table_index", "row_index", "reason"]].to_string())
    assert outcome.schema_errors == []
    assert outcome.quarantined.empty, outcome.failures_by_check
    assert len(outcome.accepted) == TOTALS[series]
