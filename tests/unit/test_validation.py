"""split_valid with the real pandera models, on rows parsed from small DOCX lists.

The checks come from domain.md sections 2, 3 and 5: 角色 is 服务提供者 or
服务技术支持者; 算法类别 takes the listed values; numbers have 21 or 22 digits; the
filing system opened in 2022; deep-synthesis numbers carry type 01; a number is
listed once per list (but may reappear in a later list).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import docx
import pandas as pd
import pytest

from orchestration.vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS
from orchestration.schemas.split import split_valid
from orchestration.series import SERIES, ListInput, parse_list

DS_HEADER = ["序号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]
AR_HEADER = ["序号", "算法名称", "算法类别", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]


def ds_row(serial, number, *, role="服务提供者", entity="上海淘票票影视文化有限公司", name="淘票票AI生成算法"):
    return [serial, name, role, entity, "淘票票(APP)", "应用于图像生成场景", number, ""]


def ar_row(serial, number, *, category="调度决策类", entity="北京三快科技有限公司"):
    return [serial, "美团配送调度算法", category, entity, "美团(APP)", "应用于即时配送场景", number, ""]


def docx_bytes(tmp_path: Path, name: str, rows: list[list[str]]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    path = tmp_path / name
    document.save(path)
    return path.read_bytes()


def parsed_frame(tmp_path: Path, series: str, lists: dict[str, list[list[str]]]) -> pd.DataFrame:
    """Rows of several lists through the series' own parser (parse_list), with provenance."""
    frames = []
    for n, (url, rows) in enumerate(lists.items()):
        data = docx_bytes(tmp_path, f"{n}.docx", rows)
        item = ListInput(url, url, url.rsplit("/files", 1)[0], hashlib.sha256(data).hexdigest(), data,
                         url.rsplit("/", 1)[-1])
        summary, frame, _ = parse_list(SERIES[series], item)
        assert summary.error is None, summary.error
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


LIST_A = "https://www.cac.gov.cn/files/2025-07-14/a.docx"
LIST_B = "https://www.cac.gov.cn/files/2025-09-11/b.docx"
GOOD_1 = "网信算备310107361090201230011号"
GOOD_2 = "网信算备110108823483901240017号"


@pytest.fixture()
def deep_synthesis(tmp_path):
    frame = parsed_frame(tmp_path, SERIES_DEEP_SYNTHESIS, {
        LIST_A: [
            DS_HEADER,
            ds_row("1", GOOD_1),                                          # row 1: good
            ds_row("2", "网信算备12345号"),                                  # row 2: bad number
            ds_row("3", "网信算备110108823483901230031号", entity=""),       # row 3: blank entity
            ds_row("4", "网信算备110108823483901230049号", role="服务提供"),  # row 4: truncated role
            ds_row("", GOOD_2, role="服务技术支持者"),                        # row 5: good, empty 序号
            ds_row("6", GOOD_1),                                          # row 6: duplicate of row 1
            ds_row("7", "网信算备110108823483901190057号"),                  # row 7: year 2019
            ds_row("8", "网信算备110108823483902230065号"),                  # row 8: type 02
        ],
        LIST_B: [DS_HEADER, ds_row("1", GOOD_1)],  # the same number in another list: allowed
    })
    return frame, split_valid(frame, SERIES[SERIES_DEEP_SYNTHESIS].model, SERIES_DEEP_SYNTHESIS)


def _quarantined_by_row(outcome) -> dict[tuple[str, int], pd.Series]:
    q = outcome.quarantined
    return {(row.attachment_url, int(row.row_index)): row for row in q.itertuples(index=False)}


def test_rows_are_accepted_or_quarantined_never_lost(deep_synthesis):
    frame, outcome = deep_synthesis
    assert len(frame) == 9
    assert len(outcome.accepted) + len(outcome.quarantined) == len(frame)
    accepted = set(zip(outcome.accepted["attachment_url"], outcome.accepted["row_index"].astype(int)))
    assert accepted == {(LIST_A, 1), (LIST_A, 5), (LIST_B, 1)}
    assert set(_quarantined_by_row(outcome)) == {(LIST_A, i) for i in (2, 3, 4, 6, 7, 8)}
    assert outcome.schema_errors == []


@pytest.mark.parametrize("row_index, check", [
    (2, "filing_number"),                 # 网信算备12345号 does not follow the grammar
    (3, "entity:not_blank"),
    (4, "role"),                          # 服务提供 is not a role
    (6, "filing_number_unique_in_list"),  # the second of two equal numbers in one list
    (7, "filing_year_plausible"),         # 2019: before the filing system opened
    (8, "algorithm_type_is_generative"),  # deep synthesis is always type 01
])
def test_each_quarantined_row_names_its_check_and_provenance(deep_synthesis, row_index, check):
    _, outcome = deep_synthesis
    row = _quarantined_by_row(outcome)[(LIST_A, row_index)]
    assert check in row.failed_checks
    assert check in row.reason
    assert row.series == SERIES_DEEP_SYNTHESIS
    assert row.table_index == 0 and row.row_index == row_index and row.attachment_url == LIST_A
    assert row.notice_url == "https://www.cac.gov.cn"
    record = json.loads(row.record) if isinstance(row.record, str) else row.record
    assert record["row_index"] == row_index  # the whole parsed row is kept for the record


def test_only_the_failing_checks_are_named(deep_synthesis):
    _, outcome = deep_synthesis
    by_row = _quarantined_by_row(outcome)
    assert "entity:not_blank" not in by_row[(LIST_A, 4)].failed_checks
    assert "role" not in by_row[(LIST_A, 3)].failed_checks
    duplicate_checks = {label.split(":")[-1] for label in by_row[(LIST_A, 6)].failed_checks.split(", ")}
    assert duplicate_checks == {"filing_number_unique_in_list"}
    assert outcome.failures_by_check.get("entity:not_blank") == 1
    assert outcome.failures_by_check.get("filing_year:filing_year_plausible") == 1


def test_a_dataframe_check_is_counted_once_per_row(deep_synthesis):
    _, outcome = deep_synthesis
    labels = [label for label in outcome.failures_by_check if "filing_number_unique_in_list" in label]
    assert len(labels) == 1 and outcome.failures_by_check[labels[0]] == 1


def test_duplicate_keeps_the_first_and_other_lists_may_repeat(deep_synthesis):
    _, outcome = deep_synthesis
    good_1 = outcome.accepted[outcome.accepted["filing_number"] == GOOD_1[4:-1]]
    assert sorted(zip(good_1["attachment_url"], good_1["row_index"].astype(int))) == [(LIST_A, 1), (LIST_B, 1)]
    # the accepted rows keep their parsed values, coerced to the model's types
    row = outcome.accepted.set_index(["attachment_url", "row_index"]).loc[(LIST_A, 5)]
    assert row["serial_raw"] == "" and row["role"] == "服务技术支持者" and row["filing_year"] == 2024


def test_algorithm_recommendation_categories_and_the_22_digit_number(tmp_path):
    frame = parsed_frame(tmp_path, SERIES_ALGORITHM_RECOMMENDATION, {
        LIST_A: [
            AR_HEADER,
            ar_row("1", "网信算备1101082242366066220017号"),                        # real 22-digit number
            ar_row("2", "网信算备310107429160605220017号", category="推荐类"),       # unknown category
            ar_row("3", "网信算备440305295988703220011号", category="排序精选类"),
            ar_row("4", "网信算备330110977354705220017号", category="内容过滤类"),
            ar_row("5", "网信算备330110977354709220017号", category="检索过滤类"),  # type 09 unknown
        ],
    })
    outcome = split_valid(frame, SERIES[SERIES_ALGORITHM_RECOMMENDATION].model, SERIES_ALGORITHM_RECOMMENDATION)
    assert len(outcome.accepted) + len(outcome.quarantined) == 5
    assert sorted(outcome.accepted["row_index"].astype(int)) == [1, 3, 4]
    by_row = _quarantined_by_row(outcome)
    assert set(by_row) == {(LIST_A, 2), (LIST_A, 5)}
    assert "algorithm_category" in by_row[(LIST_A, 2)].failed_checks
    assert "推荐类" in by_row[(LIST_A, 2)].reason  # the reason quotes the bad value
    assert "algorithm_type_known" in by_row[(LIST_A, 5)].failed_checks


def test_a_frame_missing_a_column_quarantines_everything(tmp_path):
    frame = parsed_frame(tmp_path, SERIES_DEEP_SYNTHESIS, {LIST_A: [DS_HEADER, ds_row("1", GOOD_1),
                                                                     ds_row("2", GOOD_2)]})
    outcome = split_valid(frame.drop(columns=["entity"]), SERIES[SERIES_DEEP_SYNTHESIS].model,
                          SERIES_DEEP_SYNTHESIS)
    assert outcome.accepted.empty
    assert len(outcome.quarantined) == len(frame)
    assert any("column_in_dataframe" in error for error in outcome.schema_errors)
    assert all("column_in_dataframe" in reason for reason in outcome.quarantined["reason"])


def test_a_frame_missing_a_column_with_a_bad_row_quarantines_everything(deep_synthesis):
    frame, _ = deep_synthesis  # has rows failing row checks (blank entity, bad number, ...)
    outcome = split_valid(frame.drop(columns=["purpose"]), SERIES[SERIES_DEEP_SYNTHESIS].model,
                          SERIES_DEEP_SYNTHESIS)
    assert outcome.accepted.empty
    assert len(outcome.quarantined) == len(frame)


def test_all_good_rows_give_an_empty_quarantine(tmp_path):
    frame = parsed_frame(tmp_path, SERIES_DEEP_SYNTHESIS, {LIST_A: [DS_HEADER, ds_row("1", GOOD_1),
                                                                     ds_row("2", GOOD_2)]})
    outcome = split_valid(frame, SERIES[SERIES_DEEP_SYNTHESIS].model, SERIES_DEEP_SYNTHESIS)
    assert len(outcome.accepted) == 2 and outcome.quarantined.empty
    assert outcome.failures_by_check == {}
    assert list(outcome.quarantined.columns)[:5] == ["attachment_url", "sha256", "notice_url", "table_index",
                                                      "row_index"]
