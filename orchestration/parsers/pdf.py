"""PDF tables with pdfplumber, stitched over pages into logical tables.

The CAC's PDFs draw ruled tables; a table that runs over pages has no header
row on its continuation pages. Cell text is rebuilt from the characters (not
``Table.extract``) so that a line wrapped inside a cell is joined without the
space a naive join would put into ``网信算备…`` numbers or company names.

The file is not trusted: pages, rows per table and cells per row are bounded
(Limits), and whatever pdfminer or pdfplumber raise on a broken, truncated,
garbage or encrypted file becomes a one-line DocumentError naming the file
(and the page where one is known).
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from collections import defaultdict
from itertools import islice

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pdfplumber is imported when a PDF is read, not with the code location
    import pdfplumber

from ..limits import Limits
from .tables import DocumentError, Table, TableRow
from .text import normalise_cell

_DEFAULT_LIMITS = Limits()

_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
_WORD_GAP = 1.5  # points between glyphs that stand for a space nobody drew
_ASCII_WORD = re.compile(r"[A-Za-z]")


def _char_lines(chars: list[dict]) -> list[list[dict]]:
    """Group a cell's characters into visual lines, top to bottom, left to right."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= ch["size"] * 0.5:
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line: list[dict]) -> str:
    parts: list[str] = []
    for prev, ch in zip([None, *line], line):
        if prev is not None and ch["x0"] - prev["x1"] > _WORD_GAP and prev["text"] != " ":
            parts.append(" ")
        parts.append(ch["text"])
    return "".join(parts)


def _join_wrapped(lines: list[list[dict]], right_edge: float) -> str:
    """One value from a cell's lines.

    A wrap is a soft break: Chinese and digit runs are joined directly. Between
    two Latin letters the break is a word wrap (a space) only when the next
    line's first glyph would have fitted on the previous line, i.e. the
    renderer did not break for lack of room.
    """
    text = ""
    for i, line in enumerate(lines):
        piece = _line_text(line).strip()
        if i and text and piece:
            prev_last, next_first = text[-1], piece[0]
            room = right_edge - lines[i - 1][-1]["x1"]
            fits = room > (line[0]["x1"] - line[0]["x0"]) + 2
            if _ASCII_WORD.match(prev_last) and _ASCII_WORD.match(next_first) and fits:
                text += " "
        text += piece
    return text


def _centre_in(ch: dict, x0: float, top: float, x1: float, bottom: float) -> bool:
    return x0 <= (ch["x0"] + ch["x1"]) / 2 <= x1 and top <= (ch["top"] + ch["bottom"]) / 2 <= bottom


def _table_texts(page, table) -> list[tuple[str, ...]]:
    """The table's rows as cell texts, each character placed by its centre."""
    # rows and bbox are computed properties in pdfplumber: read them once
    table_rows, bbox = table.rows, table.bbox
    row_tops = [row.bbox[1] for row in table_rows]
    by_cell: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for ch in page.chars:
        if not _centre_in(ch, *bbox):
            continue
        r = bisect_right(row_tops, (ch["top"] + ch["bottom"]) / 2) - 1
        for col, cell in enumerate(table_rows[max(r, 0)].cells):
            if cell is not None and _centre_in(ch, *cell):
                by_cell[(r, col)].append(ch)
                break
    rows = []
    for r, row in enumerate(table_rows):
        # a merged cell (None) reads as empty, as gridSpan's extra columns do in DOCX
        rows.append(tuple(
            normalise_cell(_join_wrapped(_char_lines(by_cell[(r, col)]), cell[2])) if cell else ""
            for col, cell in enumerate(row.cells)
        ))
    return rows


def _page_tables(page) -> list[list[tuple[str, ...]]]:
    """Each ruled table on the page as rows of cell texts."""
    return [_table_texts(page, table) for table in page.find_tables(_TABLE_SETTINGS)]


def _looks_like_header(cells: tuple[str, ...], header: tuple[str, ...] | None) -> bool:
    """A header row repeats the open table's header, or is all labels and no figures."""
    if header is not None and cells == header:
        return True
    return all(cells) and not any(ch.isdigit() for cell in cells for ch in cell)


def _stitch(pdf: pdfplumber.PDF, source: str, limits: Limits) -> list[Table]:
    tables: list[Table] = []
    open_table: Table | None = None  # the table that ended the previous page
    for page_no, page in enumerate(pdf.pages, start=1):
        try:
            page_tables = _page_tables(page)
        except Exception as exc:  # pdfminer raises a zoo of types on broken content streams
            raise DocumentError(source, f"page {page_no} is not readable ({_one_line(exc)})") from exc
        for i, rows in enumerate(page_tables):
            header = open_table.rows[0].cells if open_table and open_table.rows else None
            first = next((r for r in rows if any(r)), rows[0])
            continues = (
                i == 0 and header is not None
                and len(first) == len(header) and not _looks_like_header(first, header)
            )
            if not continues:
                open_table = Table(index=len(tables))
                tables.append(open_table)
            for cells in rows:
                row = TableRow(open_table.index, len(open_table.rows), cells, page_no)
                if len(cells) > limits.max_cells_per_row:
                    raise DocumentError(source, f"more than {limits.max_cells_per_row} cells in a row", row)
                if row.row_index >= limits.max_rows_per_table:
                    raise DocumentError(source, f"more than {limits.max_rows_per_table} rows in a table", row)
                open_table.rows.append(row)
        if not page_tables:
            open_table = None
        page.flush_cache()  # keeps memory flat on long lists
    return tables


def read_pdf_tables(data: bytes, source: str = "<pdf>", limits: Limits | None = None) -> list[Table]:
    """Every ruled table; a table continued on the next page stays one Table.

    A page's first table continues the previous page's last table when it has
    the same number of columns and no header row of its own.
    """
    limits = limits or _DEFAULT_LIMITS
    max_pages = limits.max_pdf_pages
    import pdfplumber

    try:
        # pages= keeps pdfplumber from building (and, on close, walking) more Page objects
        # than the bound, whatever the page tree claims
        pdf = pdfplumber.open(io.BytesIO(data), pages=range(1, max_pages + 1))
    except Exception as exc:  # PdfminerException wraps whatever pdfminer raised, encryption included
        raise DocumentError(source, f"not a readable PDF file ({_one_line(exc)})") from exc
    try:
        with pdf:
            try:
                from pdfminer.pdfpage import PDFPage

                page_count = sum(1 for _ in islice(PDFPage.create_pages(pdf.doc), max_pages + 1))
            except Exception as exc:
                raise DocumentError(source, f"not a readable PDF file: its page tree is broken "
                                            f"({_one_line(exc)})") from exc
            if page_count > max_pages:
                raise DocumentError(source, f"more than {max_pages} pages")
            return _stitch(pdf, source, limits)
    except DocumentError:
        raise
    except Exception as exc:  # e.g. a page tree that breaks only when its pages are built
        raise DocumentError(source, f"not a readable PDF file ({_one_line(exc)})") from exc


def _one_line(exc: BaseException) -> str:
    """The cause in one line: pdfplumber's wrapper unwrapped, encryption said plainly."""
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfplumber.utils.exceptions import PdfminerException

    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    if isinstance(exc, PDFEncryptionError):
        return f"encrypted, and not readable without a password: {type(exc).__name__}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
