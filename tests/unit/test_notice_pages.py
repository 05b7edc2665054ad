"""Notice pages: title, date, links, batch, list label and series.

Small pages are written here in the shapes corpus/README.md describes (and in the
looser shapes the live site may use); the last tests run over every notice page of
the corpus against notices.csv.
"""

from __future__ import annotations

import csv
from datetime import date
from urllib.parse import quote, unquote

import pytest

from orchestration.parsers.notice_pages import batch_number, classify_series, list_label, parse_notice_page
from orchestration.vocabulary import (
    SERIES_ALGORITHM_RECOMMENDATION, SERIES_CANCELLATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI,
    SERIES_GENAI_STATISTICS,
)

DS15_TITLE = "国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告"
DS15_URL = "https://www.cac.gov.cn/2026-01/07/c_1769516642440314.htm"
DS15_FILE = "境内深度合成服务算法备案清单（2026年1月）.docx"
STATS_TEXT = "截至2025年8月31日，累计有538款生成式人工智能服务在国家网信办完成备案，263款生成式人工智能应用或功能在地方网信办完成登记。"


def page(*, title: str = "", h1: str | None = None, time: str | None = None, body: list[str] = ()) -> str:
    head = f"<title>{title}</title>" if title else ""
    parts = [f"<html><head><meta charset='utf-8'>{head}</head><body>"]
    if h1 is not None:
        parts.append(f"<h1 class='title'>{h1}</h1>")
    if time is not None:
        parts.append(f"<div class='info'><span class='time'>{time}</span> <span>来源：中国网信网</span></div>")
    parts.extend(f"<p>{p}</p>" for p in body)
    parts.append("</body></html>")
    return "".join(parts)


def test_mirror_shaped_notice_page():
    href = "/files/2026-01-07/" + quote(DS15_FILE)
    html = page(title=DS15_TITLE + "_中央网络安全和信息化委员会办公室", h1=DS15_TITLE,
                time="2026-01-07 10:00:00",
                body=["根据《互联网信息服务深度合成管理规定》，现公开发布第十五批境内深度合成服务算法备案信息。",
                      "国家互联网信息办公室", "2026年1月7日",
                      f"附件：<a href=\"{href}\">境内深度合成服务算法备案清单（2026年1月）</a>"])
    notice = parse_notice_page(html.encode("utf-8"), DS15_URL)
    assert notice.title == DS15_TITLE
    assert notice.published_on == date(2026, 1, 7)
    assert notice.batch_no == 15
    (attachment,) = notice.attachments
    assert attachment.url == "https://www.cac.gov.cn" + href  # resolved, still percent-encoded
    assert attachment.file_name == DS15_FILE
    assert attachment.text == "境内深度合成服务算法备案清单（2026年1月）"
    assert notice.pages == []
    assert notice.text.splitlines()[1:3] == ["国家互联网信息办公室", "2026年1月7日"]


@pytest.mark.parametrize("title_tag, expected", [
    (DS15_TITLE + "_中央网络安全和信息化委员会办公室", DS15_TITLE),
    (DS15_TITLE + "-中国网信网", DS15_TITLE),
    (DS15_TITLE + "｜网信中国", DS15_TITLE),
    (DS15_TITLE, DS15_TITLE),
])
def test_title_from_title_tag_without_site_suffix(title_tag, expected):
    notice = parse_notice_page(page(title=title_tag, time="2026-01-07 10:00:00"), DS15_URL)
    assert notice.title == expected
    assert notice.batch_no == 15


def test_title_suffix_after_a_spaced_separator_leaves_no_trailing_space():
    notice = parse_notice_page(page(title=DS15_TITLE + " - 中国网信网"), DS15_URL)
    assert notice.title == DS15_TITLE


def test_title_prefers_h1_and_str_input_works():
    notice = parse_notice_page(page(title="别的标题_中国网信网", h1=f"  {DS15_TITLE} "), DS15_URL)
    assert notice.title == DS15_TITLE


@pytest.mark.parametrize("time_text, expected", [
    ("2024-04-02 10:00:00", date(2024, 4, 2)),
    ("2024年04月02日 10:00", date(2024, 4, 2)),
    ("发布时间：2024/4/2", date(2024, 4, 2)),
    ("2024.11.01", date(2024, 11, 1)),
])
def test_date_from_the_time_span_by_pattern(time_text, expected):
    html = page(h1="公告", time=time_text, body=["国家互联网信息办公室", "2099年1月1日"])
    assert parse_notice_page(html, DS15_URL).published_on == expected


def test_date_from_the_signature_line_without_a_time_span():
    html = page(h1="国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告（2025年7月至8月）",
                body=[STATS_TEXT, "国家互联网信息办公室", "2025年9月10日"])
    assert parse_notice_page(html, "https://www.cac.gov.cn/2025-09/10/c_1759222982377536.htm").published_on \
        == date(2025, 9, 10)


def test_invalid_time_span_falls_back_to_the_signature():
    html = page(h1="公告", time="2024-13-45 10:00:00", body=["国家互联网信息办公室", "2024年4月2日"])
    assert parse_notice_page(html, DS15_URL).published_on == date(2024, 4, 2)


def test_no_date_anywhere_is_none():
    assert parse_notice_page(page(h1="公告", body=["国家互联网信息办公室"]), DS15_URL).published_on is None


def test_signature_date_wins_over_a_cut_off_date_when_attachments_follow():
    html = page(h1="国家互联网信息办公室关于发布2024年生成式人工智能服务已备案信息的公告",
                body=["截至2024年12月31日，累计有302款生成式人工智能服务在国家网信办完成备案。",
                      "国家互联网信息办公室", "2025年1月8日",
                      "附件：<a href='/files/2025-01/a.docx'>生成式人工智能服务已备案信息（2024年）</a>"])
    notice = parse_notice_page(html, "https://www.cac.gov.cn/2025-01/08/c_1738034725920930.htm")
    assert notice.published_on == date(2025, 1, 8)


def test_links_are_resolved_deduplicated_and_split_into_pages_and_attachments():
    cancel_pdf = "/files/notice_5a210e0d-9585-456b-872f-d09b08c0cc0e.pdf"
    html = page(h1="公告", body=[
        f"<a href='{cancel_pdf}'>附件</a>",
        f"<a href='{cancel_pdf}#page=2'>附件（重复）</a>",
        "<a href='/notice/notice_5a210e0d-9585-456b-872f-d09b08c0cc0e.htm'>关于注销…的公告</a>",
        "<a href='https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm'>生成式人工智能</a>",
        "<a href='#top'>顶部</a> <a href='javascript:void(0)'>打印</a> <a href='mailto:x@cac.gov.cn'>邮件</a>",
        "<a href=''>空</a> <a>无</a>",
        "<a href='../2025-09/10/c_1759222982377536.htm'>相对</a>",
    ])
    notice = parse_notice_page(html, "https://beian.cac.gov.cn/index.htm")
    assert [link.url for link in notice.links] == [
        "https://beian.cac.gov.cn" + cancel_pdf,
        "https://beian.cac.gov.cn/notice/notice_5a210e0d-9585-456b-872f-d09b08c0cc0e.htm",
        "https://www.cac.gov.cn/2024-04/02/c_1713729983803145.htm",
        "https://beian.cac.gov.cn/2025-09/10/c_1759222982377536.htm",
    ]
    assert [link.url for link in notice.attachments] == ["https://beian.cac.gov.cn" + cancel_pdf]
    assert notice.attachments[0].text == "附件"  # the first link text wins
    assert len(notice.pages) == 3


@pytest.mark.parametrize("title, expected", [
    (DS15_TITLE, 15),
    ("国家互联网信息办公室关于发布第八批深度合成服务算法备案信息的公告", 8),
    ("国家互联网信息办公室关于发布第二批深度合成服务算法备案信息的公告", 2),
    ("关于发布第二十三批深度合成服务算法备案信息的公告", 23),
    ("关于发布第 3 批深度合成服务算法备案信息的公告", 3),
    ("关于发布第一百零二批深度合成服务算法备案信息的公告", 102),
    ("国家互联网信息办公室关于发布深度合成服务算法备案信息的公告", None),  # the first notice
    ("国家互联网信息办公室关于发布互联网信息服务算法备案信息的公告", None),
])
def test_batch_number(title, expected):
    assert batch_number(title) == expected


@pytest.mark.parametrize("text, expected", [
    ("（2024年10月）", "2024-10"),
    ("境内深度合成服务算法备案清单（2024年1月）.docx", "2024-01"),
    ("生成式人工智能服务已备案和已登记信息（２０２６年４月）", "2026-04"),  # full-width digits
    ("国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告（2025年7月至8月）", "2025-07"),
    ("2024 年 6 月", "2024-06"),
    ("国家互联网信息办公室关于发布2024年生成式人工智能服务已备案信息的公告", None),
    ("附件", None),
])
def test_list_label(text, expected):
    assert list_label(text) == expected


@pytest.mark.parametrize("title, text, expected", [
    (DS15_TITLE, "", SERIES_DEEP_SYNTHESIS),
    ("境内深度合成服务算法备案清单（2026年1月）", "", SERIES_DEEP_SYNTHESIS),
    ("国家互联网信息办公室关于发布互联网信息服务算法备案信息的公告", "", SERIES_ALGORITHM_RECOMMENDATION),
    ("境内互联网信息服务算法备案清单（2025年7月）", "", SERIES_ALGORITHM_RECOMMENDATION),
    ("国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告",
     "已备案和已登记信息在国家互联网信息办公室官网定期汇总更新，不再另行公告。", SERIES_GENAI),
    ("生成式人工智能服务已备案和已登记信息（2024年8月）", "", SERIES_GENAI),
    ("国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告（2025年7月至8月）", STATS_TEXT,
     SERIES_GENAI_STATISTICS),
    ("关于注销“宠胖胖智能问答算法”等5个算法备案编号的公告", "注销“宠胖胖智能问答算法”等5个算法备案编号。",
     SERIES_CANCELLATION),
    ("关于注销“天朝人脸融合算法”等深度合成服务算法备案编号的公告", "", SERIES_CANCELLATION),
    ("公告", "", None),
    ("国家互联网信息办公室关于开展清朗系列专项行动的通知", "截至2025年8月31日，累计有5起", None),
])
def test_classify_series(title, text, expected):
    assert classify_series(title, text) == expected


# --- every notice page of the corpus against notices.csv ----------------------------

def _notice_rows(corpus_dir) -> list[dict]:
    with open(corpus_dir / "notices.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_page: dict[str, list[dict]] = {}
    for row in rows:
        by_page.setdefault(row["notice_url"], []).append(row)
    return [group[0] | {"attachments_all": [r["attachments"] for r in group if r["attachments"]]}
            for group in by_page.values()]


def test_corpus_notice_pages_match_notices_csv(corpus_dir):
    rows = _notice_rows(corpus_dir)
    assert len(rows) == 15 + 1 + 1 + 6 + 4  # deep synthesis, two living pages, statistics, cancellations
    for row in rows:
        html = (corpus_dir / "mirror" / row["mirror_path"]).read_bytes()
        notice = parse_notice_page(html, row["notice_url"])
        where = row["notice_url"]
        assert notice.title == row["title"], where
        assert classify_series(notice.title, notice.text) == row["series"], where
        if row["series"] == SERIES_DEEP_SYNTHESIS:
            assert (notice.batch_no or 1) == int(row["batch_no"]), where
            assert (notice.batch_no is None) == (row["batch_no"] == "1"), where
        if row["published_on"]:
            assert notice.published_on == date.fromisoformat(row["published_on"]), where
        assert sorted(unquote(a.url) for a in notice.attachments) == sorted(
            "https://" + a for a in row["attachments_all"]), where


@pytest.mark.parametrize("encoding, meta", [
    ("utf-8", ""), ("utf-8", '<meta charset="utf-8">'),
    ("gb18030", ""), ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
])
def test_page_text_is_decoded_whatever_the_declared_charset(encoding, meta):
    html = (f"<html><head>{meta}</head><body><h1>{DS15_TITLE}</h1>"
            f"<span class='time'>2026-01-07 10:00:00</span></body></html>")
    notice = parse_notice_page(html.encode(encoding), DS15_URL)
    assert notice.title == DS15_TITLE
    assert notice.batch_no == 15
