"""Properties of the pure parsers (hypothesis): the grammars round-trip what the CAC prints,
and no text, however odd, makes them raise.

The printed forms come from the real lists (domain.md, corpus/README.md): numbers with
the 网信算备 prefix and 号 suffix, spaces anywhere, full-width digits; dates as
2023/8/31, 2023-08-31 and 2023年8月31日, with suffixes such as （补登）.
Example counts are modest to keep the suite quick.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date

import pytest

# Hypothesis caches (constants, charmaps) in ./.hypothesis unless told otherwise: keep the tree clean
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "beian-hypothesis"))

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from orchestration.parsers.dates import parse_list_date  # noqa: E402
from orchestration.parsers.genai import _serial  # noqa: E402
from orchestration.parsers.numbers import parse_algorithm_filing_number, parse_registration_number  # noqa: E402
from orchestration.parsers.provinces import (  # noqa: E402
    ALL_LOCALITIES, PINYIN_TYPOS, province_by_code, province_by_name, province_by_pinyin,
)
from orchestration.parsers.text import normalise_cell  # noqa: E402

FEW = settings(max_examples=150, deadline=None, database=None)  # no .hypothesis/ in the tree
SOME = settings(max_examples=300, deadline=None, database=None)

# White space as the lists have it: ASCII, tabs, line breaks inside cells, full-width and no-break
SPACES = st.text(alphabet=" \t\n\u3000\u00a0", max_size=3)
# Characters that stress Unicode normalisation: zero-width, BOM, combining marks, jamo,
# full-width forms, the kept brackets and their placeholders, compatibility digits
TRICKY = st.sampled_from(list("\u200b\ufeff\u0301\u0308e（）()\uE000\uE001\u1100\u1161\u11a8"
                              "１２\u00b2\u2460\u3000 \t\n\u00a0ﬁ"))
# Any character, plus the tricky ones and digits of every script (Nd) and other numerals (No)
ANY_TEXT = st.text(alphabet=st.one_of(st.characters(), TRICKY, st.characters(categories=["Nd", "No"])),
                   max_size=40)


def _full_width(digits: str) -> str:
    return "".join(chr(0xFF10 + int(d)) for d in digits)


@st.composite
def spaced(draw, text: str) -> str:
    """``text`` with any white space before, between and after its characters."""
    return draw(SPACES) + "".join(ch + draw(SPACES) for ch in text)


# --- numbers.py ---------------------------------------------------------------------------

@st.composite
def printed_algorithm_number(draw) -> tuple[str, str]:
    """(digits, the number as a list might print them)."""
    digits = draw(st.text(alphabet="0123456789", min_size=21, max_size=22))
    shown = _full_width(digits) if draw(st.booleans()) else digits
    text = (draw(st.sampled_from(["", "网信算备"])) + shown + draw(st.sampled_from(["", "号"])))
    return digits, draw(spaced(text))


@FEW
@given(printed_algorithm_number())
@example(("110108823483901230031", "网信算备 110108 8234839 01 23 0031 号"))
@example(("1101082242366066220017", "网信算备1101082242366066220017号"))
def test_algorithm_number_round_trips_its_digits(case):
    digits, text = case
    number = parse_algorithm_filing_number(text)
    assert number is not None, text
    assert number.canonical == digits
    assert (number.region_code, number.entity_id) == (digits[:6], digits[6:13])
    assert number.algorithm_type == digits[13:-6]
    assert (number.filing_year, number.sequence) == (2000 + int(digits[-6:-4]), digits[-4:])
    assert number.region_code + number.entity_id + number.algorithm_type + digits[-6:-4] + \
        number.sequence == digits


@SOME
@given(st.one_of(ANY_TEXT, st.none()))
def test_algorithm_number_never_raises(text):
    number = parse_algorithm_filing_number(text)
    if number is not None:
        assert 21 <= len(number.canonical) <= 22 and number.canonical.isdigit()


def test_algorithm_number_canonical_is_ascii():
    number = parse_algorithm_filing_number("网信算备" + "١" * 21 + "号")  # Arabic-Indic digits
    assert number is None or number.canonical.isascii()


@SOME
@given(st.one_of(ANY_TEXT, st.none()))
def test_registration_number_never_raises(text):
    number = parse_registration_number(text)
    if number is not None:
        assert number.raw == (text or "").strip()


@st.composite
def printed_registration_number(draw) -> tuple[str, str, date, str | None, bool]:
    prefix = draw(st.sampled_from([p.pinyin for p in ALL_LOCALITIES] + ["ZheJiang", "Shinghai"]))
    name = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                        min_size=1, max_size=20))
    day = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2099, 12, 31)))
    is_local = draw(st.booleans())
    if is_local:
        sequence = draw(st.text(alphabet="0123456789", min_size=1, max_size=5))
        tail = draw(st.sampled_from(["S", " S", "S ", "s"])) + sequence
    else:
        sequence = draw(st.one_of(st.none(), st.text(alphabet="0123456789", min_size=4, max_size=6)))
        tail = sequence or ""
    dash = st.sampled_from(["-", " - ", "- ", " -"])
    text = prefix + draw(dash) + name + draw(dash) + day.strftime("%Y%m%d") + tail
    return text, prefix, day, sequence, is_local, name


@FEW
@given(printed_registration_number())
@example(("Jiangsu-SiWeiXiangLiangZhiSuanYun-20250101S0286", "Jiangsu", date(2025, 1, 1), "0286", True,
          "SiWeiXiangLiangZhiSuanYun"))
def test_registration_number_round_trips(case):
    text, prefix, day, sequence, is_local, name = case
    number = parse_registration_number(text)
    assert number is not None, text
    assert (number.prefix, number.pinyin_name, number.embedded_date) == (prefix, name, day)
    assert (number.sequence, number.is_local) == (sequence, is_local)
    assert number.province is not None


# --- dates.py -----------------------------------------------------------------------------

SUFFIXES = ["", "（补登）", "(补登)", " （补登）", "补登"]


@st.composite
def printed_date(draw) -> tuple[date, str, str]:
    day = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
    form = draw(st.sampled_from([
        f"{day.year}/{day.month}/{day.day}",
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year}/{day.month:02d}/{day.day:02d}",
    ]))
    suffix = draw(st.sampled_from(SUFFIXES))
    return day, draw(SPACES) + form + suffix + draw(SPACES), suffix.strip(" （）()")


@FEW
@given(printed_date())
@example((date(2026, 4, 2), "2026/4/2（补登）", "补登"))
def test_list_date_round_trips(case):
    day, text, note = case
    assert parse_list_date(text) == (day, note)


@SOME
@given(st.one_of(ANY_TEXT, st.none()))
def test_list_date_never_raises(text):
    parsed, note = parse_list_date(text)
    assert parsed is None or 2000 <= parsed.year <= 2099
    assert note == normalise_cell(text) or parsed is not None


# --- the gen-AI serial ----------------------------------------------------------------------

@FEW
@given(st.integers(min_value=0, max_value=10**6))
def test_serial_reads_digits(number):
    assert _serial({"serial_raw": str(number)}) == number
    assert _serial({"serial_raw": str(number).zfill(4)}) == number


@SOME
@given(ANY_TEXT)
@example("0263")
@example("２６３")  # full-width, folded by normalise_cell
@example("²")  # a superscript: NFKC makes it 2
def test_serial_is_an_int_for_digits_and_none_for_anything_else(text):
    # only text that went through normalise_cell reaches _serial, as in the parser
    cell = normalise_cell(text)
    assert _serial({"serial_raw": cell}) == (int(cell) if cell.isascii() and cell.isdecimal() else None)


def test_serial_of_a_digit_int_refuses():
    cell = normalise_cell("፩")
    assert cell.isdigit()
    assert _serial({"serial_raw": cell}) is None


# --- provinces.py ---------------------------------------------------------------------------

def _any_case(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(text, flips))


@FEW
@given(st.sampled_from(ALL_LOCALITIES), st.data())
def test_every_province_round_trips_by_name_code_and_pinyin(province, data):
    assert province_by_name(province.name) is province
    assert province_by_name(data.draw(spaced(province.short_name))) is province
    assert province_by_code(province.code) is province
    district = data.draw(st.text(alphabet="0123456789", min_size=0, max_size=4))
    assert province_by_code(province.code + district) is province
    assert province_by_pinyin(_any_case(data.draw, province.pinyin)) is province
    assert province_by_pinyin(data.draw(spaced(province.pinyin))) is province


@FEW
@given(st.sampled_from(sorted(PINYIN_TYPOS.items())), st.data())
def test_every_known_misspelling_maps_to_its_province(typo, data):
    misspelt, canonical = typo
    assert province_by_pinyin(_any_case(data.draw, misspelt)) is province_by_pinyin(canonical) is not None


@SOME
@given(st.one_of(ANY_TEXT, st.none()))
def test_province_lookups_never_raise(text):
    for lookup in (province_by_name, province_by_code, province_by_pinyin):
        found = lookup(text)
        assert found is None or found in ALL_LOCALITIES


# --- text.py --------------------------------------------------------------------------------

WITHOUT_ZERO_WIDTH = st.text(alphabet=st.one_of(st.characters(), TRICKY).filter(
    lambda ch: ch not in "\u200b\ufeff"), max_size=40)


@SOME
@given(WITHOUT_ZERO_WIDTH)
def test_normalise_cell_is_idempotent(text):
    once = normalise_cell(text)
    assert normalise_cell(once) == once
    assert once == once.strip() and "  " not in once


@pytest.mark.parametrize("text", ["e\u200b\u0301", "\u1100\ufeff\u1161"])
def test_normalise_cell_is_idempotent_around_zero_width_characters(text):
    once = normalise_cell(text)
    assert normalise_cell(once) == once
