"""read_pdf_tables against broken, truncated, garbage and encrypted PDFs, made here.

Whatever pdfminer or pdfplumber raise must come out as a one-line DocumentError naming
the file (and the page or row where one is known); pages, rows and cells are bounded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from orchestration.limits import Limits
from orchestration.parsers.pdf import read_pdf_tables
from orchestration.parsers.tables import DocumentError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NAME = "生成式人工智能服务已备案和已登记信息（2099年1月）.pdf"

sys.path.insert(0, str(FIXTURES))
import make_genai_twins as twins  # noqa: E402

TWIN = (FIXTURES / "genai_twin.pdf").read_bytes()  # one table of 17 rows over 3 pages


def build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF with a correct xref over the given objects (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer_extra, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_PAGE_TREE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
# The standard security handler, revision 2, with an owner and user key no password opens
ENCRYPT = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
           + b"> /P -4 >> /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">]")


def document_error(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(DocumentError) as caught:
        read_pdf_tables(data, NAME, limits)
    message = str(caught.value)
    assert message.startswith(NAME) and "\n" not in message
    return message


@pytest.mark.parametrize("data, cause", [
    (b"", "PDFSyntaxError: No /Root object! - Is this really a PDF?"),
    (b"%PDF-1.7\n", "PDFSyntaxError: No /Root object! - Is this really a PDF?"),
    (b"\x00\x01\x02garbage" * 100, "PDFSyntaxError: No /Root object! - Is this really a PDF?"),
    (b"<!DOCTYPE html><html><body>404</body></html>", "PDFSyntaxError: No /Root object!"),
    (b"PK\x03\x04 a docx, not a pdf", "PDFSyntaxError: No /Root object!"),
    (TWIN[: len(TWIN) // 2], "PSEOF: Unexpected EOF"),
    (TWIN.replace(b"xref", b"xxxx").replace(b"trailer", b"xxxxxxx"), "PDFSyntaxError: No /Root object!"),
])
def test_garbage_and_truncated_files_are_a_document_error(data, cause):
    assert document_error(data).startswith(f"{NAME}: not a readable PDF file ({cause}")


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.9, 0.99])
def test_a_real_pdf_cut_anywhere_is_a_document_error(corpus_dir, fraction):
    path = sorted((corpus_dir / "mirror" / "www.cac.gov.cn" / "files").rglob("*.pdf"))[0]
    data = path.read_bytes()
    assert len(read_pdf_tables(data, path.name)[0].rows) > 50  # whole, it reads
    assert "not a readable PDF file" in document_error(data[: int(len(data) * fraction)])


def test_an_encrypted_pdf_is_a_document_error():
    data = build_pdf([CATALOG, ONE_PAGE_TREE, PAGE], ENCRYPT)
    assert document_error(data) == (f"{NAME}: not a readable PDF file (encrypted, and not readable "
                                    f"without a password: PDFPasswordIncorrect)")


def test_an_unknown_security_handler_is_a_document_error():
    data = build_pdf([CATALOG, ONE_PAGE_TREE, PAGE], b"/Encrypt << /Filter /Acme /V 9 >> /ID [<00> <00>]")
    assert "not a readable PDF file (" in document_error(data)


@pytest.mark.parametrize("objects", [
    [b"<< /Type /Catalog /Pages 9 >>"],  # the page tree is not an object
    [CATALOG, ONE_PAGE_TREE, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 a b] >>"],  # a MediaBox of names
])
def test_a_broken_page_tree_is_a_document_error(objects):
    message = document_error(build_pdf(objects))
    assert "not a readable PDF file" in message


@pytest.mark.parametrize("pages", [
    b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>",  # a loop: pdfminer remembers what it visited
    b"<< /Type /Pages /Kids [7 0 R] /Count 1 >>",  # a kid that does not exist: skipped
])
def test_a_page_tree_without_pages_reads_as_no_tables(pages):
    # no table is the list parsers' error to name (they refuse a list without one)
    assert read_pdf_tables(build_pdf([CATALOG, pages]), NAME) == []


def test_pages_over_the_limit_are_refused_before_reading():
    assert len(read_pdf_tables(TWIN, NAME, Limits(max_pdf_pages=3))) == 1  # exactly the limit: read
    assert document_error(TWIN, Limits(max_pdf_pages=2)) == f"{NAME}: more than 2 pages"


def test_the_default_page_limit_refuses_a_2001_page_file():
    pages = 2_001
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    data = build_pdf([CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)] + [PAGE] * pages)
    assert document_error(data) == f"{NAME}: more than 2000 pages"
    assert read_pdf_tables(data, NAME, Limits(max_pdf_pages=pages)) == []  # at the limit: read


def test_rows_over_the_limit_name_the_table_row_and_page():
    # the table has 5 rows on page 1 and runs on over pages 2 and 3
    message = document_error(TWIN, Limits(max_rows_per_table=7))
    assert message == f"{NAME}, table 0 row 7 (page 2): more than 7 rows in a table"


def test_cells_over_the_limit_name_the_row_and_page():
    assert document_error(TWIN, Limits(max_cells_per_row=5)) == \
        f"{NAME}, table 0 row 0 (page 1): more than 5 cells in a row"


def test_a_page_whose_content_breaks_the_reader_names_the_page(monkeypatch):
    import orchestration.parsers.pdf as pdf_module

    calls = {"n": 0}
    real = pdf_module._page_tables

    def second_page_breaks(page):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyError("Resources")  # what pdfminer raises on some broken pages
        return real(page)

    monkeypatch.setattr(pdf_module, "_page_tables", second_page_breaks)
    assert document_error(TWIN) == f"{NAME}: page 2 is not readable (KeyError: 'Resources')"


def test_the_twin_reads_whole_under_the_default_limits():
    (table,) = read_pdf_tables(TWIN, NAME)
    assert len(table.rows) == len(twins.ROWS)
