"""The plan of a synthetic mirror: which lists of which series, in which month, with how many
rows and which dirt; deterministic given rows, lists and seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ...vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI

DS, AR, GENAI = SERIES_DEEP_SYNTHESIS, SERIES_ALGORITHM_RECOMMENDATION, SERIES_GENAI
LIST_SERIES = (DS, AR, GENAI)
# The timeline is fixed (not today's date) so a seed always gives the same bytes; it ends
# before the day this was written, so no date fails the "not in the future" checks.
LAST_MONTH = (2026, 10)
FIRST_MONTH = {DS: (2023, 6), AR: (2022, 8), GENAI: (2024, 4)}  # as in reality
INNER_HEADER_MONTHS = ((2024, 8), (2025, 3))  # the lists that repeat the 登记 header inside
LIST_SHARE = {DS: 0.4, AR: 0.3, GENAI: 0.3}  # reality: 15, 16 and 11 lists
ROW_SHARE = {DS: 0.6, AR: 0.1, GENAI: 0.3}  # most rows in deep synthesis and gen-AI
MIN_ROWS_PER_LIST = 6  # room for both gen-AI tiers and the one bad row
_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = ("", "十", "百", "千")


def chinese_numeral(number: int) -> str:
    """1..9999 as the CAC writes batch numbers: 十五, 二十, 一百零二, 一千零一十."""
    if not 0 < number < 10000:
        raise ValueError(f"no Chinese numeral for {number}")
    digits = str(number)
    parts: list[str] = []
    pending_zero = False
    for position, char in enumerate(digits):
        digit = int(char)
        if digit == 0:
            pending_zero = True
            continue
        if pending_zero and parts:
            parts.append("零")
        pending_zero = False
        parts.append(_CN_DIGITS[digit] + _CN_UNITS[len(digits) - 1 - position])
    text = "".join(parts)
    return text[1:] if 10 <= number < 20 else text  # 十五, not 一十五


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _year_month(index: int) -> tuple[int, int]:
    year, month0 = divmod(index, 12)
    return year, month0 + 1


def list_months(first: tuple[int, int], last: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """``count`` months from ``first`` to ``last`` in order: distinct and spread evenly while
    there are enough months, else several lists a month (the CAC's range never grows)."""
    start, end = _month_index(*first), _month_index(*last)
    span = end - start
    if count > span + 1:
        return [_year_month(start + k * (span + 1) // count) for k in range(count)]
    if count == 1:
        return [_year_month(end)]
    # floor(x + 0.5), not round(): monotone with steps >= 1, so months never repeat
    return [_year_month(start + int(k * span / (count - 1) + 0.5)) for k in range(count)]


def _label(year: int, month: int) -> str:
    return f"{year}年{month}月"


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    shares = [spare * w / sum(weights) for w in weights]
    parts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


@dataclass(frozen=True)
class ListPlan:
    series: str
    position: int  # 0-based within its series, in time order
    year: int
    month: int
    published: date
    rows: int
    bad_index: int  # which data row (0-based) is the bad one
    bad_kind: str
    empty_serials: bool  # deep synthesis: Word auto-numbering lost, every 序号 empty
    inner_header: bool  # gen-AI: the 登记 header row stands inside the table
    local_rows: int  # gen-AI: 登记 rows (0 for a list of 备案 only)

    @property
    def label(self) -> str:
        return _label(self.year, self.month)

    @property
    def list_label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def _lists_per_series(lists: int) -> dict[str, int]:
    """At least one list per series (``lists`` >= 3); the rounding goes to deep synthesis."""
    counts = {series: max(1, int(lists * LIST_SHARE[series])) for series in LIST_SERIES}
    counts[DS] += lists - sum(counts.values())
    return counts


def plan_lists(rows: int, lists: int, seed: int) -> list[ListPlan]:
    """Deterministic given the arguments: lists per series, their months, rows and dirt."""
    if lists < len(LIST_SERIES):
        raise ValueError(f"lists={lists}: need at least {len(LIST_SERIES)} (one per series)")
    if rows < MIN_ROWS_PER_LIST * lists:
        raise ValueError(f"rows={rows}: need at least {MIN_ROWS_PER_LIST} rows per list "
                         f"({MIN_ROWS_PER_LIST * lists} for {lists} lists)")
    rng = random.Random(f"{seed}/plan")
    counts = _lists_per_series(lists)
    spare = rows - MIN_ROWS_PER_LIST * lists
    series_rows = {s: MIN_ROWS_PER_LIST * counts[s] + int(spare * ROW_SHARE[s]) for s in LIST_SERIES}
    series_rows[DS] += rows - sum(series_rows.values())
    plans: list[ListPlan] = []
    for series in LIST_SERIES:
        n = counts[series]
        months = list_months(FIRST_MONTH[series], LAST_MONTH, n)
        sizes = _split(series_rows[series], [rng.uniform(0.5, 1.5) for _ in range(n)], MIN_ROWS_PER_LIST)
        # about a third of deep-synthesis lists lost their numbering (never the first, at
        # least one when there are two), so a series has lists with and without 序号
        no_serials = {i for i in range(1, n) if rng.random() < 0.35} or ({n - 1} if n > 1 else set())
        in_window = [i for i, m in enumerate(months)
                     if INNER_HEADER_MONTHS[0] <= m <= INNER_HEADER_MONTHS[1]]
        inner = set(in_window) or ({1} if n > 1 else set())
        previous: date | None = None
        for i, ((year, month), size) in enumerate(zip(months, sizes)):
            published = _publication_date(series, year, month, rng)
            if previous is not None and published <= previous:  # batches come out in order
                published = previous + timedelta(days=1)
            previous = published
            first_only_national = series == GENAI and i == 0 and (year, month) < (2024, 8)
            local = 0 if series != GENAI or first_only_national else max(1, int(size * rng.uniform(0.3, 0.5)))
            plans.append(ListPlan(
                series=series, position=i, year=year, month=month, published=published, rows=size,
                bad_index=rng.randrange(size),
                bad_kind=rng.choice(("filing_number_truncated", "blank_entity") if series != GENAI
                                    else ("blank_filer", "blank_service_name")),
                empty_serials=series == DS and i in no_serials,
                inner_header=series == GENAI and i in inner and local > 0,
                local_rows=local,
            ))
    return plans


def _publication_date(series: str, year: int, month: int, rng: random.Random) -> date:
    if series == DS and (year, month) < LAST_MONTH and rng.random() < 0.25:
        # the 2024年10月 batch came out on 2024-11-01: the label month is not the publication's
        next_year, next_month = _year_month(_month_index(year, month) + 1)
        return date(next_year, next_month, rng.randint(1, 8))
    return date(year, month, rng.randint(2, 28))
