"""The cancellation parser and CancellationModel on the 4 real cancellation lists.

Counts from corpus/README.md and notices.csv (28, 5, 3, 5); rows asserted below are
read from the PDFs (the real rows, rendered). domain.md section 4: every cancelled
number appears in an earlier list, from both deep-synthesis and
algorithm-recommendation filings.
"""

from __future__ import annotations

import csv
import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest

from orchestration.parsers.algorithm_lists import parse_algorithm_tables
from orchestration.parsers.cancellations import parse_cancellation_document
from orchestration.parsers.docx import read_docx_tables
from orchestration.schemas.cancellations import CancellationModel

ZHONGFAN = "93606d70-fea9-4518-baf8-32913e0a6d49"  # 2025-07-14, 28 rows over two pages
TIANCHAO = "230ec03a-bca6-41a1-be7f-ad84571ce128"  # 2025-09-11, 5 rows
AI4U = "9bcf81b1-9306-414d-8a59-e9e3c4f1abf7"  # 2025-11-06, 3 rows
CHONGPANGPANG = "5a210e0d-9585-456b-872f-d09b08c0cc0e"  # 2026-01-07, 5 rows


def _notices(corpus_dir: Path, series: str) -> list[dict]:
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["series"] == series]


@pytest.fixture(scope="module")
def parsed(corpus_dir) -> dict[str, list[dict]]:
    """notice uuid -> records, for each cancellation notice of notices.csv."""
    out = {}
    for notice in _notices(corpus_dir, "cancellation"):
        path = corpus_dir / "mirror" / notice["attachments"]
        uuid = re.search(r"notice_([0-9a-f-]{36})\.pdf$", notice["attachments"]).group(1)
        out[uuid] = parse_cancellation_document(path.read_bytes(), path.name)
    return out


def _row(records: list[dict], serial: str) -> dict:
    (record,) = [r for r in records if r["serial_raw"] == serial]
    return record


def test_every_list_gives_its_expected_rows(corpus_dir, parsed):
    expected = {re.search(r"notice_([0-9a-f-]{36})", n["attachments"]).group(1): int(n["expected_rows"])
                for n in _notices(corpus_dir, "cancellation")}
    assert {uuid: len(rows) for uuid, rows in parsed.items()} == expected
    assert expected == {ZHONGFAN: 28, TIANCHAO: 5, AI4U: 3, CHONGPANGPANG: 5}
    for rows in parsed.values():  # 序号 runs 1..N, every row kept once
        assert [r["serial_raw"] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]


def test_every_number_parses_and_every_cancellation_is_the_notice_month(corpus_dir, parsed):
    published = {re.search(r"notice_([0-9a-f-]{36})", n["attachments"]).group(1):
                 date.fromisoformat(n["published_on"]) for n in _notices(corpus_dir, "cancellation")}
    for uuid, rows in parsed.items():
        for r in rows:
            assert r["filing_number"] and len(r["filing_number"]) == 21, r
            assert r["filing_number_raw"] == f"网信算备{r['filing_number']}号"
            assert r["cancelled_month"] == published[uuid].replace(day=1), r
            assert r["filed_series"] in ("deep_synthesis", "algorithm_recommendation")
            assert r["purpose"] is None  # the renderings have no 主要用途 column


def test_headers_and_cells_wrap_in_the_pdf_and_are_read_joined(corpus_dir, parsed):
    path = corpus_dir / "mirror" / "beian.cac.gov.cn" / "files" / f"notice_{ZHONGFAN}.pdf"
    with pdfplumber.open(path) as pdf:
        raw = pdf.pages[0].extract_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})[0]
    assert raw[0][0] == "序\n号" and raw[0][-1] == "注销时\n间"
    assert raw[1][-2:] == ["网信算备3201145867312012\n40019号", "2025年\n7月"]
    first = parsed[ZHONGFAN][0]
    assert (first["filing_number"], first["cancelled_raw"]) == ("320114586731201240019", "2025年7月")


def test_the_cut_short_role(parsed):
    weidao = _row(parsed[ZHONGFAN], "5")
    assert weidao["algorithm_name"] == "未道科技老照片修复算法"
    assert (weidao["role_raw"], weidao["role"], weidao["role_note"]) == ("服务提供", "服务提供者", "truncated")
    assert weidao["filed_series"] == "deep_synthesis"


def test_algorithm_classes_in_the_role_column_are_recommendation_filings(parsed):
    push = _row(parsed[CHONGPANGPANG], "5")
    assert push["algorithm_name"] == "宠胖胖个性化推送算法" and push["entity"] == "杭州宠胖胖科技有限公司"
    assert (push["role_raw"], push["role"], push["role_note"], push["algorithm_category"]) == (
        "个性化推送类", None, "algorithm_class", "个性化推送类")
    assert (push["filing_number"], push["algorithm_type"], push["filed_series"]) == (
        "330110985154602230015", "02", "algorithm_recommendation")
    # 20-28 of the 28-row list are 检索过滤类 / 个性化推送类 rows, on page 2
    classes = [r for r in parsed[ZHONGFAN] if r["role_note"] == "algorithm_class"]
    assert [r["serial_raw"] for r in classes] == [str(i) for i in range(19, 29)]
    assert {r["page"] for r in classes} == {2}
    assert {(r["algorithm_category"], r["algorithm_type"]) for r in classes} == {
        ("个性化推送类", "02"), ("检索过滤类", "04"), ("检索过滤类", "05")}
    # the class stands exactly where the number says the filing is not deep synthesis
    for rows in parsed.values():
        for r in rows:
            assert (r["role_note"] == "algorithm_class") == (r["algorithm_type"] != "01"), r


def test_the_multi_line_algorithm_name(parsed):
    ai4u = _row(parsed[AI4U], "1")
    assert ai4u["algorithm_name"] == "Ai4u相机写真照图像合成算法-1"
    assert ai4u["product"] == "Ai4u(小程序)" and ai4u["cancelled_month"] == date(2025, 11, 1)


def test_every_cancelled_number_was_filed_in_an_earlier_list_of_its_series(corpus_dir, parsed):
    filed: dict[str, set[tuple[str, date]]] = {}
    for series in ("deep_synthesis", "algorithm_recommendation"):
        for notice in _notices(corpus_dir, series):
            path = corpus_dir / "mirror" / notice["attachments"]
            year, month = re.match(r"(\d{4})年(\d{1,2})月", notice["list_label"]).groups()
            for r in parse_algorithm_tables(read_docx_tables(path.read_bytes(), path.name), series, path.name):
                filed.setdefault(r["filing_number"], set()).add((series, date(int(year), int(month), 1)))
    cancelled = [r for rows in parsed.values() for r in rows]
    assert len(cancelled) == len({r["filing_number"] for r in cancelled}) == 41
    for r in cancelled:
        listed = filed.get(r["filing_number"], set())
        assert any(series == r["filed_series"] and month < r["cancelled_month"] for series, month in listed), r


def test_the_model_accepts_every_real_row(corpus_dir, parsed):
    frames = []
    for uuid, rows in parsed.items():
        pdf = corpus_dir / "mirror" / "beian.cac.gov.cn" / "files" / f"notice_{uuid}.pdf"
        frames.append(pd.DataFrame.from_records(rows).assign(
            attachment_url=f"https://beian.cac.gov.cn/files/notice_{uuid}.pdf",
            sha256=hashlib.sha256(pdf.read_bytes()).hexdigest(),
            notice_url=f"https://beian.cac.gov.cn/notice/notice_{uuid}.htm"))
    frame = pd.concat(frames, ignore_index=True)
    valid = CancellationModel.validate(frame, lazy=True)
    assert len(valid) == 41
    assert valid["role"].isna().sum() == 11 and (valid["role_raw"] != "").all()
    assert valid.groupby("filed_series").size().to_dict() == {"algorithm_recommendation": 11, "deep_synthesis": 30}
