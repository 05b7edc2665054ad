"""A synthetic mirror of any size, for the scale benchmark (not part of the data path).

``generate_mirror(root, rows=…, lists=…, seed=…)`` writes a directory laid out like the
reference corpus (``<root>/<host>/<url path>``): both hosts' ``index.htm``, one notice page
per deep-synthesis batch, the two living pages, cancellation notices, and the lists as
DOCX files. The lists carry the dirt of the real ones in a small share (empty 序号, header
drift, an inner 登记 header row, （补登） dates, province spellings, spaced numbers) and
exactly one row per list that validation must quarantine. What the pipeline should
extract, accept and quarantine is returned and written to ``<root>/expected.json``.

DOCX files are written as plain XML strings into a zip: python-docx builds an object per
cell and takes minutes for a million rows; this takes about 9 s (about 110,000 rows/s).

Keep rows/lists under the pipeline's table bound (``BEIAN_MAX_ROWS_PER_TABLE``, 200,000
rows by default, orchestration/limits.py): a bigger list is refused by the DOCX reader.

    python -m orchestration.bench.synthetic OUT_DIR --rows 20000 --lists 40 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

from ..parsers.provinces import SASAC, province_by_code
from ..settings import ALGORITHM_LIVING_PAGE, GENAI_LIVING_PAGE
from ..vocabulary import (
    SERIES_ALGORITHM_RECOMMENDATION, SERIES_CANCELLATION, SERIES_DEEP_SYNTHESIS, SERIES_GENAI,
)
from .vocabulary import (
    APP_SUFFIXES, AR_KIND_WEIGHTS, AR_KINDS, DS_KINDS, FORMS, INDUSTRIES, MODEL_SUFFIXES, PREFIX_TYPOS,
    PREFIX_VARIANTS, PRODUCTS, REGION_CODES, SOES, SYLLABLES,
)

DS, AR, GENAI = SERIES_DEEP_SYNTHESIS, SERIES_ALGORITHM_RECOMMENDATION, SERIES_GENAI
LIST_SERIES = (DS, AR, GENAI)
WWW, BEIAN = "https://www.cac.gov.cn", "https://beian.cac.gov.cn"
ENTRY_PAGES = (f"{WWW}/index.htm", f"{BEIAN}/index.htm", GENAI_LIVING_PAGE, ALGORITHM_LIVING_PAGE)

# The timeline is fixed (not today's date) so a seed always gives the same bytes; it ends
# before the day this was written, so no date fails the "not in the future" checks.
LAST_MONTH = (2026, 10)
FIRST_MONTH = {DS: (2023, 6), AR: (2022, 8), GENAI: (2024, 4)}  # as in reality
GENAI_FIRST_DAY = date(2023, 8, 31)  # the first gen-AI filings
FIRST_FILING_YEAR = 2022  # the algorithm filing system opened in 2022
OLD_NUMBER_UNTIL = date(2024, 4, 1)  # before this, 备案 numbers have no NNNN after the date
INNER_HEADER_MONTHS = ((2024, 8), (2025, 3))  # the lists that repeat the 登记 header inside
NEW_HEADER_FROM = (2025, 1)  # 大模型名称/备案编号 from here on, 模型名称/备案号 before
LIST_SHARE = {DS: 0.4, AR: 0.3, GENAI: 0.3}  # reality: 15, 16 and 11 lists
ROW_SHARE = {DS: 0.6, AR: 0.1, GENAI: 0.3}  # most rows in deep synthesis and gen-AI
MIN_ROWS_PER_LIST = 6  # room for both gen-AI tiers and the one bad row
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
ZIP_LEVEL = 1  # deflate level: 1 is several times faster than 6 on this XML

DS_HEADER = ("序号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "备注")
AR_HEADER = ("序号", "算法名称", "算法类别", "主体名称", "应用产品", "主要用途", "备案编号", "备注")
GENAI_HEADER_OLD = ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间")
GENAI_HEADER_NEW = ("序号", "属地", "大模型名称", "备案单位", "备案编号", "备案时间")
LOCAL_HEADER = ("序号", "属地", "应用/功能名称", "登记单位", "上线编号", "登记时间")
CANCELLATION_HEADER = ("序号", "算法名称", "角色", "主体名称", "应用产品", "备案编号", "注销时间")

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_CELL = "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>"


def _row_template(columns: int) -> str:
    return "<w:tr>" + _CELL * columns + "</w:tr>"


_ROW8, _ROW7, _ROW6 = _row_template(8), _row_template(7), _row_template(6)




# --- the result ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BadRow:
    """The one row of a list that validation must quarantine."""

    kind: str  # filing_number_truncated | blank_entity | blank_filer | blank_service_name
    row_index: int  # the row in its table as the parsers count it (the header is row 0)
    detail: str  # the cell as written: the cut number, or which column is blank


@dataclass(frozen=True)
class ListExpectation:
    series: str
    label: str  # as in the attachment name, e.g. 2024年8月
    list_label: str  # as discovery derives it, e.g. 2024-08
    batch_no: int | None  # deep synthesis only
    published_on: str  # ISO date of the notice (deep synthesis) or of the update
    notice_url: str
    attachment_url: str
    rows_extracted: int
    rows_accepted: int
    rows_quarantined: int
    bad_row: BadRow
    header: tuple[str, ...]
    dirt: dict[str, int]  # kind of dirt -> rows (or header rows) carrying it
    serials: dict[str, list[int]] = field(default_factory=dict)  # gen-AI: tier -> [first, last]


@dataclass(frozen=True)
class CancellationExpectation:
    title: str
    published_on: str
    notice_url: str
    attachment_url: str
    rows: int
    filing_numbers: tuple[str, ...]  # the 21 digits, each from an earlier list


@dataclass(frozen=True)
class SyntheticCorpus:
    root: Path  # the mirror root: <root>/<host>/<url path>
    entry_pages: tuple[str, ...]  # both index.htm pages and the two living pages
    lists: tuple[ListExpectation, ...]
    cancellations: tuple[CancellationExpectation, ...]
    seed: int

    @property
    def totals(self) -> dict[str, dict[str, int]]:
        """Per series: lists, rows_extracted, rows_accepted, rows_quarantined."""
        totals: dict[str, dict[str, int]] = {}
        for item in self.lists:
            entry = totals.setdefault(item.series, dict.fromkeys(
                ("lists", "rows_extracted", "rows_accepted", "rows_quarantined"), 0))
            entry["lists"] += 1
            entry["rows_extracted"] += item.rows_extracted
            entry["rows_accepted"] += item.rows_accepted
            entry["rows_quarantined"] += item.rows_quarantined
        if self.cancellations:  # clean lists: every row is accepted
            rows = sum(c.rows for c in self.cancellations)
            totals[SERIES_CANCELLATION] = {"lists": len(self.cancellations), "rows_extracted": rows,
                                           "rows_accepted": rows, "rows_quarantined": 0}
        return totals

    def to_json(self) -> dict:
        return {"seed": self.seed, "entry_pages": list(self.entry_pages), "totals": self.totals,
                "lists": [asdict(item) for item in self.lists],
                "cancellations": [asdict(item) for item in self.cancellations]}


# --- small pure helpers ----------------------------------------------------------------------

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


def _slash_date(day: date) -> str:
    return f"{day.year}/{day.month}/{day.day}"


def _href(path: str) -> str:
    """Root-relative and percent-encoded, as the CAC links attachments."""
    return quote(path, safe="/")


def _notice_id(published: date, rng: random.Random) -> str:
    seconds = int(datetime(published.year, published.month, published.day, 2, tzinfo=timezone.utc).timestamp())
    return f"c_{seconds * 1_000_000 + rng.randrange(1_000_000)}"


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), each part at least ``minimum``."""
    spare = total - minimum * len(weights)
    shares = [spare * w / sum(weights) for w in weights]
    parts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [minimum + p for p in parts]


# --- the plan: which lists, when, how many rows ----------------------------------------------

@dataclass(frozen=True)
class _ListPlan:
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


def plan_lists(rows: int, lists: int, seed: int) -> list[_ListPlan]:
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
    plans: list[_ListPlan] = []
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
            plans.append(_ListPlan(
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


# --- filers ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Company:
    name: str
    brand: str
    brand_pinyin: str
    region_code: str
    entity_id: str  # 7 digits, stable for the company across all its filings
    locality: str  # 属地: the province's full name
    prefix: str  # the province's pinyin, as gen-AI numbers start


def _company_capacity() -> int:
    return len(SYLLABLES) ** 2 * len(INDUSTRIES)


def make_companies(count: int, seed: int) -> list[_Company]:
    """``count`` distinct filers: brand and industry are a bijection of the index (so
    names never repeat), the entity id another (ids never repeat), the district is drawn
    with the corpus's frequencies."""
    capacity = _company_capacity()
    if count > capacity:
        raise ValueError(f"at most {capacity} distinct synthetic companies")
    rng = random.Random(f"{seed}/companies")
    cum_weights, total = [], 0
    for _, _, weight in REGION_CODES:
        total += weight
        cum_weights.append(total)
    syllables, n_syl = SYLLABLES, len(SYLLABLES)
    name_offset, id_offset = rng.randrange(capacity), rng.randrange(10_000_000)
    companies = []
    for i in range(count):
        # 1_000_003 and 6_700_417 are primes coprime to both moduli: i -> j is a bijection
        j = (i * 1_000_003 + name_offset) % capacity
        j, first = divmod(j, n_syl)
        industry, second = divmod(j, n_syl)
        code, city, _ = rng.choices(REGION_CODES, cum_weights=cum_weights)[0]
        province = province_by_code(code)
        brand = syllables[first][0] + syllables[second][0]
        form = FORMS[rng.randrange(len(FORMS))]
        industry_word = INDUSTRIES[industry]
        name = (f"{city}{brand}{industry_word}{form}" if rng.random() < 0.8
                else f"{brand}（{city}）{industry_word}{form}")
        companies.append(_Company(
            name=name, brand=brand, brand_pinyin=syllables[first][1] + syllables[second][1],
            region_code=code, entity_id=f"{(i * 6_700_417 + id_offset) % 10_000_000:07d}",
            locality=province.name, prefix=province.pinyin,
        ))
    return companies


class _Filings:
    """Filing numbers in the 网信算备 grammar, never repeated: the sequence runs per
    (entity, type, year). Big filers file more often, as in reality."""

    def __init__(self, companies: list[_Company]):
        self.companies = companies
        self.sequences: dict[tuple[str, str, int], int] = {}

    def pick(self, rng: random.Random) -> _Company:
        r = rng.random()
        return self.companies[int(len(self.companies) * r * r)]

    def number(self, company: _Company, algorithm_type: str, year: int) -> str:
        key = (company.entity_id, algorithm_type, year)
        sequence = self.sequences.get(key, 0) + 1
        if sequence > 9999:
            raise ValueError("a synthetic filer ran out of four-digit sequence numbers; use more rows per company")
        self.sequences[key] = sequence
        return f"{company.region_code}{company.entity_id}{algorithm_type}{year % 100:02d}{sequence:04d}"


def _printed_number(digits: str, spaced: bool) -> str:
    if spaced:  # 网信算备 110108 8234839 01 23 0031 号
        return f"网信算备 {digits[:6]} {digits[6:13]} {digits[13:15]} {digits[15:17]} {digits[17:]} 号"
    return f"网信算备{digits}号"


# --- the lists -------------------------------------------------------------------------------

@dataclass
class _Candidate:
    """A row kept for the cancellation notices."""

    series: str
    published: date
    algorithm_name: str
    role: str  # 角色 (deep synthesis) or 算法类别 (algorithm recommendation)
    entity: str
    product: str
    printed_number: str
    digits: str


def _algorithm_rows(plan: _ListPlan, rng: random.Random, filings: _Filings, dirt: dict[str, int],
                    keep: set[int], kept: list[_Candidate]) -> Iterator[str]:
    """The data rows of one deep-synthesis or algorithm-recommendation list, as <w:tr> XML."""
    deep = plan.series == DS
    rand, randrange = rng.random, rng.randrange
    n_products, n_ds, n_ar = len(PRODUCTS), len(DS_KINDS), len(AR_KIND_WEIGHTS)
    late = plan.year >= 2024  # 检索过滤类 was split in two in 2024
    empty = plan.empty_serials
    for i in range(plan.rows):
        company = filings.pick(rng)
        brand = company.brand
        # the year in the number can lag the list's; the filing system opened in 2022
        year = max(FIRST_FILING_YEAR, plan.year - 1 if rand() < 0.25 else plan.year)
        if deep:
            suffix, scene, does = DS_KINDS[randrange(n_ds)]
            algorithm_type = "01"
            supporter = rand() < 0.22
            role_or_category = "服务技术支持者" if supporter else "服务提供者"
            product = "--" if supporter else PRODUCTS[randrange(n_products)].format(b=brand)
        else:
            early_category, late_category, algorithm_type, suffix, scene, does = \
                AR_KINDS[AR_KIND_WEIGHTS[randrange(n_ar)]]
            role_or_category = late_category if late else early_category
            product = PRODUCTS[randrange(n_products)].format(b=brand)
            supporter = False
        name = f"{brand}{suffix}-1" if rand() < 0.05 else f"{brand}{suffix}"
        digits = filings.number(company, algorithm_type, year)
        spaced = rand() < 0.02
        printed = _printed_number(digits, spaced)
        entity = company.name
        remark = ""
        r = rand()
        if r < 0.02:
            remark = f"{plan.year}年{plan.month}月更新应用产品"
        elif r < 0.03:
            remark = "变更内容:产品变更" if deep else "已注销"
        if i == plan.bad_index:
            if plan.bad_kind == "filing_number_truncated":
                printed = f"网信算备{digits[:20]}号"
            else:
                entity = ""
        elif i in keep:
            kept.append(_Candidate(plan.series, plan.published, name, role_or_category, entity,
                                   product, printed, digits))
        dirt["spaced_filing_number"] += spaced
        dirt["technical_supporter"] += supporter
        dirt["remark"] += bool(remark)
        yield _ROW8 % ("" if empty else str(i + 1), name, role_or_category, entity, product,
                       f"应用于{scene}场景,{does}。", printed, remark)
    if empty:
        dirt["empty_serial"] = plan.rows


@dataclass
class _GenaiState:
    """What runs on from one gen-AI list to the next: the national serials per tier and
    the per-province sequence inside the numbers."""

    serials: dict[str, int] = field(default_factory=lambda: {"national_filing": 0, "local_registration": 0})
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    last_published: date | None = None


def _genai_rows(plan: _ListPlan, rng: random.Random, companies: list[_Company], state: _GenaiState,
                dirt: dict[str, int], serials: dict[str, list[int]]) -> Iterator[str]:
    """Header, 备案 rows, (inner 登记 header), 登记 rows of one gen-AI list, as <w:tr> XML."""
    new_header = (plan.year, plan.month) >= NEW_HEADER_FROM
    yield _ROW6 % (GENAI_HEADER_NEW if new_header else GENAI_HEADER_OLD)
    first = state.last_published + timedelta(days=1) if state.last_published else plan.published - timedelta(days=240)
    first = max(first, GENAI_FIRST_DAY)
    last = max(first, plan.published - timedelta(days=1))
    national = plan.rows - plan.local_rows
    rand, randrange = rng.random, rng.randrange
    n_companies = len(companies)
    for tier, count, offset in (("national_filing", national, 0), ("local_registration", plan.local_rows, national)):
        if count == 0:
            continue
        is_local = tier == "local_registration"
        if is_local and plan.inner_header:
            dirt["inner_header_row"] += 1
            yield _ROW6 % LOCAL_HEADER
        suffixes = APP_SUFFIXES if is_local else MODEL_SUFFIXES
        serials[tier] = [state.serials[tier] + 1, state.serials[tier] + count]
        span = (last - first).days
        for k in range(count):
            state.serials[tier] += 1
            if rand() < 0.02:
                filer, brand, brand_pinyin = SOES[randrange(len(SOES))]
                locality, prefix = SASAC.name, SASAC.pinyin
                dirt["sasac"] += 1
            else:
                r = rand()
                company = companies[int(n_companies * r * r)]
                filer, brand, brand_pinyin = company.name, company.brand, company.brand_pinyin
                locality, prefix = company.locality, company.prefix
                if prefix in PREFIX_VARIANTS and rand() < 0.15:
                    prefix = PREFIX_VARIANTS[prefix]
                    dirt["province_prefix_variant"] += 1
                elif prefix in PREFIX_TYPOS and rand() < 0.01:
                    prefix = PREFIX_TYPOS[prefix]
                    dirt["province_prefix_variant"] += 1
            word, word_pinyin = suffixes[randrange(len(suffixes))]
            registered = first + timedelta(days=k * span // count)
            sequence_key = (tier, locality)
            sequence = state.sequences.get(sequence_key, 0) + 1
            state.sequences[sequence_key] = sequence
            if is_local:
                stamp = max(registered - timedelta(days=randrange(6)), GENAI_FIRST_DAY)
                number = f"{prefix}-{brand_pinyin}{word_pinyin}-{stamp:%Y%m%d}S{sequence:04d}"
            else:
                stamp = max(registered - timedelta(days=randrange(10, 90)), GENAI_FIRST_DAY)
                if stamp < OLD_NUMBER_UNTIL:
                    number = f"{prefix}-{brand_pinyin}{word_pinyin}-{stamp:%Y%m%d}"
                    dirt["number_without_sequence"] += 1
                else:
                    number = f"{prefix}-{brand_pinyin}{word_pinyin}-{stamp:%Y%m%d}{sequence:04d}"
            when = _slash_date(registered)
            if rand() < 0.01:
                when += "（补登）"
                dirt["supplementary_date"] += 1
            service = brand + word
            if offset + k == plan.bad_index:
                if plan.bad_kind == "blank_filer":
                    filer = ""
                else:
                    service = ""
            yield _ROW6 % (state.serials[tier], locality, service, filer, number, when)
    state.last_published = plan.published


def _bad_row(plan: _ListPlan, detail: str) -> BadRow:
    row_index = plan.bad_index + 1  # below the header row
    if plan.inner_header and plan.bad_index >= plan.rows - plan.local_rows:
        row_index += 1  # below the inner 登记 header too
    return BadRow(plan.bad_kind, row_index, detail)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)  # a fixed time: same seed, same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open(info, "w") takes the level from the ZipInfo; the attribute is private
    # up to 3.12 and an alias of compress_level from 3.13 on
    info._compresslevel = ZIP_LEVEL
    return info


def write_docx(path: Path, heading: str, header: tuple[str, ...] | None, rows: Iterable[str]) -> None:
    """A minimal DOCX: a heading paragraph and one table (``header`` then ``rows``, each
    already <w:tr> XML), streamed into the zip so memory stays flat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = len(header) if header else 6
    grid = "".join('<w:gridCol w:w="1800"/>' for _ in range(columns))
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W_NS}">'
            f"<w:body><w:p><w:r><w:t>附件</w:t></w:r></w:p><w:p><w:r><w:t>{heading}</w:t></w:r></w:p>"
            '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>")
    if header:
        head += _row_template(len(header)) % header
    tail = "</w:tbl><w:p/><w:sectPr/></w:body></w:document>"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_zip_info("[Content_Types].xml"), _CONTENT_TYPES)
        archive.writestr(_zip_info("_rels/.rels"), _RELS)
        with archive.open(_zip_info("word/document.xml"), "w", force_zip64=True) as out:
            out.write(head.encode())
            chunk: list[str] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) == 4096:
                    out.write("".join(chunk).encode())
                    chunk.clear()
            out.write(("".join(chunk) + tail).encode())


# --- pages -----------------------------------------------------------------------------------

def _notice_html(title: str, published: date, body: str, attachments: list[tuple[str, str]]) -> str:
    """A notice page shaped like the corpus's reconstructions."""
    if len(attachments) == 1:
        links = [f'<p>附件：<a href="{_href(path)}">{text}</a></p>' for path, text in attachments]
    else:
        links = [f'<p>附件{k}：<a href="{_href(path)}">{text}</a></p>'
                 for k, (path, text) in enumerate(attachments, start=1)]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN">',
        f'<head><meta charset="utf-8"><title>{title}_中央网络安全和信息化委员会办公室</title></head>',
        "<body>", '<div class="article">', f'<h1 class="title">{title}</h1>',
        f'<div class="info"><span class="time">{published:%Y-%m-%d} 10:00:00</span> '
        '<span class="source">来源：中国网信网</span></div>',
        '<div class="main-content" id="BodyLabel">', f"<p>{body}</p>", "<p>国家互联网信息办公室</p>",
        f"<p>{published.year}年{published.month}月{published.day}日</p>", *links,
        "</div>", "</div>", "</body>", "</html>",
    ]) + "\n"


def _listing_html(items: list[tuple[str, str, date]]) -> str:
    """A host's index.htm: newest first, like the corpus's listing pages."""
    lines = [f'<li><a href="{path}">{title}</a><span class="date">{day:%Y-%m-%d}</span></li>'
             for path, title, day in sorted(items, key=lambda item: (item[2], item[0]), reverse=True)]
    return ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>公告</title></head>\n'
            '<body><ul class="list">\n' + "\n".join(lines) + "\n</ul></body></html>\n")


def _write(root: Path, url: str, text: str) -> None:
    scheme_host, _, path = url.partition("://")[2].partition("/")
    target = root / scheme_host / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _url_path(url: str) -> str:
    return "/" + url.partition("://")[2].partition("/")[2]


def _ds_title(batch: int) -> str:
    numbered = "" if batch == 1 else f"第{chinese_numeral(batch)}批"  # the first notice names no batch
    return f"国家互联网信息办公室关于发布{numbered}深度合成服务算法备案信息的公告"


def _attachment_name(plan: _ListPlan) -> tuple[str, str]:
    """(mirror path under the host, link text) of a list's attachment."""
    if plan.series == DS:
        text = f"境内深度合成服务算法备案清单（{plan.label}）"
        return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text
    if plan.series == AR:
        text = f"境内互联网信息服务算法备案清单（{plan.label}）"
        return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text
    kind = "已备案信息" if plan.local_rows == 0 else "已备案和已登记信息"
    text = f"生成式人工智能服务{kind}（{plan.label}）"
    # by publication day: a month can carry several lists of one series at scale
    return f"/files/{plan.published:%Y-%m-%d}/{text}.docx", text


# --- cancellations ---------------------------------------------------------------------------

def _cancellations(root: Path, candidates: list[_Candidate], notice_dates: list[date],
                   seed: int) -> list[CancellationExpectation]:
    """A few small notices, each cancelling numbers published in earlier lists."""
    rng = random.Random(f"{seed}/cancellations")
    used: set[str] = set()
    notices: list[CancellationExpectation] = []
    for day in notice_dates:
        pool = [c for c in candidates if c.published < day and c.digits not in used]
        if not pool:
            continue
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, 6)))
        used.update(c.digits for c in chosen)
        notice_id = f"notice_{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        title = f"关于注销“{chosen[0].algorithm_name}”等{len(chosen)}个算法备案编号的公告"
        month = f"{day.year}年{day.month}月"
        rows = []
        for k, c in enumerate(chosen, start=1):
            # 角色 is dirty in the real notices: cut short, or the algorithm class
            role = "服务提供" if c.role == "服务提供者" and rng.random() < 0.4 else c.role
            rows.append(_ROW7 % (k, c.algorithm_name, role, c.entity, c.product, c.printed_number, month))
        attachment_path = f"/files/{notice_id}.docx"
        write_docx(root / "beian.cac.gov.cn" / attachment_path.lstrip("/"), title, CANCELLATION_HEADER, rows)
        notice_url = f"{BEIAN}/notice/{notice_id}.htm"
        _write(root, notice_url, _notice_html(title, day, f"注销“{chosen[0].algorithm_name}”等{len(chosen)}个算法备案编号。",
                                              [(attachment_path, title)]))
        notices.append(CancellationExpectation(
            title=title, published_on=day.isoformat(), notice_url=notice_url,
            attachment_url=f"{BEIAN}{_href(attachment_path)}", rows=len(chosen),
            filing_numbers=tuple(c.digits for c in chosen)))
    return notices


# --- the whole mirror ------------------------------------------------------------------------

def generate_mirror(root: Path, *, rows: int, lists: int, seed: int = 0) -> SyntheticCorpus:
    """Write a synthetic mirror with ``rows`` data rows over ``lists`` lists (deep synthesis,
    algorithm recommendation and gen-AI; cancellation notices come on top) into ``root``,
    which must be empty or absent. Same arguments, same bytes."""
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root}: not empty; the synthetic mirror needs an empty directory")
    plans = plan_lists(rows, lists, seed)
    companies = make_companies(min(_company_capacity(), max(50, rows // 4)), seed)
    filings, genai_state = _Filings(companies), _GenaiState()
    candidates: list[_Candidate] = []
    expectations: list[ListExpectation] = []
    ds_notices: list[tuple[str, str, date]] = []
    living: dict[str, list[tuple[str, str]]] = {GENAI: [], AR: []}
    for plan in plans:
        rng = random.Random(f"{seed}/{plan.series}/{plan.position}")
        path, link_text = _attachment_name(plan)
        dirt: dict[str, int] = dict.fromkeys(
            ("empty_serial", "spaced_filing_number", "technical_supporter", "remark")
            if plan.series != GENAI else
            ("inner_header_row", "supplementary_date", "province_prefix_variant", "sasac",
             "number_without_sequence"), 0)
        serials: dict[str, list[int]] = {}
        if plan.series == GENAI:
            header = GENAI_HEADER_NEW if (plan.year, plan.month) >= NEW_HEADER_FROM else GENAI_HEADER_OLD
            body = _genai_rows(plan, rng, companies, genai_state, dirt, serials)
            write_docx(root / "www.cac.gov.cn" / path.lstrip("/"), link_text, None, body)
            detail = "备案单位/登记单位 blank" if plan.bad_kind == "blank_filer" else "模型/应用名称 blank"
        else:
            header = DS_HEADER if plan.series == DS else AR_HEADER
            keep = set(rng.sample(range(plan.rows), min(plan.rows, 6))) - {plan.bad_index}
            kept: list[_Candidate] = []
            body = _algorithm_rows(plan, rng, filings, dirt, keep, kept)
            write_docx(root / "www.cac.gov.cn" / path.lstrip("/"), link_text, header, body)
            candidates.extend(kept)
            detail = "主体名称 blank" if plan.bad_kind == "blank_entity" else "filing number cut to 20 digits"
        if plan.series == DS:
            batch = plan.position + 1
            notice_url = f"{WWW}/{plan.published:%Y-%m/%d}/{_notice_id(plan.published, rng)}.htm"
            title = _ds_title(batch)
            ordinal = "" if batch == 1 else f"第{chinese_numeral(batch)}批"
            _write(root, notice_url, _notice_html(
                title, plan.published,
                f"根据《互联网信息服务深度合成管理规定》，国家互联网信息办公室现公开发布{ordinal}境内深度合成服务算法"
                "备案信息，具体信息可通过互联网信息服务算法备案系统（https://beian.cac.gov.cn）进行查询。",
                [(path, link_text)]))
            ds_notices.append((_url_path(notice_url), title, plan.published))
        else:
            batch = None
            notice_url = GENAI_LIVING_PAGE if plan.series == GENAI else ALGORITHM_LIVING_PAGE
            living[plan.series].append((path, link_text))
        expectations.append(ListExpectation(
            series=plan.series, label=plan.label, list_label=plan.list_label, batch_no=batch,
            published_on=plan.published.isoformat(), notice_url=notice_url,
            attachment_url=f"{WWW}{_href(path)}", rows_extracted=plan.rows,
            rows_accepted=plan.rows - 1, rows_quarantined=1,
            bad_row=_bad_row(plan, detail), header=header, dirt=dirt, serials=serials,
        ))
    genai_title = "国家互联网信息办公室关于发布生成式人工智能服务已备案信息的公告"
    ar_title = "国家互联网信息办公室关于发布互联网信息服务算法备案信息的公告"
    genai_day, ar_day = date(2024, 4, 2), date(2022, 8, 12)  # the living pages' real dates
    _write(root, GENAI_LIVING_PAGE, _notice_html(
        genai_title, genai_day, "根据《生成式人工智能服务管理暂行办法》，国家互联网信息办公室会同有关部门开展生成式"
        "人工智能服务备案工作。已备案和已登记信息在国家互联网信息办公室官网定期汇总更新，不再另行公告。",
        living[GENAI]))
    _write(root, ALGORITHM_LIVING_PAGE, _notice_html(
        ar_title, ar_day, "根据《互联网信息服务算法推荐管理规定》，现公开发布境内互联网信息服务算法备案信息，"
        "此后将定期更新，不再另行公告。", living[AR]))
    _write(root, ENTRY_PAGES[0], _listing_html(
        [*ds_notices, (_url_path(GENAI_LIVING_PAGE), genai_title, genai_day),
         (_url_path(ALGORITHM_LIVING_PAGE), ar_title, ar_day)]))
    # cancellations come out with the last deep-synthesis batches, as in reality
    notice_dates = sorted(day for _, _, day in ds_notices)[-3:]
    cancellations = _cancellations(root, candidates, notice_dates, seed)
    _write(root, ENTRY_PAGES[1], _listing_html(
        [(_url_path(c.notice_url), c.title, date.fromisoformat(c.published_on)) for c in cancellations]))
    corpus = SyntheticCorpus(root=root, entry_pages=ENTRY_PAGES, lists=tuple(expectations),
                             cancellations=tuple(cancellations), seed=seed)
    (root / "expected.json").write_text(
        json.dumps(corpus.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench.synthetic",
                                     description="Write a synthetic CAC mirror for scale benchmarks.")
    parser.add_argument("out_dir", type=Path, help="an empty or absent directory")
    parser.add_argument("--rows", type=int, default=20_000, help="data rows over all lists")
    parser.add_argument("--lists", type=int, default=40, help="lists over the three series")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        corpus = generate_mirror(args.out_dir, rows=args.rows, lists=args.lists, seed=args.seed)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"{'series':26} {'lists':>5} {'extracted':>10} {'accepted':>10} {'quarantined':>11}")
    for series, t in corpus.totals.items():
        print(f"{series:26} {t['lists']:5} {t['rows_extracted']:10} {t['rows_accepted']:10} "
              f"{t['rows_quarantined']:11}")
    print(f"\n{args.rows} rows in {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s) -> {corpus.root}")
    print(f"entry pages: BEIAN_SOURCE={corpus.root} BEIAN_ENTRY_PAGES={','.join(corpus.entry_pages)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
