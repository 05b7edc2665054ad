"""The filing-number grammar, in one place.

- Algorithm filings: ``网信算备 110108 8234839 01 23 0031 号`` -> 21 (rarely 22) digits.
- Gen-AI national filings (备案): ``Province-Name-YYYYMMDD`` or ``Province-Name-YYYYMMDDNNNN``
  (one real number has a six-digit sequence: ``ZheJiang-HuaShuShiHuaWenLvDaMoXing-20250609000026``).
- Gen-AI local registrations (登记): ``Province-Name-YYYYMMDDSNNNN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .provinces import Province, province_by_code, province_by_pinyin
from .text import compact

ALGORITHM_TYPES = {
    "01": "生成合成",
    "02": "个性化推送",
    "03": "排序精选",
    "04": "检索过滤",
    "05": "内容过滤",
    "06": "调度决策",
}

_ALGO_NUMBER = re.compile(r"^(?:网信算备)?([0-9]{21,22})(?:号)?$")  # ASCII digits: NFKC folds full-width


@dataclass(frozen=True)
class AlgorithmFilingNumber:
    canonical: str  # the 21 or 22 digits
    region_code: str  # digits 1-6, GB/T 2260
    entity_id: str  # digits 7-13, stable for one filer
    algorithm_type: str  # digits 14-15 (three digits in a 22-digit number)
    filing_year: int  # the next two, as 20YY
    sequence: str  # the last four

    @property
    def province(self) -> Province | None:
        return province_by_code(self.region_code)


def parse_algorithm_filing_number(text: str | None) -> AlgorithmFilingNumber | None:
    """Parse a 网信算备 number; None when it does not follow the grammar."""
    match = _ALGO_NUMBER.match(compact(text or ""))
    if not match:
        return None
    digits = match.group(1)
    # Region and entity are read from the left, year and sequence from the right:
    # the one real 22-digit number (美团, 1101082242366 066 22 0017) carries the
    # entity ID its other filings carry and an extra digit in the type.
    return AlgorithmFilingNumber(
        canonical=digits,
        region_code=digits[:6],
        entity_id=digits[6:13],
        algorithm_type=digits[13:-6],
        filing_year=2000 + int(digits[-6:-4]),
        sequence=digits[-4:],
    )


def filing_number_fields(text: str | None) -> dict:
    """The decoded fields of a list row's 网信算备 number, all None when it does not parse."""
    parsed = parse_algorithm_filing_number(text)
    return {"filing_number": parsed.canonical if parsed else None,
            "region_code": parsed.region_code if parsed else None,
            "entity_id": parsed.entity_id if parsed else None,
            "algorithm_type": parsed.algorithm_type if parsed else None,
            "filing_year": parsed.filing_year if parsed else None}


# Tolerant of stray spaces around the dashes and before the S; the letters of the
# name part may include digits and a few symbols (e.g. "AI-Chat" is not seen, but
# names like "360ZhiNao" are).
_GENAI_NUMBER = re.compile(
    r"^(?P<prefix>[A-Za-z]+)\s*-\s*(?P<name>.+?)\s*-\s*"
    r"(?P<date>\d{8})(?:\s*(?P<s>[Ss])\s*(?P<seq>\d+)|(?P<nseq>\d{4,6}))?$"
)
LOCAL_REGISTRATION_PATTERN = re.compile(r"\d{8}\s*S\s*\d+")


@dataclass(frozen=True)
class RegistrationNumber:
    raw: str
    prefix: str  # as printed, e.g. ZheJiang
    pinyin_name: str
    embedded_date: date | None  # the date inside the number (not the filing date)
    sequence: str | None  # NNNN after the date (national) or after S (local)
    is_local: bool  # True for 登记 (…S NNNN)

    @property
    def province(self) -> Province | None:
        return province_by_pinyin(self.prefix)


def looks_like_local_registration(text: str | None) -> bool:
    """The tier rule from the CAC's numbering: ``\\d{8}\\s*S\\s*\\d+`` is 登记."""
    return bool(text and LOCAL_REGISTRATION_PATTERN.search(text))


def _safe_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def parse_registration_number(text: str | None) -> RegistrationNumber | None:
    """Parse a gen-AI 备案号/上线编号; None when it is missing or truncated."""
    raw = (text or "").strip()
    match = _GENAI_NUMBER.match(raw)
    if not match:
        return None
    is_local = match.group("s") is not None
    return RegistrationNumber(
        raw=raw,
        prefix=match.group("prefix"),
        pinyin_name=match.group("name").strip(),
        embedded_date=_safe_date(match.group("date")),
        sequence=match.group("seq") if is_local else match.group("nseq"),
        is_local=is_local,
    )
