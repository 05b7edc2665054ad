"""DOCX tables in one lxml pass over word/document.xml (no python-docx: 3x slower)."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .tables import DocumentError, Table, TableRow
from .text import normalise_cell

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_TAGS = {_W + "t": None, _W + "tab": " ", _W + "br": " ", _W + "cr": " "}


def _cell_text(tc: etree._Element) -> str:
    parts: list[str] = []
    for p in tc.iter(_W + "p"):
        for node in p.iter(*_TEXT_TAGS):
            parts.append(node.text or "" if node.tag == _W + "t" else " ")
        parts.append(" ")
    return normalise_cell("".join(parts))


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_W + "val", default))
    except ValueError:
        return default


def _is_top_level(tbl: etree._Element) -> bool:
    parent = tbl.getparent()
    while parent is not None:
        if parent.tag == _W + "tbl":
            return False
        parent = parent.getparent()
    return True


def read_docx_tables(data: bytes, source: str = "<docx>") -> list[Table]:
    """Every top-level table, one TableRow per <w:tr>.

    Horizontally merged cells (gridSpan) are widened so columns line up with the
    header; vertically merged continuation cells (vMerge) repeat the value above,
    which is what the reader of the document sees.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DocumentError(source, f"not a readable DOCX file ({exc})") from exc
    root = etree.fromstring(xml, parser=etree.XMLParser(huge_tree=True))
    tables: list[Table] = []
    for tbl in root.iter(_W + "tbl"):
        if not _is_top_level(tbl):
            continue
        table = Table(index=len(tables))
        above: list[str] = []
        for row_index, tr in enumerate(tbl.findall(_W + "tr")):
            cells: list[str] = []
            for tc in tr.findall(_W + "tc"):
                props = tc.find(_W + "tcPr")
                span = _int_attr(props.find(_W + "gridSpan") if props is not None else None, 1)
                vmerge = props.find(_W + "vMerge") if props is not None else None
                text = _cell_text(tc)
                if vmerge is not None and vmerge.get(_W + "val", "continue") == "continue":
                    col = len(cells)
                    text = above[col] if col < len(above) else text
                cells.append(text)
                cells.extend([""] * (span - 1))
            above = cells
            table.rows.append(TableRow(table.index, row_index, tuple(cells)))
        tables.append(table)
    return tables
