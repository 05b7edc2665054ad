"""DOCX tables in one streaming lxml pass over word/document.xml.

Only the elements that carry table structure and text raise events, and each row is
cleared once read: all 31 algorithm lists (44 MB of XML) take about 1 s here, where
building the whole tree and walking it took 1.65 s (python-docx: about 3 s).

The file is not trusted. The zip member is checked before it is opened (encryption,
declared size, compression ratio) and counted while it streams, because the declared
size can lie; the XML parser resolves no entities, reads no network and keeps libxml2's
size limits; rows and cells per row are bounded; and rows with no text are counted but
never held, so a document of millions of empty rows streams in bounded memory. Every
failure is a one-line DocumentError naming the file (and the table and row where one
is known), never a raw lxml or zipfile error.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from itertools import chain

from lxml import etree

from ..limits import Limits
from .tables import DocumentError, Table, TableRow
from .text import normalise_cell, one_line

DOCUMENT_XML = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TBL, _TR, _TC, _P, _T = (_W + name for name in ("tbl", "tr", "tc", "p", "t"))
_GRID_SPAN, _V_MERGE = _W + "gridSpan", _W + "vMerge"
_BREAKS = {_W + "tab", _W + "br", _W + "cr"}
_EVENT_TAGS = (_TBL, _TR, _TC, _P, _T, _GRID_SPAN, _V_MERGE, *_BREAKS)
_DEFAULT_LIMITS = Limits()


@dataclass
class _TableState:
    """What is being read of one table (a nested table gets its own)."""

    rows: list[TableRow] = field(default_factory=list)  # rows with text (all-empty rows are skipped)
    row_count: int = 0  # every <w:tr> read, so row_index stays the position in the table
    above: list[str] = field(default_factory=list)  # the previous row's cells, for vMerge
    cells: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    span: int = 1
    continues_above: bool = False

    def text(self) -> str:
        return " ".join(" ".join(row.cells) for row in self.rows)


class _BudgetedReader:
    """A file-like view of a stream that raises once more than ``limit`` bytes were read
    (lxml reads through ``read``; the zip header's size is only a claim)."""

    def __init__(self, stream, limit: int, source: str, declared: int | None = None):
        self._stream, self._source, self._limit, self._declared = stream, source, limit, declared
        self._left = limit if declared is None else min(limit, declared)

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._left -= len(chunk)
        if self._left < 0:
            if self._declared is not None and self._declared < self._limit:
                raise DocumentError(self._source, f"{DOCUMENT_XML} inflates to more than the "
                                                  f"{_size(self._declared)} its zip header declares "
                                                  "(a zip bomb lying about its size?)")
            raise DocumentError(self._source, f"{DOCUMENT_XML} inflates to more than the "
                                              f"limit of {_size(self._limit)}")
        return chunk


def read_docx_tables(data: bytes, source: str = "<docx>", limits: Limits | None = None) -> list[Table]:
    """Every top-level table, one TableRow per <w:tr> that has text.

    Horizontally merged cells (gridSpan) are widened so columns line up with the header;
    vertically merged continuation cells (vMerge) repeat the value above, which is what
    the reader of the document sees. A nested table's text stays in its enclosing cell.
    A row whose cells are all empty is skipped, but counted: ``row_index`` is always the
    row's position in its table.
    """
    limits = limits or _DEFAULT_LIMITS
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo(DOCUMENT_XML)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise DocumentError(source, f"not a readable DOCX file ({one_line(exc)})") from exc
    _check_member(info, source, limits)
    etree.clear_error_log()  # so an XMLSyntaxError's log holds this document's errors only
    # zipfile would stop quietly at the declared size and blame the CRC: let it read on, so
    # that the budget (the declared size, at most the limit) stops a header that lies, by name
    streamed = copy.copy(info)
    streamed.file_size = limits.max_docx_xml_bytes + 1
    try:
        with archive.open(streamed) as member:
            return _read_tables(_BudgetedReader(member, limits.max_docx_xml_bytes, source, info.file_size),
                                source, limits)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(source, f"unreadable XML in {DOCUMENT_XML}: {_xml_problem(exc)}") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise DocumentError(source, f"{DOCUMENT_XML} cannot be inflated ({one_line(exc)})") from exc


def _check_member(info: zipfile.ZipInfo, source: str, limits: Limits) -> None:
    """Refuse what the zip header already gives away, before inflating a byte."""
    if info.flag_bits & 0x1:
        raise DocumentError(source, f"{DOCUMENT_XML} is encrypted")
    if info.file_size > limits.max_docx_xml_bytes:
        raise DocumentError(source, f"{DOCUMENT_XML} declares {_size(info.file_size)} inflated, "
                                    f"over the limit of {_size(limits.max_docx_xml_bytes)}")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > limits.docx_ratio_min_bytes and ratio > limits.max_docx_ratio:
        raise DocumentError(source, f"{DOCUMENT_XML} inflates {ratio:.0f}:1, over the "
                                    f"{limits.max_docx_ratio:.0f}:1 limit (a zip bomb?)")


def _read_tables(stream: _BudgetedReader, source: str, limits: Limits) -> list[Table]:
    tables: list[Table] = []
    stack: list[_TableState] = []
    max_rows, max_cells = limits.max_rows_per_table, limits.max_cells_per_row
    events = etree.iterparse(stream, events=("start", "end"), tag=_EVENT_TAGS,
                             resolve_entities=False, no_network=True, huge_tree=False)
    first = next(events, None)
    if first is None:
        return tables
    if first[1].getroottree().docinfo.internalDTD is not None:
        # Word never writes a DTD; one here could only declare entities (silently dropped
        # text with resolve_entities=False, or an expansion bomb).
        raise DocumentError(source, f"{DOCUMENT_XML} declares a DTD, which a DOCX never does")
    for event, element in chain((first,), events):
        tag = element.tag
        if event == "start":
            if tag == _TBL:
                stack.append(_TableState())
            elif tag == _TC and stack:
                stack[-1].span, stack[-1].continues_above = 1, False
            continue
        if not stack:  # body text outside any table
            if tag == _P:
                _free(element)
            continue
        state = stack[-1]
        if tag == _T:
            state.texts.append(element.text or "")
        elif tag in _BREAKS:
            state.texts.append(" ")
        elif tag == _P:
            state.paragraphs.append("".join(state.texts))
            state.texts = []
        elif tag == _GRID_SPAN:
            state.span = _int_value(element, 1)
        elif tag == _V_MERGE:
            state.continues_above = element.get(_W + "val", "continue") == "continue"
        elif tag == _TC:
            text = normalise_cell(" ".join(state.paragraphs))
            state.paragraphs = []
            column = len(state.cells)
            if state.continues_above and column < len(state.above):
                text = state.above[column]
            if column + max(state.span, 1) > max_cells:
                raise DocumentError(source, f"more than {max_cells} cells in a row",
                                    TableRow(len(tables), state.row_count, ()))
            state.cells.append(text)
            state.cells.extend([""] * (state.span - 1))
        elif tag == _TR:
            if state.row_count >= max_rows:
                raise DocumentError(source, f"more than {max_rows} rows in a table",
                                    TableRow(len(tables), state.row_count, ()))
            cells, state.cells = state.cells, []
            if any(cells):
                state.rows.append(TableRow(len(tables), state.row_count, tuple(cells)))
            state.above = cells
            state.row_count += 1
            _free(element)
        elif tag == _TBL:
            finished = stack.pop()
            if stack:  # nested: its text belongs to the enclosing cell
                stack[-1].paragraphs.append(finished.text())
            else:
                tables.append(Table(index=len(tables), rows=finished.rows))
            _free(element)
    return tables


def _free(element: etree._Element) -> None:
    """Clear a finished element and drop the finished siblings before it: cleared
    elements stay in the tree, which a document of millions of rows would fill."""
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def _int_value(element: etree._Element, default: int) -> int:
    try:
        return int(element.get(_W + "val", default))
    except ValueError:
        return default


def _xml_problem(exc: etree.XMLSyntaxError) -> str:
    """The first error libxml2 logged (an undeclared entity shows up there, while the
    exception itself says only 'no element found'), with its line and column."""
    errors = exc.error_log.filter_from_errors()
    if errors:
        first = errors[0]
        return f"{one_line(first.message)} (line {first.line}, column {first.column})"
    return one_line(exc)


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"
