"""The one province table: GB/T 2260 codes, Chinese names and the pinyin spellings
that appear in gen-AI registration numbers (variants and real typos included)."""

from __future__ import annotations

from dataclasses import dataclass

from .text import compact


@dataclass(frozen=True)
class Province:
    code: str  # two-digit GB/T 2260 prefix
    name: str  # canonical Chinese name, e.g. 北京市
    short_name: str  # e.g. 北京
    pinyin: str  # canonical pinyin prefix, e.g. Beijing
    name_en: str


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", "北京", "Beijing", "Beijing"),
    Province("12", "天津市", "天津", "Tianjin", "Tianjin"),
    Province("13", "河北省", "河北", "Hebei", "Hebei"),
    Province("14", "山西省", "山西", "Shanxi", "Shanxi"),
    Province("15", "内蒙古自治区", "内蒙古", "Neimenggu", "Inner Mongolia"),
    Province("21", "辽宁省", "辽宁", "Liaoning", "Liaoning"),
    Province("22", "吉林省", "吉林", "Jilin", "Jilin"),
    Province("23", "黑龙江省", "黑龙江", "Heilongjiang", "Heilongjiang"),
    Province("31", "上海市", "上海", "Shanghai", "Shanghai"),
    Province("32", "江苏省", "江苏", "Jiangsu", "Jiangsu"),
    Province("33", "浙江省", "浙江", "Zhejiang", "Zhejiang"),
    Province("34", "安徽省", "安徽", "Anhui", "Anhui"),
    Province("35", "福建省", "福建", "Fujian", "Fujian"),
    Province("36", "江西省", "江西", "Jiangxi", "Jiangxi"),
    Province("37", "山东省", "山东", "Shandong", "Shandong"),
    Province("41", "河南省", "河南", "Henan", "Henan"),
    Province("42", "湖北省", "湖北", "Hubei", "Hubei"),
    Province("43", "湖南省", "湖南", "Hunan", "Hunan"),
    Province("44", "广东省", "广东", "Guangdong", "Guangdong"),
    Province("45", "广西壮族自治区", "广西", "Guangxi", "Guangxi"),
    Province("46", "海南省", "海南", "Hainan", "Hainan"),
    Province("50", "重庆市", "重庆", "Chongqing", "Chongqing"),
    Province("51", "四川省", "四川", "Sichuan", "Sichuan"),
    Province("52", "贵州省", "贵州", "Guizhou", "Guizhou"),
    Province("53", "云南省", "云南", "Yunnan", "Yunnan"),
    Province("54", "西藏自治区", "西藏", "Xizang", "Tibet"),
    Province("61", "陕西省", "陕西", "Shaanxi", "Shaanxi"),
    Province("62", "甘肃省", "甘肃", "Gansu", "Gansu"),
    Province("63", "青海省", "青海", "Qinghai", "Qinghai"),
    Province("64", "宁夏回族自治区", "宁夏", "Ningxia", "Ningxia"),
    Province("65", "新疆维吾尔自治区", "新疆", "Xinjiang", "Xinjiang"),
    Province("66", "新疆生产建设兵团", "兵团", "Bingtuan", "Xinjiang Production and Construction Corps"),
    Province("71", "台湾省", "台湾", "Taiwan", "Taiwan"),
    Province("81", "香港特别行政区", "香港", "Hongkong", "Hong Kong"),
    Province("82", "澳门特别行政区", "澳门", "Macao", "Macao"),
)

# Central state-owned enterprises file through the SASAC, not a province.
SASAC = Province("00", "国资委", "国资委", "ZhongYangQiYe", "Central SOEs (SASAC)")

ALL_LOCALITIES: tuple[Province, ...] = PROVINCES + (SASAC,)

# Real misspellings seen in published numbers, mapped to the canonical pinyin.
PINYIN_TYPOS: dict[str, str] = {
    "shinghai": "Shanghai",
    "neimeng": "Neimenggu",
    "innermongolia": "Neimenggu",
    "macau": "Macao",
    "hongkong": "Hongkong",
    "zhongyangqiye": "ZhongYangQiYe",
}

_BY_CODE = {p.code: p for p in ALL_LOCALITIES}
_BY_PINYIN = {p.pinyin.lower(): p for p in ALL_LOCALITIES}
_BY_NAME: dict[str, Province] = {}
for _p in ALL_LOCALITIES:
    _BY_NAME[_p.name] = _p
    _BY_NAME[_p.short_name] = _p
_BY_NAME["中央企业"] = SASAC
_BY_NAME["国务院国资委"] = SASAC


def province_by_code(code: str | None) -> Province | None:
    """Province from the first two digits of a GB/T 2260 code (or the code itself)."""
    if not code or len(code) < 2:
        return None
    return _BY_CODE.get(code[:2])


def province_by_name(name: str | None) -> Province | None:
    """Province from a Chinese name, full (北京市) or short (北京)."""
    if not name:
        return None
    return _BY_NAME.get(compact(name))


def province_by_pinyin(prefix: str | None) -> Province | None:
    """Province from a registration-number prefix, any case (ZheJiang, QingHai, Shinghai)."""
    if not prefix:
        return None
    key = compact(prefix).lower()
    key = PINYIN_TYPOS.get(key, key).lower()
    return _BY_PINYIN.get(key)
