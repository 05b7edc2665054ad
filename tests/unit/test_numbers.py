"""The filing-number grammar (domain.md sections 1 and 5), on real numbers.

Every example is a number printed in the corpus lists or quoted in domain.md; the
few variants (spaces, no 号, full-width digits) are those numbers as the CAC also
prints them.
"""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.parsers.numbers import (
    looks_like_local_registration, parse_algorithm_filing_number, parse_registration_number,
)

# One table, both grammars.
#   ("algo", text, canonical, region, entity, type, year, sequence, province name)
#   ("genai", text, prefix, name, embedded date, sequence, is_local, province name)
#   (kind, text, None) -> does not follow the grammar
EXAMPLES = [
    # 网信算备: domain.md section 5, printed with spaces
    ("algo", "网信算备 110108 8234839 01 23 0031 号",
     "110108823483901230031", "110108", "8234839", "01", 2023, "0031", "北京市"),
    # the same without 号, and without spaces
    ("algo", "网信算备110108823483901230031",
     "110108823483901230031", "110108", "8234839", "01", 2023, "0031", "北京市"),
    # full-width digits fold to ASCII
    ("algo", "网信算备１１０１０８８２３４８３９０１２３００３１号",
     "110108823483901230031", "110108", "8234839", "01", 2023, "0031", "北京市"),
    # the one real 22-digit number (美团, algorithm-recommendation list 2022年8月)
    ("algo", "网信算备1101082242366066220017号",
     "1101082242366066220017", "110108", "2242366", "066", 2022, "0017", "北京市"),
    # deep synthesis 2023年6月, 上海淘票票: Shanghai by region code 310107
    ("algo", "网信算备310107361090201230011号",
     "310107361090201230011", "310107", "3610902", "01", 2023, "0011", "上海市"),
    # algorithm recommendation 2022年8月, 深圳市腾讯: 排序精选 (03), Guangdong
    ("algo", "网信算备440305295988703220011号",
     "440305295988703220011", "440305", "2959887", "03", 2022, "0011", "广东省"),
    # algorithm recommendation 2024年4月, 杭州优行: 调度决策 (06), filed 2024, Zhejiang
    ("algo", "网信算备330108065173506240015号",
     "330108065173506240015", "330108", "0651735", "06", 2024, "0015", "浙江省"),
    ("algo", "网信算备11010882348390123003号", None),  # 20 digits: cut short
    ("algo", "网信算备110108823483901230031000号", None),  # 24 digits
    ("algo", "网信算备 1101O8 8234839 01 23 0031 号", None),  # letter O for a zero
    ("algo", "", None),
    ("algo", None, None),
    # gen-AI 备案, old form <Province>-<Name>-<YYYYMMDD>
    ("genai", "Beijing-WenXinYiYan-20230821", "Beijing", "WenXinYiYan", date(2023, 8, 21), None, False, "北京市"),
    ("genai", "ZheJiang-TongYiQianWen-20230901", "ZheJiang", "TongYiQianWen", date(2023, 9, 1), None, False, "浙江省"),
    ("genai", "Zhejiang-AntGLM-20231019", "Zhejiang", "AntGLM", date(2023, 10, 19), None, False, "浙江省"),
    ("genai", "ZhongYangQiYe-JiuTian-20240123", "ZhongYangQiYe", "JiuTian", date(2024, 1, 23), None, False, "国资委"),
    # gen-AI 备案, new form with a four-digit sequence (and one six-digit one)
    ("genai", "Beijing-DeepseekChat-202404280016", "Beijing", "DeepseekChat", date(2024, 4, 28), "0016", False, "北京市"),
    ("genai", "Shandong-XinYu-202603180042", "Shandong", "XinYu", date(2026, 3, 18), "0042", False, "山东省"),
    ("genai", "ZheJiang-HuaShuShiHuaWenLvDaMoXing-20250609000026", "ZheJiang", "HuaShuShiHuaWenLvDaMoXing",
     date(2025, 6, 9), "000026", False, "浙江省"),
    # hyphenated model names (2025年12月 list)
    ("genai", "BeiJing-MiniCPM-V-202510200133", "BeiJing", "MiniCPM-V", date(2025, 10, 20), "0133", False, "北京市"),
    ("genai", "Beijing-Uni-SMART-202511150170", "Beijing", "Uni-SMART", date(2025, 11, 15), "0170", False, "北京市"),
    # gen-AI 登记 (上线编号): ...S NNNN
    ("genai", "Beijing-BianYing-20240428S0001", "Beijing", "BianYing", date(2024, 4, 28), "0001", True, "北京市"),
    ("genai", "Shanghai-AISHANGHAI-20260828S0212", "Shanghai", "AISHANGHAI", date(2026, 8, 28), "0212", True, "上海市"),
    # the real typo Shinghai (2024年8月 list, 属地 上海市)
    ("genai", "Shinghai-AIMinSuGuanJia-20240729S0020", "Shinghai", "AIMinSuGuanJia", date(2024, 7, 29), "0020", True,
     "上海市"),
    # stray spaces before the S, as the README warns
    ("genai", "Beijing-BianYing-20240428 S 0001", "Beijing", "BianYing", date(2024, 4, 28), "0001", True, "北京市"),
    # the truncated number of the 2025年10月 list (登记 serial 286)
    ("genai", "Jiangsu-SiWeiXiangLiangZhiSuanYun-", None),
    ("genai", "", None),
    ("genai", None, None),
]


def _id(example) -> str:
    return f"{example[0]}:{example[1]!r}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[_id(e) for e in EXAMPLES])
def test_number_grammar(example):
    kind, text = example[0], example[1]
    if kind == "algo":
        parsed = parse_algorithm_filing_number(text)
        if example[2] is None:
            assert parsed is None
            return
        canonical, region, entity, algo_type, year, sequence, province = example[2:]
        assert parsed is not None
        assert (parsed.canonical, parsed.region_code, parsed.entity_id, parsed.algorithm_type,
                parsed.filing_year, parsed.sequence) == (canonical, region, entity, algo_type, year, sequence)
        assert parsed.province is not None and parsed.province.name == province
    else:
        parsed = parse_registration_number(text)
        if example[2] is None:
            assert parsed is None
            return
        prefix, name, embedded, sequence, is_local, province = example[2:]
        assert parsed is not None
        assert (parsed.prefix, parsed.pinyin_name, parsed.embedded_date, parsed.sequence, parsed.is_local) == (
            prefix, name, embedded, sequence, is_local)
        assert parsed.raw == text.strip()
        assert parsed.province is not None and parsed.province.name == province
        # the tier rule agrees with the parsed grammar
        assert looks_like_local_registration(text) is is_local


def test_tier_rule_on_truncated_and_missing_numbers():
    # A pattern-only classifier cannot tell the truncated 登记 number is 登记 (README).
    assert looks_like_local_registration("Jiangsu-SiWeiXiangLiangZhiSuanYun-") is False
    assert looks_like_local_registration(None) is False
    assert looks_like_local_registration("") is False
