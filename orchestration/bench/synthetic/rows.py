"""The rows of the synthetic lists, as <w:tr> XML: filers, filing numbers in the real
grammars, and the dirt of the real lists in a small share."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from ...parsers.provinces import SASAC, province_by_code
from ..vocabulary import (
    APP_SUFFIXES, AR_KIND_WEIGHTS, AR_KINDS, DS_KINDS, FORMS, INDUSTRIES, MODEL_SUFFIXES, PREFIX_TYPOS,
    PREFIX_VARIANTS, PRODUCTS, REGION_CODES, SOES, SYLLABLES,
)
from .docx_xml import ROW6, ROW8
from .plan import DS, ListPlan

GENAI_FIRST_DAY = date(2023, 8, 31)  # the first gen-AI filings
FIRST_FILING_YEAR = 2022  # the algorithm filing system opened in 2022
OLD_NUMBER_UNTIL = date(2024, 4, 1)  # before this, 备案 numbers have no NNNN after the date
NEW_HEADER_FROM = (2025, 1)  # 大模型名称/备案编号 from here on, 模型名称/备案号 before
DS_HEADER = ("序号", "算法名称", "角色", "主体名称", "应用产品", "主要用途", "备案编号", "备注")
AR_HEADER = ("序号", "算法名称", "算法类别", "主体名称", "应用产品", "主要用途", "备案编号", "备注")
GENAI_HEADER_OLD = ("序号", "属地", "模型名称", "备案单位", "备案号", "备案时间")
GENAI_HEADER_NEW = ("序号", "属地", "大模型名称", "备案单位", "备案编号", "备案时间")
LOCAL_HEADER = ("序号", "属地", "应用/功能名称", "登记单位", "上线编号", "登记时间")
CANCELLATION_HEADER = ("序号", "算法名称", "角色", "主体名称", "应用产品", "备案编号", "注销时间")


def _slash_date(day: date) -> str:
    return f"{day.year}/{day.month}/{day.day}"


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    brand: str
    brand_pinyin: str
    region_code: str
    entity_id: str  # 7 digits, stable for the company across all its filings
    locality: str  # 属地: the province's full name
    prefix: str  # the province's pinyin, as gen-AI numbers start


def company_capacity() -> int:
    return len(SYLLABLES) ** 2 * len(INDUSTRIES)


def make_companies(count: int, seed: int) -> list[Company]:
    """``count`` distinct filers: brand and industry are a bijection of the index (so
    names never repeat), the entity id another (ids never repeat), the district is drawn
    with the corpus's frequencies."""
    capacity = company_capacity()
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
        companies.append(Company(
            name=name, brand=brand, brand_pinyin=syllables[first][1] + syllables[second][1],
            region_code=code, entity_id=f"{(i * 6_700_417 + id_offset) % 10_000_000:07d}",
            locality=province.name, prefix=province.pinyin,
        ))
    return companies


class Filings:
    """Filing numbers in the 网信算备 grammar, never repeated: the sequence runs per
    (entity, type, year). Big filers file more often, as in reality."""

    def __init__(self, companies: list[Company]):
        self.companies = companies
        self.sequences: dict[tuple[str, str, int], int] = {}

    def pick(self, rng: random.Random) -> Company:
        r = rng.random()
        return self.companies[int(len(self.companies) * r * r)]

    def number(self, company: Company, algorithm_type: str, year: int) -> str:
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


@dataclass
class Candidate:
    """A row kept for the cancellation notices."""

    series: str
    published: date
    algorithm_name: str
    role: str  # 角色 (deep synthesis) or 算法类别 (algorithm recommendation)
    entity: str
    product: str
    printed_number: str
    digits: str


def algorithm_rows(plan: ListPlan, rng: random.Random, filings: Filings, dirt: dict[str, int],
                    keep: set[int], kept: list[Candidate]) -> Iterator[str]:
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
            kept.append(Candidate(plan.series, plan.published, name, role_or_category, entity,
                                   product, printed, digits))
        dirt["spaced_filing_number"] += spaced
        dirt["technical_supporter"] += supporter
        dirt["remark"] += bool(remark)
        yield ROW8 % ("" if empty else str(i + 1), name, role_or_category, entity, product,
                       f"应用于{scene}场景,{does}。", printed, remark)
    if empty:
        dirt["empty_serial"] = plan.rows


@dataclass
class GenaiState:
    """What runs on from one gen-AI list to the next: the national serials per tier and
    the per-province sequence inside the numbers."""

    serials: dict[str, int] = field(default_factory=lambda: {"national_filing": 0, "local_registration": 0})
    sequences: dict[tuple[str, str], int] = field(default_factory=dict)
    last_published: date | None = None


def genai_rows(plan: ListPlan, rng: random.Random, companies: list[Company], state: GenaiState,
                dirt: dict[str, int], serials: dict[str, list[int]]) -> Iterator[str]:
    """Header, 备案 rows, (inner 登记 header), 登记 rows of one gen-AI list, as <w:tr> XML."""
    new_header = (plan.year, plan.month) >= NEW_HEADER_FROM
    yield ROW6 % (GENAI_HEADER_NEW if new_header else GENAI_HEADER_OLD)
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
            yield ROW6 % LOCAL_HEADER
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
            yield ROW6 % (state.serials[tier], locality, service, filer, number, when)
    state.last_published = plan.published
