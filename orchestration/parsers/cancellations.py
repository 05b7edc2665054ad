"""Rows of the cancellation lists (注销算法备案编号的公告, beian.cac.gov.cn).

Each notice carries one PDF table: 序号 | 算法名称 | 角色 | 主体名称 | 应用产品 |
(主要用途) | 备案编号 | 注销时间. The CAC's own PDFs have 主要用途; the corpus
renderings do not. Columns are found by header name, never by position.

The 角色 column is dirty. The lists mix deep-synthesis filings (type 01, which
have a role) with algorithm-recommendation filings (types 02-06, which have an
算法类别 and no role), and for the latter the column holds the class (个性化推送类,
检索过滤类). Some roles are also cut short (服务提供). Every value is kept as
printed (``role_raw``) and read into ``role`` or ``algorithm_category``, with a
``role_note`` saying which case it was.
"""

from __future__ import annotations

import re
from datetime import date

from ..limits import Limits
from .algorithm_lists import ALGORITHM_CATEGORIES, ROLES
from .documents import read_list_tables
from ..vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS
from .numbers import ALGORITHM_TYPES, filing_number_fields, parse_algorithm_filing_number
from .tables import DocumentError, Table, TableRow, cells_by_field, extra_columns, header_map
from .text import compact, normalise_cell

# The printed header (compacted) -> record field. 注销日期 is not seen yet; it is
# the obvious variant and costs nothing to accept.
CANCELLATION_COLUMNS: dict[str, str] = {
    "序号": "serial_raw",
    "算法名称": "algorithm_name",
    "角色": "role_raw",
    "主体名称": "entity",
    "应用产品": "product",
    "主要用途": "purpose",
    "备案编号": "filing_number_raw",
    "注销时间": "cancelled_raw",
    "注销日期": "cancelled_raw",
}
# A list may lack these and still be read: 主要用途 is absent from the renderings,
# and 序号 may be lost the way Word auto-numbering is lost in the filing lists.
_OPTIONAL = {"serial_raw", "purpose"}
_REQUIRED = set(CANCELLATION_COLUMNS.values()) - _OPTIONAL


ROLE_NOTE_EXACT = ""
ROLE_NOTE_TRUNCATED = "truncated"
ROLE_NOTE_ALGORITHM_CLASS = "algorithm_class"
ROLE_NOTE_MISSING = "missing"
ROLE_NOTE_UNRECOGNISED = "unrecognised"


_FILING_NUMBER_LIKE = re.compile(r"网信算备|\d{15,}")
_MONTH_CN = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$")
_MONTH_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")


def read_role(printed: str) -> tuple[str | None, str, str | None]:
    """(role, role_note, algorithm_category) from the 角色 cell as printed.

    A truncation counts only when it names one role unambiguously: 服务提供 is
    服务提供者, but 服务 could be either and stays unread.
    """
    text = compact(printed)
    if not text:
        return None, ROLE_NOTE_MISSING, None
    if text in ROLES:
        return text, ROLE_NOTE_EXACT, None
    candidates = [role for role in ROLES if role.startswith(text)]
    if len(candidates) == 1 and len(text) >= 3:
        return candidates[0], ROLE_NOTE_TRUNCATED, None
    for category in ALGORITHM_CATEGORIES:
        if text in (category, category.removesuffix("类")):
            return None, ROLE_NOTE_ALGORITHM_CLASS, category
    return None, ROLE_NOTE_UNRECOGNISED, None


def parse_cancelled_month(printed: str | None) -> date | None:
    """The month of 注销时间 as the first day of that month; None when unreadable.

    Accepts 2025年9月, 2025年 7月 (a wrapped cell), 2025-09, 2025/9 and a full
    date (2025年9月1日, 2025-09-01), whose day must exist.
    """
    text = compact(printed or "")
    match = _MONTH_CN.match(text) or _MONTH_ISO.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month), int(day) if day else 1)
    except ValueError:
        return None
    return date(int(year), int(month), 1)


def filed_series_of(algorithm_type: str | None) -> str | None:
    """Which list a cancelled number was filed in, from its type digits."""
    if algorithm_type == "01":
        return SERIES_DEEP_SYNTHESIS
    if algorithm_type in ALGORITHM_TYPES:
        return SERIES_ALGORITHM_RECOMMENDATION
    return None


def _is_page_break_fragment(values: dict[str, str], row: TableRow, previous: TableRow | None) -> bool:
    """The rest of the previous row, carried over a page break.

    A PDF row split by a page break leaves its tail at the top of the next page
    with an empty 序号 (the public harvester chenluo951-oss/lawdatify-site notes
    these in the CAC's own PDFs).
    """
    if previous is None or row.page is None or previous.page is None or row.page == previous.page:
        return False
    # a row of its own has a 序号 or a number that parses by itself
    return not values.get("serial_raw") and parse_algorithm_filing_number(values["filing_number_raw"]) is None


def _record(row: TableRow, values: dict[str, str]) -> dict:
    role, role_note, category = read_role(values["role_raw"])
    number = filing_number_fields(values["filing_number_raw"])
    return {
        "table_index": row.table_index,
        "row_index": row.row_index,
        "page": row.page,
        "serial_raw": values.get("serial_raw", ""),
        "algorithm_name": values["algorithm_name"],
        "role_raw": values["role_raw"],
        "role": role,
        "role_note": role_note,
        "algorithm_category": category,
        "entity": values["entity"],
        "product": values["product"],
        "purpose": values.get("purpose") or None,
        "filing_number_raw": values["filing_number_raw"],
        **number,
        "filed_series": filed_series_of(number["algorithm_type"]),
        "cancelled_raw": values["cancelled_raw"],
        "cancelled_month": parse_cancelled_month(values["cancelled_raw"]),
        "extra_columns": extra_columns(values),
    }


def parse_cancellation_tables(tables: list[Table], source: str) -> list[dict]:
    """One record per data row, with table, row and page for provenance.

    Empty rows are skipped; rows with an empty 序号 are kept. A PDF table whose
    continuation was split off as a table of its own (same width, no header)
    keeps the previous header. A page-break fragment is joined to the row it
    belongs to, cell by cell.
    """
    records: list[dict] = []
    found_header = False
    mapping: dict[str, int] | None = None
    width = 0
    previous: TableRow | None = None  # the last data row read, for page-break fragments
    previous_values: dict[str, str] | None = None
    for table in tables:
        first = next((row for row in table.rows if any(row.cells)), None)
        if first is None:
            continue
        if mapping is not None and len(first.cells) != width:
            mapping = None  # a different table: it must bring its own header
            previous = previous_values = None
        for row in table.rows:
            header = header_map(row, CANCELLATION_COLUMNS, _REQUIRED)
            if header is not None:
                mapping, width, found_header = header, len(row.cells), True
                previous = previous_values = None
                continue
            if not any(row.cells):
                continue
            if mapping is None:
                if any(_FILING_NUMBER_LIKE.search(cell) for cell in row.cells):
                    raise DocumentError(source, "filing numbers in a table without the cancellation "
                                                "header (序号 | 算法名称 | 角色 | … | 注销时间)", row)
                continue
            values = cells_by_field(row, mapping)
            if _is_page_break_fragment(values, row, previous) and previous_values is not None:
                for field, text in values.items():
                    previous_values[field] = normalise_cell(previous_values[field] + text)
                records[-1] = _record(previous, previous_values)
                continue
            records.append(_record(row, values))
            previous, previous_values = row, values
    if not found_header:
        raise DocumentError(source, "no table with the cancellation header "
                                    "(序号 | 算法名称 | 角色 | 主体名称 | 应用产品 | 备案编号 | 注销时间)")
    return records


def parse_cancellation_document(data: bytes, source: str, limits: Limits | None = None) -> list[dict]:
    """Read a cancellation list from its bytes (DOCX or PDF, by magic bytes)."""
    tables = read_list_tables(data, source, limits, what="cancellation list")
    return parse_cancellation_tables(tables, source)
