"""Statistics notices: wording variants of the same figures."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.parsers.statistics import parse_statistics_notice

BOILERPLATE = "对通过API接口或其他方式直接调用已备案模型能力的生成式人工智能应用或功能，由地方网信办登记。"


def test_cumulative_and_new_figures_of_a_bimonthly_notice():
    text = ("截至2026年4月30日，累计有868款生成式人工智能服务在国家网信办完成备案，"
            "530款生成式人工智能应用或功能在地方网信办完成登记。\n"
            "2026年3月至4月，新增72款生成式人工智能服务完成备案，新增49款生成式人工智能应用或功能完成登记。\n"
            + BOILERPLATE)
    figures = parse_statistics_notice(text)
    assert figures.as_of == date(2026, 4, 30)
    assert (figures.national_cumulative, figures.local_cumulative) == (868, 530)
    assert (figures.national_new, figures.local_new) == (72, 49)
    assert figures.period_label == "2026年3月至4月"


def test_annual_notice_without_cumulative_registrations():
    text = ("截至2024年12月31日，累计有302款生成式人工智能服务在国家网信办完成备案。\n"
            "2024年，新增238款生成式人工智能服务完成备案，新增105款生成式人工智能应用或功能完成登记。")
    figures = parse_statistics_notice(text)
    assert (figures.national_cumulative, figures.local_cumulative) == (302, None)
    assert (figures.national_new, figures.local_new) == (238, 105)
    assert figures.period_label == "2024年"


@pytest.mark.parametrize("text", [
    "截至２０２５年８月３１日，累计有５３８款生成式人工智能服务完成备案，２６３款应用完成登记。",
    "截至 2025 年 8 月 31 日，共有 538 款生成式人工智能服务完成备案， 263 款应用或功能完成 登记。",
    "截至2025年8月31日累计有538个生成式人工智能服务完成备案；263个应用或功能完成登记",
])
def test_wording_variants(text):
    figures = parse_statistics_notice(text)
    assert figures.as_of == date(2025, 8, 31)
    assert (figures.national_cumulative, figures.local_cumulative) == (538, 263)
    assert (figures.national_new, figures.local_new) == (None, None)


def test_period_label_falls_back_to_the_title():
    text = "截至2025年3月31日，累计有346款生成式人工智能服务在国家网信办完成备案。"
    title = "国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告（2025年1月至3月）"
    assert parse_statistics_notice(text).period_label is None
    assert parse_statistics_notice(text, title=title).period_label == "2025年1月至3月"
    annual = "国家互联网信息办公室关于发布2025年生成式人工智能服务已备案信息的公告"
    assert parse_statistics_notice(text, title=annual).period_label == "2025年"


@pytest.mark.parametrize("text", [
    BOILERPLATE,
    "国家互联网信息办公室关于发布第十五批深度合成服务算法备案信息的公告",
    "截至2025年3月31日，相关工作有序推进。",
])
def test_text_without_figures_is_not_a_statistics_notice(text):
    assert parse_statistics_notice(text) is None
