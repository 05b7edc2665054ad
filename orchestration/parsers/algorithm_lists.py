"""Rows of the algorithm-filing lists (deep synthesis and algorithm recommendation).

Both series share one layout, differing in one column (角色 vs 算法类别); columns
are found by header name, never by position (the 2024年6月 list has an empty
extra column).
"""

from __future__ import annotations

from ..vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS
from .numbers import filing_number_fields
from .tables import DocumentError, Table, cells_by_field, extra_columns, header_map, known_fields


# The values of 角色 (deep synthesis) and of 算法类别 (algorithm recommendation) as the lists
# print them: the validation's sets, and what a cancellation list's 角色 cell is read against.
# 检索过滤类 was split into 信息检索类 and 内容过滤类 in 2024; 生成合成类 appears only in 2022.
ROLES = ("服务提供者", "服务技术支持者")
ALGORITHM_CATEGORIES = ("个性化推送类", "排序精选类", "调度决策类", "生成合成类", "检索过滤类",
                        "信息检索类", "内容过滤类")

_COMMON_COLUMNS = {
    "序号": "serial_raw",
    "算法名称": "algorithm_name",
    "主体名称": "entity",
    "应用产品": "product",
    "主要用途": "purpose",
    "备案编号": "filing_number_raw",
    "备注": "remark",
}
SERIES_COLUMNS: dict[str, dict[str, str]] = {
    SERIES_DEEP_SYNTHESIS: {**_COMMON_COLUMNS, "角色": "role"},
    SERIES_ALGORITHM_RECOMMENDATION: {**_COMMON_COLUMNS, "算法类别": "algorithm_category"},
}
# Columns a list may lack without the file being unreadable.
_OPTIONAL = {"serial_raw", "remark", "purpose"}

ROW_FIELDS = ("table_index", "row_index", "serial_raw", "algorithm_name", "role",
              "algorithm_category", "entity", "product", "purpose", "filing_number_raw",
              "filing_number", "remark", "region_code", "entity_id", "algorithm_type",
              "filing_year")


def parse_algorithm_tables(tables: list[Table], series: str, source: str) -> list[dict]:
    """One record per data row, with its table and row index for provenance.

    Rows whose every cell is empty are dropped (they carry nothing); rows with an
    empty 序号 are kept, because Word's automatic numbering is not stored in the file.
    """
    columns = SERIES_COLUMNS[series]
    required = set(columns.values()) - _OPTIONAL
    records: list[dict] = []
    found_header = False
    for table in tables:
        mapping: dict[str, int] | None = None
        for row in table.rows:
            header = header_map(row, columns, required)
            if header is not None:
                mapping, found_header = header, True
                continue
            if mapping is None or not any(row.cells):
                continue
            record = {field: "" for field in ROW_FIELDS}
            record.update(table_index=row.table_index, row_index=row.row_index)
            values = cells_by_field(row, mapping)
            record.update(known_fields(values), extra_columns=extra_columns(values))
            record.update(filing_number_fields(record["filing_number_raw"]))
            records.append(record)
    if not found_header:
        expected = " | ".join(columns)
        raise DocumentError(source, f"no table with the {series} header ({expected}); "
                                    "is this the right series?")
    return records
