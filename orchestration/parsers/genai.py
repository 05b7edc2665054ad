"""The gen-AI list parser: 备案 (national filing) and 登记 (local registration) rows.

A list holds one table (or one per tier): the 备案 rows first, then the 登记
rows, either under an inner 登记 header row or under the same header. Columns
are mapped by header name because the CAC renamed them over time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..limits import Limits
from .dates import parse_list_date
from .documents import read_list_tables
from .numbers import looks_like_local_registration, parse_registration_number
from .provinces import province_by_name
from .tables import EXTRA, DocumentError, Table, TableRow, extra_columns
from .text import compact

NATIONAL = "national_filing"
LOCAL = "local_registration"
GENERAL = "general"
ON_DEVICE = "on_device"  # 手机端侧 services: national filings in a table of their own

# header label (compacted) -> output field
_COLUMNS: dict[str, str] = {
    "序号": "serial_raw",
    "属地": "locality",
    "模型名称": "service_name",
    "大模型名称": "service_name",
    "应用/功能名称": "service_name",
    "应用名称": "service_name",
    "功能名称": "service_name",
    "备案单位": "filer",
    "登记单位": "filer",
    "备案号": "registration_number",
    "备案编号": "registration_number",
    "上线编号": "registration_number",
    "备案时间": "registered_on_raw",
    "登记时间": "registered_on_raw",
    "服务名称": "service_name",
    "产品名称": "service_name",
    "适用场景": "scenario",
}
_LOCAL_LABELS = {"应用/功能名称", "应用名称", "功能名称", "登记单位", "上线编号", "登记时间"}
_REQUIRED = ("serial_raw", "locality", "service_name", "filer", "registration_number", "registered_on_raw")
_MIN_KNOWN_LABELS = 4  # a row naming this many known labels is a header row


@dataclass
class GenaiParseResult:
    rows: list[dict] = field(default_factory=list)
    inner_header_rows: list[TableRow] = field(default_factory=list)  # 2nd headers inside a table
    header_rows: int = 0  # every header row seen, top and inner


@dataclass(frozen=True)
class _Header:
    columns: dict[str, int]  # output field -> column position
    extra: dict[str, int]  # "extra:<label>" -> position, for columns no field claims
    is_local: bool  # a 登记 header (上线编号/登记单位 …)
    is_on_device: bool  # an on-device (端侧) table: its header adds 适用场景, its serials start at 1


def _is_header(row: TableRow) -> bool:
    return sum(compact(c) in _COLUMNS for c in row.cells) >= _MIN_KNOWN_LABELS


def _read_header(row: TableRow, source: str) -> _Header:
    """Map fields to positions by name; a missing label is an error, an unknown one is kept
    (its cells go to the row's extra_columns)."""
    columns: dict[str, int] = {}
    extra: dict[str, int] = {}
    for pos, cell in enumerate(row.cells):
        label = compact(cell)
        if not label:
            continue
        if label not in _COLUMNS:
            extra.setdefault(EXTRA + label, pos)
            continue
        columns[_COLUMNS[label]] = pos
    missing = [f for f in _REQUIRED if f not in columns]
    if missing:
        raise DocumentError(source, f"header lacks columns for {', '.join(missing)}", row)
    is_local = any(compact(c) in _LOCAL_LABELS for c in row.cells)
    return _Header(columns, extra, is_local, is_on_device="scenario" in columns and not is_local)


def _serial(row: dict) -> int | None:
    text = row["serial_raw"]
    # ASCII digits only: str.isdigit() also accepts digits int() refuses (e.g. Ethiopic ፩)
    return int(text) if text.isascii() and text.isdigit() else None


def _row_dict(row: TableRow, header: _Header) -> dict:
    values = {f: row.cells[pos] if pos < len(row.cells) else "" for f, pos in header.columns.items()}
    return {
        "tier": None,
        "tier_rule": None,
        "service_kind": ON_DEVICE if header.is_on_device else GENERAL,
        "serial_raw": values["serial_raw"],
        "locality": values["locality"],
        "service_name": values["service_name"],
        "filer": values["filer"],
        "registration_number": values["registration_number"],
        "registered_on_raw": values["registered_on_raw"],
        "scenario": values.get("scenario", ""),
        "extra_columns": extra_columns({k: row.cells[pos] if pos < len(row.cells) else ""
                                        for k, pos in header.extra.items()}),
        "table_index": row.table_index,
        "row_index": row.row_index,
        "page": row.page,
    }


def _tier_by_number(number: str) -> str | None:
    """登记 by the S-pattern, 备案 by a complete number; None when cut short or missing."""
    if looks_like_local_registration(number):
        return LOCAL
    parsed = parse_registration_number(number)
    return NATIONAL if parsed is not None else None


def _tier_by_serial(rows: list[dict], i: int) -> str | None:
    """The tier whose serial sequence row i continues, from its nearest decided neighbours.

    A row continues tier T when the decided row just before it is T with serial
    one less, or the decided row just after it is T with serial one more. Only
    an unambiguous answer counts.
    """
    serial = _serial(rows[i])
    if serial is None:
        return None
    fits: set[str] = set()
    before = next((r for r in reversed(rows[:i]) if r["tier"]), None)
    after = next((r for r in rows[i + 1:] if r["tier"]), None)
    if before is not None and _serial(before) == serial - 1:
        fits.add(before["tier"])
    if after is not None and _serial(after) == serial + 1:
        fits.add(after["tier"])
    return fits.pop() if len(fits) == 1 else None


def _classify_segment(rows: list[dict], header: _Header, split_by_header: bool) -> None:
    """Set tier and tier_rule on the rows under one header (in place)."""
    if header.is_on_device:
        # on-device services are national filings (已备案) with a sequence of their own
        for row in rows:
            row["tier"], row["tier_rule"] = NATIONAL, "on_device_table"
        return
    if split_by_header:
        # the table has a 登记 header somewhere: the header the row stands under decides
        for row in rows:
            row["tier"], row["tier_rule"] = (LOCAL if header.is_local else NATIONAL), "inner_header"
        return
    for row in rows:
        tier = _tier_by_number(row["registration_number"])
        if tier:
            row["tier"], row["tier_rule"] = tier, "number_pattern"
    undecided = [i for i, row in enumerate(rows) if not row["tier"]]
    for i in undecided:
        tier = _tier_by_serial(rows, i)
        # a number that is not 登记-shaped counts as 备案 when the serials cannot tell
        rows[i]["tier"], rows[i]["tier_rule"] = (tier, "serial_sequence") if tier else (NATIONAL, "number_pattern")


def _parse_table(table: Table, source: str, result: GenaiParseResult) -> None:
    segments: list[tuple[_Header, list[dict]]] = []
    for row in table.rows:
        if not any(row.cells):
            continue
        if _is_header(row):
            if segments:
                result.inner_header_rows.append(row)
            segments.append((_read_header(row, source), []))
            result.header_rows += 1
            continue
        if not segments:
            raise DocumentError(source, "data row before any header row", row)
        segments[-1][1].append(_row_dict(row, segments[-1][0]))
    split_by_header = any(header.is_local for header, _ in segments)
    for header, rows in segments:
        _classify_segment(rows, header, split_by_header)
        result.rows.extend(rows)


def parse_genai_tables(tables: list[Table], source: str) -> GenaiParseResult:
    """Rows of every table, each with its tier and the rule that decided it."""
    result = GenaiParseResult()
    for table in tables:
        _parse_table(table, source, result)
    if not result.header_rows:
        raise DocumentError(source, "no gen-AI list table found")
    return result


def parse_genai_document(data: bytes, source: str, limits: Limits | None = None) -> GenaiParseResult:
    """Parse a gen-AI list attachment, DOCX or PDF, whatever its file name says."""
    tables = read_list_tables(data, source, limits, what="gen-AI list")
    return parse_genai_tables(tables, source)


def registration_fields(row: dict) -> dict:
    """The parts of a parsed row an analyst needs as columns: the serial as a number,
    the canonical provinces of 属地 and of the number's prefix, the number's parts, and
    the date with its note (（补登） and the like)."""
    number = parse_registration_number(row["registration_number"])
    registered_on, note = parse_list_date(row["registered_on_raw"])
    locality = province_by_name(row["locality"])
    number_province = number.province if number else None
    return {
        "serial": _serial(row),
        "locality_province_code": locality.code if locality else None,
        "number_prefix": number.prefix if number else None,
        "number_province_code": number_province.code if number_province else None,
        "number_pinyin_name": number.pinyin_name if number else None,
        "number_date": number.embedded_date if number else None,
        "number_sequence": number.sequence if number else None,
        # a number that parses and whose shape agrees with the row's tier
        "number_is_valid": number is not None and number.is_local == (row["tier"] == LOCAL),
        "registered_on": registered_on,
        "registered_on_note": note,
        "is_supplementary": "补登" in note,
    }
