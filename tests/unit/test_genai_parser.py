"""Tier splitting and column mapping of the gen-AI list parser, on hand-made tables."""

from __future__ import annotations

import pytest

from orchestration.parsers.genai import parse_genai_document, parse_genai_tables
from orchestration.parsers.tables import DocumentError, Table, TableRow

NATIONAL_HEADER = ("序号", "属地", "大模型名称", "备案单位", "备案编号", "备案时间")
OLD_NATIONAL_HEADER = ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间")
LOCAL_HEADER = ("序号", "属地", "应用/功能名称", "登记单位", "上线编号", "登记时间")
ON_DEVICE_HEADER = ("序号", "属地", "大模型名称", "备案单位", "备案编号", "备案时间", "适用场景")
ROW_KEYS = {"tier", "tier_rule", "service_kind", "serial_raw", "locality", "service_name", "filer",
            "registration_number", "registered_on_raw", "scenario", "table_index", "row_index", "page",
            "extra_columns"}


def national(serial: int, number: str | None = None) -> tuple[str, ...]:
    return (str(serial), "北京市", f"模型{serial}", f"北京公司{serial}",
            f"Beijing-MoXing{serial}-20240428{serial:04d}" if number is None else number, "2024/6/6")


def local(serial: int, number: str | None = None) -> tuple[str, ...]:
    return (str(serial), "上海市", f"应用{serial}", f"上海公司{serial}",
            f"Shanghai-YingYong{serial}-20250101S{serial:04d}" if number is None else number, "2025/1/9")


def table(*rows: tuple[str, ...], index: int = 0) -> Table:
    return Table(index, [TableRow(index, i, tuple(cells)) for i, cells in enumerate(rows)])


def tiers(result) -> list[tuple[str, str, str]]:
    return [(r["serial_raw"], r["tier"], r["tier_rule"]) for r in result.rows]


def test_inner_header_splits_the_table_and_is_not_a_data_row():
    # the 登记 row with a cut-short number is still 登记: the header decides
    t = table(NATIONAL_HEADER, national(1), national(2), LOCAL_HEADER, local(1), local(2, "Shanghai-X-"))
    result = parse_genai_tables([t], "list.docx")
    assert tiers(result) == [
        ("1", "national_filing", "inner_header"), ("2", "national_filing", "inner_header"),
        ("1", "local_registration", "inner_header"), ("2", "local_registration", "inner_header"),
    ]
    assert [r.cells for r in result.inner_header_rows] == [LOCAL_HEADER]
    assert result.header_rows == 2
    assert [r["row_index"] for r in result.rows] == [1, 2, 4, 5]


def test_without_inner_header_the_number_pattern_decides():
    t = table(NATIONAL_HEADER, national(7), national(8), local(3), local(4, "Shanghai-Y-20250101 S 0004"))
    result = parse_genai_tables([t], "list.pdf")
    assert tiers(result) == [
        ("7", "national_filing", "number_pattern"), ("8", "national_filing", "number_pattern"),
        ("3", "local_registration", "number_pattern"), ("4", "local_registration", "number_pattern"),
    ]
    assert result.inner_header_rows == []


def test_truncated_number_among_local_rows_continues_the_local_serials():
    # the 2025年10月 case: 登记 serial 286 printed as "Jiangsu-SiWeiXiangLiangZhiSuanYun-"
    t = table(NATIONAL_HEADER, national(560), national(561), local(285),
              local(286, "Jiangsu-SiWeiXiangLiangZhiSuanYun-"), local(287))
    row = parse_genai_tables([t], "list.docx").rows[3]
    assert (row["serial_raw"], row["tier"], row["tier_rule"]) == ("286", "local_registration", "serial_sequence")
    assert row["registration_number"] == "Jiangsu-SiWeiXiangLiangZhiSuanYun-"


def test_broken_number_among_national_rows_continues_the_national_serials():
    t = table(NATIONAL_HEADER, national(470), national(471, "ZheJiang-X-2025060900002611"), national(472), local(12))
    row = parse_genai_tables([t], "list.docx").rows[1]
    assert (row["tier"], row["tier_rule"]) == ("national_filing", "serial_sequence")


def test_missing_number_that_continues_no_sequence_falls_back_to_national():
    t = table(NATIONAL_HEADER, national(10), local(40, ""), local(50))
    row = parse_genai_tables([t], "list.docx").rows[1]
    assert (row["tier"], row["tier_rule"]) == ("national_filing", "number_pattern")


def test_tier_follows_the_header_not_the_table_position():
    # a 登记 table first, a 备案 table second: position in the document says nothing
    first = table(LOCAL_HEADER, local(1), local(2, "Beijing-Z-"), index=0)
    second = table(NATIONAL_HEADER, national(1), index=1)
    result = parse_genai_tables([first, second], "list.docx")
    assert [r["tier"] for r in result.rows] == ["local_registration"] * 2 + ["national_filing"]
    assert [r["table_index"] for r in result.rows] == [0, 0, 1]


def test_header_drift_maps_to_the_same_fields():
    old = parse_genai_tables([table(OLD_NATIONAL_HEADER, national(1))], "old.docx").rows
    new = parse_genai_tables([table(NATIONAL_HEADER, national(1))], "new.docx").rows
    assert old == new
    assert old[0]["service_name"] == "模型1" and old[0]["registration_number"].startswith("Beijing-")


def test_columns_are_mapped_by_name_not_position():
    order = (4, 0, 5, 2, 1, 3)
    shuffled = tuple(NATIONAL_HEADER[i] for i in order)
    data = tuple(national(5)[i] for i in order)
    row = parse_genai_tables([table(shuffled, data)], "shuffled.docx").rows[0]
    assert set(row) == ROW_KEYS
    assert (row["serial_raw"], row["locality"], row["service_name"], row["filer"],
            row["registration_number"], row["registered_on_raw"]) == national(5)
    assert row["scenario"] == "" and row["page"] is None


def test_optional_scenario_column_and_date_suffix_are_kept():
    header = NATIONAL_HEADER + ("适用场景",)
    cells = national(3)[:5] + ("2026/2/24（补登）", "手机端侧")
    row = parse_genai_tables([table(header, cells)], "device.docx").rows[0]
    assert row["scenario"] == "手机端侧"
    assert row["registered_on_raw"] == "2026/2/24（补登）"


def test_blank_rows_are_skipped():
    blank = ("",) * 6
    t = table(NATIONAL_HEADER, blank, national(1), blank, LOCAL_HEADER, blank, local(1))
    result = parse_genai_tables([t], "list.docx")
    assert [r["serial_raw"] for r in result.rows] == ["1", "1"]
    assert [r["tier"] for r in result.rows] == ["national_filing", "local_registration"]


def test_an_extra_column_is_kept_with_its_header_and_is_no_failure():
    header = NATIONAL_HEADER + ("备注",)
    result = parse_genai_tables([table(header, national(1) + ("补登",), national(2) + ("",))], "odd-list.docx")
    assert [r["extra_columns"] for r in result.rows] == ['{"备注": "补登"}', None]
    assert [r["serial_raw"] for r in result.rows] == ["1", "2"]


def test_an_unknown_header_in_place_of_a_required_one_names_the_file():
    header = NATIONAL_HEADER[:5] + ("备注说明",)
    with pytest.raises(DocumentError, match="odd-list.docx.*registered_on_raw"):
        parse_genai_tables([table(header, national(1))], "odd-list.docx")


def test_missing_required_header_names_the_file():
    header = NATIONAL_HEADER[:5] + ("",)
    with pytest.raises(DocumentError, match="short-list.docx.*registered_on_raw"):
        parse_genai_tables([table(header, national(1))], "short-list.docx")


def test_document_that_is_neither_docx_nor_pdf_is_rejected():
    with pytest.raises(DocumentError, match="page.htm"):
        parse_genai_document(b"<html><body>Referer required</body></html>", "page.htm")


def on_device(serial: int) -> tuple[str, ...]:
    return (str(serial), "广东省", f"端侧模型{serial}", f"广东手机公司{serial}",
            f"Guangdong-DuanCe{serial}-20260701{serial:04d}", "2026/7/10", "手机端侧智能助手")


def test_on_device_table_is_national_with_its_own_serials():
    # a later list: 备案 and 登记 rows in one table, then the on-device table numbered from 1
    main = table(NATIONAL_HEADER, national(1), national(2), local(1), index=0)
    device = table(ON_DEVICE_HEADER, on_device(1), on_device(2), index=1)
    result = parse_genai_tables([main, device], "list.docx")
    kinds = [(r["serial_raw"], r["tier"], r["service_kind"], r["tier_rule"]) for r in result.rows]
    assert kinds == [
        ("1", "national_filing", "general", "number_pattern"),
        ("2", "national_filing", "general", "number_pattern"),
        ("1", "local_registration", "general", "number_pattern"),
        ("1", "national_filing", "on_device", "on_device_table"),
        ("2", "national_filing", "on_device", "on_device_table"),
    ]
    assert result.rows[-1]["scenario"] == "手机端侧智能助手"


def test_the_on_device_fixture_reads_the_same_from_docx_and_pdf():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
    from later_publications import ON_DEVICE_ROWS, on_device_list

    def essence(kind: str) -> list[tuple]:
        rows = parse_genai_document(on_device_list(kind), f"list.{kind}").rows
        return [(r["tier"], r["service_kind"], r["serial_raw"], r["registration_number"], r["scenario"]) for r in rows]

    docx, pdf = essence("docx"), essence("pdf")
    assert docx == pdf
    on_device = [r for r in docx if r[1] == "on_device"]
    assert [(tier, serial, scenario) for tier, _, serial, _, scenario in on_device] == [
        ("national_filing", row[0], row[6]) for row in ON_DEVICE_ROWS[1:]]
    assert [r[2] for r in docx if r[1] == "general"] == ["869", "870", "531"]
