"""The gen-AI lists of the reference corpus against notices.csv and the README's counts."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from orchestration.parsers.genai import parse_genai_document
from orchestration.parsers.pdf import read_pdf_tables

# Facts from corpus/README.md and domain.md section 1
TOTAL_ROWS = 1397
NATIONAL_LAST_SERIAL = 868
LOCAL_LAST_SERIAL = 530
LOCAL_SERIAL_NEVER_LISTED = 263
LISTS_WITH_INNER_HEADER = {"2024-08", "2024-11", "2025-01", "2025-03"}
TRUNCATED = ("2025-10", "286", "Jiangsu-SiWeiXiangLiangZhiSuanYun-")


def _notices(corpus_dir: Path, series: str) -> list[dict]:
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["series"] == series]


@pytest.fixture(scope="module")
def parsed(corpus_dir) -> dict[str, tuple[dict, object]]:
    """list_label -> (notices.csv row, GenaiParseResult)."""
    result = {}
    for notice in _notices(corpus_dir, "genai"):
        path = corpus_dir / "mirror" / notice["attachments"]
        result[notice["list_label"]] = (notice, parse_genai_document(path.read_bytes(), str(path)))
    return result


@pytest.fixture(scope="module")
def all_rows(parsed) -> list[dict]:
    return [dict(row, list_label=label) for label, (_, res) in parsed.items() for row in res.rows]


def test_eleven_lists(parsed):
    assert len(parsed) == 11


def test_rows_per_list_match_notices_csv(parsed):
    counts = {label: len(res.rows) for label, (_, res) in parsed.items()}
    assert counts == {label: int(notice["expected_rows"]) for label, (notice, _) in parsed.items()}
    assert sum(counts.values()) == TOTAL_ROWS


def test_national_serials_are_one_to_868_once_each(all_rows):
    serials = Counter(int(r["serial_raw"]) for r in all_rows if r["tier"] == "national_filing")
    assert sorted(serials) == list(range(1, NATIONAL_LAST_SERIAL + 1))
    assert set(serials.values()) == {1}


def test_local_serials_run_to_530_with_only_263_missing(all_rows):
    serials = Counter(int(r["serial_raw"]) for r in all_rows if r["tier"] == "local_registration")
    assert sum(serials.values()) == LOCAL_LAST_SERIAL - 1
    assert set(serials.values()) == {1}
    assert set(range(1, LOCAL_LAST_SERIAL + 1)) - set(serials) == {LOCAL_SERIAL_NEVER_LISTED}
    assert max(serials) == LOCAL_LAST_SERIAL


def test_truncated_number_is_local_serial_286_of_2025_10(all_rows):
    label, serial, number = TRUNCATED
    [row] = [r for r in all_rows if r["registration_number"] == number]
    assert (row["list_label"], row["serial_raw"]) == (label, serial)
    assert (row["tier"], row["tier_rule"]) == ("local_registration", "serial_sequence")


def test_inner_header_rows_exactly_in_the_four_lists(parsed):
    with_inner = {label for label, (_, res) in parsed.items() if res.inner_header_rows}
    assert with_inner == LISTS_WITH_INNER_HEADER
    for label in LISTS_WITH_INNER_HEADER:
        [inner] = parsed[label][1].inner_header_rows
        assert "上线编号" in inner.cells


def test_every_row_has_the_documented_fields(all_rows):
    for row in all_rows:
        assert row["serial_raw"].isdigit(), row
        assert row["locality"] and row["service_name"] and row["filer"] and row["registered_on_raw"], row


def test_pdf_rows_carry_pages_and_docx_rows_none(parsed):
    for label, (notice, res) in parsed.items():
        pages = {r["page"] for r in res.rows}
        if notice["attachments"].endswith(".pdf"):
            assert None not in pages and min(pages) == 1 and len(pages) > 1, label
        else:
            assert pages == {None}, label


def test_cancellation_pdfs_read_as_one_table_each(corpus_dir):
    # a different header (算法名称 … 注销时间): the PDF reader is not gen-AI specific
    for notice in _notices(corpus_dir, "cancellation"):
        path = corpus_dir / "mirror" / notice["attachments"]
        tables = read_pdf_tables(path.read_bytes(), str(path))
        assert len(tables) == 1, path
        header, *data = tables[0].rows
        assert "备案编号" in header.cells and "注销时间" in header.cells
        assert len(data) == int(notice["expected_rows"]), path
        # wrapped numbers are joined back: 网信算备 + 21 or 22 digits + 号
        numbers = [r.cells[header.cells.index("备案编号")] for r in data]
        assert all(n.startswith("网信算备") and n.endswith("号") and " " not in n for n in numbers), numbers
