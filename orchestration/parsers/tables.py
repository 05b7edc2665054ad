"""The table shape every document parser (DOCX, PDF, XLSX) produces."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .text import compact


@dataclass(frozen=True)
class TableRow:
    table_index: int  # which table of the document (a PDF table over pages is one table)
    row_index: int  # position of the row in its table, header rows included, from 0
    cells: tuple[str, ...]  # normalised cell texts, one per grid column
    page: int | None = None  # PDF page number from 1; None for DOCX


@dataclass
class Table:
    index: int
    rows: list[TableRow] = field(default_factory=list)


class DocumentError(ValueError):
    """A document that cannot be read as a list: names the file and, where known, the row."""

    def __init__(self, source: str, message: str, row: TableRow | None = None):
        where = source
        if row is not None:
            where += f", table {row.table_index} row {row.row_index}"
            if row.page is not None:
                where += f" (page {row.page})"
        super().__init__(f"{where}: {message}")
        self.source = source
        self.row = row


def sniff_file_type(data: bytes) -> str:
    """The type from the magic bytes, never the extension: docx/xlsx (zip), pdf or html."""
    head = data[:8]
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    text = data[:512].lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in text:
        return "html"
    return "unknown"


EXTRA = "extra:"  # header_map's key for a column no field claims: "extra:备注"


def header_map(row: TableRow, columns: dict[str, str], required: set[str]) -> dict[str, int] | None:
    """Field -> column index when ``row`` is a header row naming every ``required`` field
    (``columns``: header label without white space -> field), else None. A labelled column
    no field claims is kept as ``extra:<label>``: its cells go to the row's extra_columns."""
    found: dict[str, int] = {}
    extra: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        label = compact(cell)
        field = columns.get(label)
        if field and field not in found:
            found[field] = index
        elif label and not field:
            extra.setdefault(EXTRA + label, index)
    return {**found, **extra} if required <= found.keys() else None


def known_fields(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if not k.startswith(EXTRA)}


def extra_columns(values: dict[str, str]) -> str | None:
    """The cells of the columns no field claims, as JSON {header: text}; None when none has
    text. Every series keeps them this way: never dropped, never a failure."""
    extra = {k[len(EXTRA):]: v for k, v in values.items() if k.startswith(EXTRA) and v}
    return json.dumps(extra, ensure_ascii=False) if extra else None


def cells_by_field(row: TableRow, mapping: dict[str, int]) -> dict[str, str]:
    """The row's cells by field; a field past the row's last cell is empty."""
    return {field: (row.cells[index] if index < len(row.cells) else "") for field, index in mapping.items()}
