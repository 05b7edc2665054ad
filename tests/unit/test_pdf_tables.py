"""The PDF reader against its DOCX twin (both made by tests/fixtures/make_genai_twins.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.parsers.docx import read_docx_tables
from orchestration.parsers.genai import parse_genai_document
from orchestration.parsers.pdf import read_pdf_tables
from orchestration.parsers.tables import DocumentError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import make_genai_twins as twins  # noqa: E402


@pytest.fixture(scope="module")
def pdf_tables():
    return read_pdf_tables((FIXTURES / "genai_twin.pdf").read_bytes(), "genai_twin.pdf")


def test_table_over_three_pages_is_one_table(pdf_tables):
    assert len(pdf_tables) == 1
    rows = pdf_tables[0].rows
    assert sorted({r.page for r in rows}) == [1, 2, 3]
    assert [r.row_index for r in rows] == list(range(len(twins.ROWS)))
    # the header is printed once: continuation pages start with data rows
    assert [r.cells for r in rows].count(twins.NATIONAL_HEADER) == 1


def test_pdf_cells_are_the_source_rows_with_wrapped_cells_joined(pdf_tables):
    assert [r.cells for r in pdf_tables[0].rows] == list(twins.ROWS)


def test_pdf_and_docx_twins_parse_to_the_same_rows():
    pdf = parse_genai_document((FIXTURES / "genai_twin.pdf").read_bytes(), "genai_twin.pdf")
    docx = parse_genai_document((FIXTURES / "genai_twin.docx").read_bytes(), "genai_twin.docx")
    assert {r["page"] for r in docx.rows} == {None}
    assert {r["page"] for r in pdf.rows} == {1, 2, 3}
    strip = [{k: v for k, v in r.items() if k != "page"} for r in pdf.rows]
    assert strip == [{k: v for k, v in r.items() if k != "page"} for r in docx.rows]
    assert len(pdf.rows) == len(twins.ROWS) - 2  # two header rows
    assert [r.cells for r in pdf.inner_header_rows] == [twins.LOCAL_HEADER]


def test_docx_twin_holds_the_source_rows():
    tables = read_docx_tables((FIXTURES / "genai_twin.docx").read_bytes(), "genai_twin.docx")
    assert [r.cells for r in tables[0].rows] == list(twins.ROWS)


def test_a_header_at_the_top_of_a_page_starts_a_new_table():
    # the 登记 header opens page 2, so the reader sees a second table, not a continuation
    header_at = twins.ROWS.index(twins.LOCAL_HEADER)
    data = twins.build_pdf(twins.ROWS, (header_at, len(twins.ROWS) - header_at))
    tables = read_pdf_tables(data, "split.pdf")
    assert [len(t.rows) for t in tables] == [header_at, len(twins.ROWS) - header_at]
    assert tables[1].rows[0].cells == twins.LOCAL_HEADER and tables[1].rows[0].page == 2


def test_unreadable_pdf_names_the_file():
    with pytest.raises(DocumentError, match="broken.pdf"):
        read_pdf_tables(b"%PDF-1.4 not really", "broken.pdf")
