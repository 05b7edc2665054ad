"""Figures from a CAC gen-AI statistics notice, found by pattern in the visible text.

"截至2026年4月30日，累计有868款生成式人工智能服务在国家网信办完成备案，530款…
完成登记。2026年3月至4月，新增72款…完成备案，新增49款…完成登记。"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .text import normalise_cell

_AS_OF = re.compile(r"截至\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# a count (never the digits of a date) and the tier word that closes its clause
_FIGURE = re.compile(r"(\d+)(?![\d年月日])\s*款?[^\d]*?完成\s*(备案|登记)")
_PERIOD = r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*至\s*(?:\d{4}\s*年)?\s*\d{1,2}\s*月)?)?"
_PERIOD_BEFORE_NEW = re.compile(rf"({_PERIOD})\s*[,，]?\s*新增")
_PERIOD_IN_TITLE = re.compile(rf"[（(]\s*({_PERIOD})\s*[）)]|发布\s*({_PERIOD})\s*生成式")
_CUMULATIVE_WORDS = ("累计", "共有", "截至")


@dataclass(frozen=True)
class StatisticsFigures:
    as_of: date
    national_cumulative: int | None  # 备案 completed, all time
    local_cumulative: int | None  # 登记 completed, all time
    national_new: int | None  # 备案 added in the period
    local_new: int | None  # 登记 added in the period
    period_label: str | None  # e.g. 2026年3月至4月, 2024年


def _normalise(text: str) -> str:
    """Fold full-width digits line by line; keep the line breaks as sentence ends."""
    return "\n".join(normalise_cell(line) for line in text.splitlines())


def _clauses(text: str) -> list[tuple[bool | None, str]]:
    """Clauses tagged True (new), False (cumulative) or None (no marker).

    A clause without a marker takes the one of the clause before it in the same
    sentence: "累计有538款…完成备案，263款…完成登记" is cumulative twice.
    """
    tagged: list[tuple[bool | None, str]] = []
    for sentence in re.split(r"[。\n]", text):
        mode: bool | None = None
        for clause in re.split(r"[,，;；]", sentence):
            if "新增" in clause:
                mode = True
            elif any(word in clause for word in _CUMULATIVE_WORDS):
                mode = False
            tagged.append((mode, clause))
    return tagged


def _compact_label(label: str) -> str:
    return re.sub(r"\s+", "", label)


def parse_statistics_notice(text: str, title: str | None = None) -> StatisticsFigures | None:
    """The figures of a statistics notice; None when the text states no 截至 date or figures."""
    text = _normalise(text)
    as_of_match = _AS_OF.search(text)
    if not as_of_match:
        return None
    figures: dict[tuple[bool, str], int] = {}
    for is_new, clause in _clauses(text):
        if is_new is None:
            continue
        for match in _FIGURE.finditer(clause):
            figures.setdefault((is_new, match.group(2)), int(match.group(1)))
    if not figures:
        return None
    period = _PERIOD_BEFORE_NEW.search(text)
    label = period.group(1) if period else None
    if label is None and title:
        in_title = _PERIOD_IN_TITLE.search(normalise_cell(title))
        label = next((g for g in in_title.groups() if g), None) if in_title else None
    year, month, day = map(int, as_of_match.groups())
    return StatisticsFigures(
        as_of=date(year, month, day),
        national_cumulative=figures.get((False, "备案")),
        local_cumulative=figures.get((False, "登记")),
        national_new=figures.get((True, "备案")),
        local_new=figures.get((True, "登记")),
        period_label=_compact_label(label) if label else None,
    )
