"""Tables from a list attachment in DOCX or PDF, told apart by magic bytes, not the file name."""

from __future__ import annotations

from ..limits import Limits
from .docx import read_docx_tables
from .pdf import read_pdf_tables
from .tables import DocumentError, Table, sniff_file_type

READERS = {"zip": read_docx_tables, "pdf": read_pdf_tables}
KIND_NAMES = {"zip": "DOCX", "pdf": "PDF"}


def read_list_tables(data: bytes, source: str, limits: Limits | None = None, *, what: str = "list",
                     kinds: tuple[str, ...] = ("zip", "pdf")) -> list[Table]:
    """The tables of ``what`` in one of the formats ``kinds`` (sniffed kinds: zip for DOCX,
    pdf); DocumentError naming ``source`` for any other bytes."""
    kind = sniff_file_type(data)
    if kind in kinds:
        return READERS[kind](data, source, limits)
    expected = " or ".join(KIND_NAMES[k] for k in kinds)
    raise DocumentError(source, f"expected a {expected} {what}, found {kind} bytes")
