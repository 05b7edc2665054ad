"""Staging several lists of a series at once: one pandera pass, split back per list, every
row of every list accepted or quarantined (the `rows_reconcile` balance), and a list that
cannot be read failing alone."""

from __future__ import annotations

import hashlib
import io

import docx

from orchestration.series import SERIES, ListInput, stage_lists
from orchestration.staged import StagedSummary

HEADER = ["序号", "算法名称", "算法类别", "主体名称", "应用产品", "主要用途", "备案编号", "备注"]


def docx_list(numbers: list[str]) -> bytes:
    document = docx.Document()
    rows = [HEADER] + [[str(i + 1), f"算法{i}", "个性化推送类", "北京某某科技有限公司", "某某(APP)", "推荐", n, ""]
                       for i, n in enumerate(numbers)]
    table = document.add_table(rows=len(rows), cols=len(HEADER))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def item(url: str, content: bytes) -> ListInput:
    return ListInput(url, url, None, hashlib.sha256(content).hexdigest(), content, url)


def test_lists_staged_together_are_split_back_and_balanced():
    good = docx_list(["网信算备110108645502802220011号", "网信算备110108645502803220017号"])
    dirty = docx_list(["网信算备110108645502804220013号", "网信算备12345号", "网信算备110108645502804220013号"])
    broken = b"PK\x03\x04 not a docx"
    staged = stage_lists(SERIES["algorithm_recommendation"], [item("a", good), item("b", dirty), item("c", broken)])
    summaries = {summary.key: summary for summary, _ in staged}
    assert (summaries["a"].rows_extracted, summaries["a"].rows_accepted, summaries["a"].rows_quarantined) == (2, 2, 0)
    assert (summaries["b"].rows_extracted, summaries["b"].rows_accepted, summaries["b"].rows_quarantined) == (3, 1, 2)
    assert summaries["b"].failures_by_check["filing_number_unique_in_list"] == 1
    assert summaries["c"].error and "c" in summaries["c"].error and "not a readable DOCX" in summaries["c"].error
    assert all(s.balanced for s in summaries.values())
    frames = dict((summary.key, parts) for summary, parts in staged)
    assert set(frames["b"]["accepted"].attachment_url) == {"b"} and set(frames["b"]["quarantined"].attachment_url) == {"b"}
    assert frames["c"] == {}


def test_a_lost_row_unbalances_its_list():
    summary = StagedSummary(key="x", series="s", attachment_url="u", sha256="0" * 64, parser_version="v",
                            rows_extracted=3, rows_accepted=1, rows_quarantined=1)
    assert not summary.balanced
    summary.rows_quarantined = 2
    assert summary.balanced
