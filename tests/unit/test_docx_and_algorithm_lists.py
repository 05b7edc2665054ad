"""read_docx_tables and parse_algorithm_tables on small DOCX files written here.

The traps are those of the real lists (corpus/README.md, domain.md sections 2-3):
merged cells, blank rows, an extra empty column (deep synthesis 2024年6月), empty
序号 cells (Word auto-numbering), numbers with spaces or without 号, the one
22-digit number.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest

from orchestration.parsers.algorithm_lists import parse_algorithm_tables
from orchestration.parsers.docx import read_docx_tables
from orchestration.parsers.tables import DocumentError
from orchestration.vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS

DS_HEADER = ["序号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]
AR_HEADER = ["序号", "算法名称", "算法类别", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]

# Real rows (deep synthesis 2023年6月, algorithm recommendation 2022年8月), trimmed.
TAOPIAOPIAO = ["1", "淘票票AI生成算法", "服务提供者", "上海淘票票影视文化有限公司", "淘票票(APP)",
               "应用于图像生成场景", "网信算备310107361090201230011号", ""]
MEITUAN = ["9", "美团配送调度算法", "调度决策类", "北京三快科技有限公司", "美团(APP)",
           "应用于即时配送场景", "网信算备1101082242366066220017号", ""]


def write_docx(path: Path, tables: list[list[list[str]]], paragraphs_before: str = "附件") -> bytes:
    document = docx.Document()
    document.add_paragraph(paragraphs_before)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
        document.add_paragraph("")
    document.save(path)
    return path.read_bytes()


# --- read_docx_tables -------------------------------------------------------------

def test_horizontal_merge_is_widened_to_the_grid(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for c, value in enumerate(["a", "b", "c", "d"]):
        table.cell(0, c).text = value
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    merged.text = "bc"
    table.cell(1, 0).text = "1"
    table.cell(1, 3).text = "4"
    document.save(tmp_path / "h.docx")
    data = (tmp_path / "h.docx").read_bytes()
    assert b"gridSpan" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")

    (parsed,) = read_docx_tables(data, "h.docx")
    assert [row.cells for row in parsed.rows] == [("a", "b", "c", "d"), ("1", "bc", "", "4")]


def test_vertical_merge_repeats_the_value_above(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for r in range(4):
        table.cell(r, 0).text = str(r)
        table.cell(r, 2).text = f"x{r}"
    merged = table.cell(1, 1).merge(table.cell(3, 1))  # rows 1-3 of column 1
    merged.text = "服务技术支持者"
    table.cell(0, 1).text = "角色"
    document.save(tmp_path / "v.docx")
    data = (tmp_path / "v.docx").read_bytes()
    assert b"vMerge" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")

    (parsed,) = read_docx_tables(data, "v.docx")
    assert [row.cells for row in parsed.rows] == [
        ("0", "角色", "x0"),
        ("1", "服务技术支持者", "x1"),
        ("2", "服务技术支持者", "x2"),
        ("3", "服务技术支持者", "x3"),
    ]
    assert [(row.table_index, row.row_index, row.page) for row in parsed.rows] == [
        (0, 0, None), (0, 1, None), (0, 2, None), (0, 3, None)]


def test_cells_are_normalised_and_nested_tables_ignored(tmp_path):
    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    cell = outer.cell(0, 0)
    cell.text = "美团(APP)"
    cell.add_paragraph("美团外卖(APP)")  # two paragraphs in one cell
    outer.cell(0, 1).text = "  网信算备１１０１０８  "  # full-width digits, stray spaces
    outer.cell(0, 1).add_table(rows=1, cols=1).cell(0, 0).text = "nested"
    document.add_table(rows=1, cols=1).cell(0, 0).text = "second"
    document.save(tmp_path / "n.docx")

    tables = read_docx_tables((tmp_path / "n.docx").read_bytes(), "n.docx")
    assert [t.index for t in tables] == [0, 1]
    assert tables[0].rows[0].cells[0] == "美团(APP) 美团外卖(APP)"
    assert tables[0].rows[0].cells[1].startswith("网信算备110108")
    assert tables[1].rows[0].cells == ("second",)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n%\xe2\xe3", b"", b"<html>not a docx</html>"])
def test_non_zip_raises_document_error_naming_the_file(data):
    with pytest.raises(DocumentError) as info:
        read_docx_tables(data, "境内深度合成服务算法备案清单（2099年1月）.docx")
    assert "境内深度合成服务算法备案清单（2099年1月）.docx" in str(info.value)


def test_zip_without_document_xml_raises_document_error():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(DocumentError, match="list.xlsx"):
        read_docx_tables(buffer.getvalue(), "list.xlsx")


# --- parse_algorithm_tables -------------------------------------------------------

def test_deep_synthesis_rows_with_the_real_traps(tmp_path):
    rows = [
        ["境内深度合成服务算法备案清单"] + [""] * 7,  # a title row before the header: skipped
        DS_HEADER,
        TAOPIAOPIAO,
        [""] * 8,  # blank row: dropped
        ["", "智能写作算法", "服务提供者", "北京某科技有限公司", "写作(APP)", "应用于文本生成场景",
         "网信算备 110108 8234839 01 23 0031 号", ""],  # empty 序号, number with spaces
        ["3", "语音合成算法", "服务技术支持者", "北京某科技有限公司", "--", "应用于语音合成场景",
         "网信算备110108823483901240017", "2023年8月更新应用产品"],  # no 号
        ["4", "坏编号算法", "服务提供者", "某公司", "某(APP)", "用途", "网信算备12345号", ""],  # bad number
    ]
    data = write_docx(tmp_path / "ds.docx", [rows])
    records = parse_algorithm_tables(read_docx_tables(data, "ds.docx"), SERIES_DEEP_SYNTHESIS, "ds.docx")

    assert len(records) == 4  # title, header and blank row are not data
    assert [r["row_index"] for r in records] == [2, 4, 5, 6]
    assert {r["table_index"] for r in records} == {0}
    first, spaced, no_hao, bad = records
    assert first["serial_raw"] == "1" and first["entity"] == "上海淘票票影视文化有限公司"
    assert first["role"] == "服务提供者" and first["algorithm_category"] == ""
    assert (first["filing_number"], first["region_code"], first["entity_id"], first["algorithm_type"],
            first["filing_year"]) == ("310107361090201230011", "310107", "3610902", "01", 2023)
    assert spaced["serial_raw"] == ""  # empty 序号 kept, row keyed on the number
    assert spaced["filing_number"] == "110108823483901230031"
    assert spaced["filing_number_raw"] == "网信算备 110108 8234839 01 23 0031 号"
    assert no_hao["filing_number"] == "110108823483901240017" and no_hao["filing_year"] == 2024
    assert no_hao["product"] == "--" and no_hao["remark"] == "2023年8月更新应用产品"
    assert bad["filing_number"] is None and bad["region_code"] is None and bad["filing_year"] is None
    assert bad["filing_number_raw"] == "网信算备12345号"


def test_extra_empty_column_like_the_2024_06_deep_synthesis_list(tmp_path):
    header = DS_HEADER[:6] + [""] + DS_HEADER[6:]
    row = TAOPIAOPIAO[:6] + [""] + TAOPIAOPIAO[6:]
    data = write_docx(tmp_path / "drift.docx", [[header, row]])
    (record,) = parse_algorithm_tables(read_docx_tables(data, "drift.docx"), SERIES_DEEP_SYNTHESIS, "drift.docx")
    assert record["filing_number"] == "310107361090201230011"
    assert record["filing_number_raw"] == "网信算备310107361090201230011号"
    assert record["purpose"] == "应用于图像生成场景" and record["remark"] == ""


def test_columns_in_another_order_and_spaced_headers(tmp_path):
    order = [6, 3, 0, 2, 1, 4, 5, 7]
    header = [AR_HEADER[i] for i in order]
    header[header.index("序号")] = "序 号"  # header text with a space
    row = [MEITUAN[i] for i in order]
    data = write_docx(tmp_path / "order.docx", [[header, row]])
    (record,) = parse_algorithm_tables(read_docx_tables(data, "order.docx"), SERIES_ALGORITHM_RECOMMENDATION,
                                       "order.docx")
    assert record["serial_raw"] == "9"
    assert record["algorithm_name"] == "美团配送调度算法"
    assert record["algorithm_category"] == "调度决策类" and record["role"] == ""
    assert record["entity"] == "北京三快科技有限公司"
    # the one real 22-digit number: entity from the left, year and sequence from the right
    assert (record["filing_number"], record["region_code"], record["entity_id"], record["algorithm_type"],
            record["filing_year"]) == ("1101082242366066220017", "110108", "2242366", "066", 2022)


def test_vertically_merged_role_reaches_every_row(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=3, cols=8)
    for c, value in enumerate(DS_HEADER):
        table.cell(0, c).text = value
    for r, number in ((1, "网信算备110108823483901230031号"), (2, "网信算备110108823483901230049号")):
        for c, value in enumerate(TAOPIAOPIAO):
            table.cell(r, c).text = value
        table.cell(r, 6).text = number
    table.cell(1, 2).merge(table.cell(2, 2)).text = "服务技术支持者"
    document.save(tmp_path / "vm.docx")
    data = (tmp_path / "vm.docx").read_bytes()
    records = parse_algorithm_tables(read_docx_tables(data, "vm.docx"), SERIES_DEEP_SYNTHESIS, "vm.docx")
    assert [(r["role"], r["filing_number"]) for r in records] == [
        ("服务技术支持者", "110108823483901230031"), ("服务技术支持者", "110108823483901230049")]


def test_rows_of_several_tables_keep_their_table_index(tmp_path):
    second = [AR_HEADER, MEITUAN]
    first = [AR_HEADER, ["1"] + MEITUAN[1:6] + ["网信算备310107429160605220017号", ""]]
    data = write_docx(tmp_path / "two.docx", [first, second])
    records = parse_algorithm_tables(read_docx_tables(data, "two.docx"), SERIES_ALGORITHM_RECOMMENDATION, "two.docx")
    assert [(r["table_index"], r["row_index"], r["filing_number"]) for r in records] == [
        (0, 1, "310107429160605220017"), (1, 1, "1101082242366066220017")]


def test_wrong_series_header_raises_document_error_naming_the_file(tmp_path):
    name = "境内深度合成服务算法备案清单（2024年6月）.docx"
    data = write_docx(tmp_path / "ds.docx", [[DS_HEADER, TAOPIAOPIAO]])
    with pytest.raises(DocumentError) as info:
        parse_algorithm_tables(read_docx_tables(data, name), SERIES_ALGORITHM_RECOMMENDATION, name)
    assert name in str(info.value)
    assert "算法类别" in str(info.value)  # says which header it looked for


def test_document_without_tables_raises_document_error(tmp_path):
    document = docx.Document()
    document.add_paragraph("附件：境内互联网信息服务算法备案清单")
    document.save(tmp_path / "empty.docx")
    tables = read_docx_tables((tmp_path / "empty.docx").read_bytes(), "empty.docx")
    assert tables == []
    with pytest.raises(DocumentError, match="empty.docx"):
        parse_algorithm_tables(tables, SERIES_ALGORITHM_RECOMMENDATION, "empty.docx")
