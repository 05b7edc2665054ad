"""Tables from a list attachment in DOCX or PDF, told apart by magic bytes, not the file name."""

from __future__ import annotations

from ..limits import Limits
from .docx import read_docx_tables
from .pdf import read_pdf_tables
from .tables import DocumentError, Table, sniff_file_type


def read_list_tables(data: bytes, source: str, limits: Limits | None = None, *, what: str = "list") -> list[Table]:
    """The tables of a DOCX or PDF ``what``; DocumentError naming ``source`` for other bytes."""
    kind = sniff_file_type(data)
    if kind == "zip":
        return read_docx_tables(data, source, limits)
    if kind == "pdf":
        return read_pdf_tables(data, source, limits)
    raise DocumentError(source, f"expected a DOCX or PDF {what}, found {kind} bytes")
