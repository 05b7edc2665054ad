"""The cancellation parser and CancellationModel on small hand-made lists.

Facts from domain.md section 4: the columns are 序号 | 算法名称 | 角色 | 主体名称 |
应用产品 | (主要用途) | 备案编号 | 注销时间; 注销时间 is a month; cells wrap; 角色 is
cut short (服务提供) or holds an algorithm class (个性化推送类). Rows are the real
ones of the corpus notices (tests/corpus/test_cancellation_corpus.py reads them
from the PDFs).
"""

from __future__ import annotations

import hashlib
import io
from datetime import date

import docx
import pandas as pd
import pandera.pandas as pa
import pytest

from orchestration.parsers.cancellations import (
    filed_series_of, parse_cancellation_document,
    parse_cancellation_tables, parse_cancelled_month, read_role,
)
from orchestration.parsers.tables import DocumentError, Table, TableRow
from orchestration.schemas.cancellations import CancellationModel

# The CAC's own layout, with 主要用途, and header cells broken over two lines.
CAC_HEADER = ["序\n号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "注销时\n间"]
WEIDAO = ["5", "未道科技老照片修复算法", "服务提供", "杭州未道科技有限公司", "未道帮(网站)",
          "应用于图像修复场景", "网信算备330110956120001240019号", "2025年\n7月"]
CHONGPANGPANG_PUSH = ["5", "宠胖胖个性化推送算法", "个性化推送类", "杭州宠胖胖科技有限公司", "宠胖胖(APP)",
                      "应用于内容推荐场景", "网信算备 330110985154602230015 号", "2026年1月"]
GUOSHENG = ["", "果胜铁肩问政大模型算法-2", "服务技术支持者", "佛山果胜铁肩科技有限公司", "--",
            "应用于文本生成场景", "网信算备440607285902801240015号", "2025-07"]


def docx_bytes(tables: list[list[list[str]]]) -> bytes:
    """A DOCX with these tables; a "\\n" in a cell is a line break (<w:br/>), as Word wraps by hand."""
    document = docx.Document()
    document.add_paragraph("附件：注销算法备案编号清单")
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- reading one value --------------------------------------------------------------

@pytest.mark.parametrize("printed, expected", [
    ("服务提供者", ("服务提供者", "", None)),
    ("服务技术支持者", ("服务技术支持者", "", None)),
    ("服务提供", ("服务提供者", "truncated", None)),
    ("服务技术支", ("服务技术支持者", "truncated", None)),
    ("服务 提供者", ("服务提供者", "", None)),  # a wrap inside the cell
    ("服务", (None, "unrecognised", None)),  # a prefix of both roles: not guessed
    ("个性化推送类", (None, "algorithm_class", "个性化推送类")),
    ("检索过滤类", (None, "algorithm_class", "检索过滤类")),
    ("调度决策", (None, "algorithm_class", "调度决策类")),
    ("", (None, "missing", None)),
    ("提供者", (None, "unrecognised", None)),
])
def test_read_role(printed, expected):
    assert read_role(printed) == expected


@pytest.mark.parametrize("printed, expected", [
    ("2025年9月", date(2025, 9, 1)),
    ("2025年\n7月", date(2025, 7, 1)),
    ("2025年 11月", date(2025, 11, 1)),
    ("2025-09", date(2025, 9, 1)),
    ("2025/9", date(2025, 9, 1)),
    ("2025年9月1日", date(2025, 9, 1)),
    ("2025-09-18", date(2025, 9, 1)),
    ("２０２６年１月", date(2026, 1, 1)),  # full-width digits fold
    ("2025年13月", None),
    ("2025年2月30日", None),
    ("2025年", None),
    ("待定", None),
    ("", None),
    (None, None),
])
def test_parse_cancelled_month(printed, expected):
    assert parse_cancelled_month(printed) == expected


def test_filed_series_from_the_type_digits():
    assert filed_series_of("01") == "deep_synthesis"
    assert [filed_series_of(t) for t in ("02", "03", "04", "05", "06")] == ["algorithm_recommendation"] * 5
    assert filed_series_of("066") is None and filed_series_of(None) is None


# --- a DOCX in the CAC's own layout -----------------------------------------------

def test_cac_layout_docx_with_purpose_and_wrapped_cells():
    data = docx_bytes([[CAC_HEADER, WEIDAO, ["", "", "", "", "", "", "", ""], CHONGPANGPANG_PUSH, GUOSHENG]])
    rows = parse_cancellation_document(data, "清单.docx")
    assert [r["row_index"] for r in rows] == [1, 3, 4]  # the empty row 2 is skipped
    weidao, push, guosheng = rows
    assert weidao == {
        "table_index": 0, "row_index": 1, "page": None, "serial_raw": "5",
        "algorithm_name": "未道科技老照片修复算法", "role_raw": "服务提供", "role": "服务提供者",
        "role_note": "truncated", "algorithm_category": None, "entity": "杭州未道科技有限公司",
        "product": "未道帮(网站)", "purpose": "应用于图像修复场景",
        "filing_number_raw": "网信算备330110956120001240019号", "filing_number": "330110956120001240019",
        "region_code": "330110", "entity_id": "9561200", "algorithm_type": "01", "filing_year": 2024,
        "filed_series": "deep_synthesis", "cancelled_raw": "2025年 7月", "cancelled_month": date(2025, 7, 1),
        "extra_columns": None,
    }
    assert (push["role"], push["role_note"], push["algorithm_category"]) == (None, "algorithm_class", "个性化推送类")
    assert push["filing_number"] == "330110985154602230015" and push["filed_series"] == "algorithm_recommendation"
    # an empty 序号 is kept; an ISO month is read
    assert guosheng["serial_raw"] == "" and guosheng["product"] == "--"
    assert guosheng["cancelled_month"] == date(2025, 7, 1)


def test_columns_are_found_by_name_not_position():
    order = [7, 6, 0, 1, 3, 2, 4, 5]  # 注销时间 first, 主要用途 last
    header = [CAC_HEADER[i] for i in order]
    row = [WEIDAO[i] for i in order]
    (record,) = parse_cancellation_document(docx_bytes([[header, row]]), "shuffled.docx")
    assert record["algorithm_name"] == "未道科技老照片修复算法" and record["entity"] == "杭州未道科技有限公司"
    assert record["filing_number"] == "330110956120001240019" and record["cancelled_month"] == date(2025, 7, 1)


def test_a_list_without_the_header_names_the_file():
    data = docx_bytes([[["序号", "名称", "单位"], ["1", "某算法", "某公司"]]])
    with pytest.raises(DocumentError, match=r"^注销清单\.docx: no table with the cancellation header"):
        parse_cancellation_document(data, "注销清单.docx")


def test_filing_numbers_in_a_headerless_table_are_an_error_not_a_silent_skip():
    data = docx_bytes([[CAC_HEADER, WEIDAO], [["1", "某算法", "网信算备330110985154601240013号"]]])
    with pytest.raises(DocumentError, match=r"x\.docx, table 1 row 0: filing numbers in a table without"):
        parse_cancellation_document(data, "x.docx")


def test_bytes_that_are_neither_pdf_nor_docx_are_refused_whatever_the_name():
    with pytest.raises(DocumentError, match=r"notice\.pdf: expected a DOCX or PDF cancellation list, found html"):
        parse_cancellation_document(b"<!DOCTYPE html><html><body>404</body></html>", "notice.pdf")


# --- PDF tables as read_pdf_tables gives them -----------------------------------------

def _table(index: int, rows: list[tuple[int, list[str]]], start: int = 0) -> Table:
    return Table(index, [TableRow(index, start + i, tuple(cells), page) for i, (page, cells) in enumerate(rows)])


RENDER_HEADER = ["序号", "算法名称", "角色", "主体名称", "应用产品", "备案编号", "注销时间"]


def test_a_row_split_by_a_page_break_is_joined_back():
    # The tail of row 15 stands at the top of page 2 with an empty 序号, as in the CAC's PDFs.
    table = _table(0, [
        (1, RENDER_HEADER),
        (1, ["15", "心流文本生成", "服务提供者", "杭州万相创意", "心流(网站)", "网信算备3301107856195012", "2025年"]),
        (2, ["", "算法", "", "科技有限公司", "", "40039号", "7月"]),
        (2, ["16", "碰爪对话合成算法", "服务提供者", "云账户数字科技（天津）有限公司", "碰爪(APP)",
             "网信算备120116367624501230015号", "2025年7月"]),
    ])
    first, second = parse_cancellation_tables([table], "x.pdf")
    assert (first["row_index"], first["page"]) == (1, 1)
    assert first["algorithm_name"] == "心流文本生成算法" and first["entity"] == "杭州万相创意科技有限公司"
    assert first["filing_number"] == "330110785619501240039" and first["cancelled_month"] == date(2025, 7, 1)
    assert second["serial_raw"] == "16" and second["page"] == 2


def test_a_continuation_split_into_its_own_table_keeps_the_header():
    page_1 = _table(0, [(1, RENDER_HEADER), (1, ["1", "天朝人脸融合算法", "服务提供者", "秦皇岛天朝计算机科技有限公司",
                                                 "美颜秀(小程序)", "网信算备130302684159701240013号", "2025年9月"])])
    page_2 = _table(1, [(2, ["2", "乐图生成算法", "服务提供者", "河北乐桐科技有限公司", "乐图生成器（小程序）",
                             "网信算备130110067312101240017号", "2025年9月"])])
    rows = parse_cancellation_tables([page_1, page_2], "x.pdf")
    assert [(r["table_index"], r["serial_raw"], r["page"]) for r in rows] == [(0, "1", 1), (1, "2", 2)]


# --- CancellationModel -------------------------------------------------------------

LIST_URL = "https://beian.cac.gov.cn/api/file/fileDownLoad?noticeId=notice_x"


def frame_of(rows: list[list[str]], header: list[str] = CAC_HEADER) -> pd.DataFrame:
    data = docx_bytes([[header, *rows]])
    records = parse_cancellation_document(data, "list.docx")
    return pd.DataFrame.from_records(records).assign(
        attachment_url=LIST_URL, sha256=hashlib.sha256(data).hexdigest(),
        notice_url="https://beian.cac.gov.cn/notice/notice_x.htm")


def failures_by_row(frame: pd.DataFrame) -> dict[int, set[str]]:
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        CancellationModel.validate(frame, lazy=True)
    cases = caught.value.failure_cases
    cases = cases[cases["index"].notna()]
    found: dict[int, set[str]] = {}
    for index, context, column, check in cases[["index", "schema_context", "column", "check"]].itertuples(
            index=False):
        # a dataframe-level check is reported once per column: name the check only
        label = check if context == "DataFrameSchema" else f"{column}:{check}"
        found.setdefault(int(index), set()).add(label)
    return found


def test_model_accepts_dirty_roles_and_quarantines_real_failures():
    next_year = date.today().year + 1
    frame = frame_of([
        WEIDAO,                                                                    # 0: truncated role, good
        CHONGPANGPANG_PUSH,                                                        # 1: class as role, good
        GUOSHENG,                                                                  # 2: empty 序号, good
        [*WEIDAO[:6], "网信算备33011095612000124号", "2025年7月"],                    # 3: 19 digits
        [*WEIDAO[:6], "", "2025年7月"],                                              # 4: no number
        ["9", " ", *WEIDAO[2:6], "网信算备110108823483901240085号", "2025年7月"],      # 5: blank name
        [*WEIDAO[:3], "", *WEIDAO[4:6], "网信算备110108823483901240093号", "2025年7月"],  # 6: blank entity
        [*WEIDAO[:6], "网信算备330110685402601240015号", "待定"],                     # 7: unreadable month
        [*WEIDAO[:6], "网信算备440106306769001240065号", "2019年5月"],                # 8: before 2022
        [*WEIDAO[:6], "网信算备110108225567701230011号", f"{next_year}年1月"],         # 9: in the future
        [*WEIDAO[:6], "网信算备 330110956120001240019 号", "2025年7月"],               # 10: repeats row 0
        [*GUOSHENG[:2], "管理者", *GUOSHENG[3:]],                                   # 11: repeats row 2 ...
    ])
    found = failures_by_row(frame)
    assert found.keys() == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "role" not in {label.split(":")[0] for labels in found.values() for label in labels}
    # a number that is not 21-22 digits does not parse: filing_number is null, raw kept
    assert found[3] == found[4] == {"filing_number:not_nullable"}
    assert frame.loc[3, "filing_number_raw"] == "网信算备33011095612000124号"
    assert found[5] == {"algorithm_name:not_blank"} and found[6] == {"entity:not_blank"}
    assert found[7] == {"cancelled_month:not_nullable"}
    assert found[8] == found[9] == {"cancelled_month:cancelled_month_plausible"}
    assert found[10] == found[11] == {"filing_number_unique_in_list"}
    # ... while its unreadable role alone fails nothing: kept as printed, read as None
    assert frame.loc[11, ["role_raw", "role", "role_note"]].tolist() == ["管理者", None, "unrecognised"]


def test_model_passes_good_rows_and_types_them():
    valid = CancellationModel.validate(frame_of([WEIDAO, CHONGPANGPANG_PUSH, GUOSHENG]), lazy=True)
    assert len(valid) == 3
    assert valid["cancelled_month"].tolist() == [pd.Timestamp("2025-07-01"), pd.Timestamp("2026-01-01"),
                                                 pd.Timestamp("2025-07-01")]
    assert valid["role"].tolist() == ["服务提供者", None, "服务技术支持者"]
    assert str(valid["filing_year"].dtype) == "Int64" and valid["page"].isna().all()


def test_the_same_number_in_two_lists_is_not_a_repeat():
    one = frame_of([WEIDAO])
    other = frame_of([WEIDAO]).assign(attachment_url=LIST_URL + "2")
    assert len(CancellationModel.validate(pd.concat([one, other], ignore_index=True), lazy=True)) == 2


def test_model_refuses_a_filing_number_of_the_wrong_length_set_by_hand():
    # the parser never yields one (a bad number parses to None); the check guards other producers
    frame = frame_of([WEIDAO]).assign(filing_number="3301109561200012400")
    assert failures_by_row(frame) == {0: {"filing_number:str_matches('^\\d{21,22}$')"}}
