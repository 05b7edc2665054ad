"""Cell and page text normalisation shared by every parser."""

from __future__ import annotations

import re
import unicodedata

_SPACE_RUN = re.compile(r"\s+")
# NFKC folds full-width digits, letters and most punctuation; these two are kept
# full-width on purpose because the CAC writes them so in names and suffixes.
_KEEP_FULL_WIDTH = {"（": "\uE000", "）": "\uE001"}


def normalise_cell(value: str | None) -> str:
    """Fold full-width characters (except brackets), collapse white space, strip."""
    if not value:
        return ""
    # zero-width characters go before NFKC, so the marks they kept apart compose in one pass
    text = value.replace("\u200b", "").replace("\ufeff", "")
    for ch, placeholder in _KEEP_FULL_WIDTH.items():
        text = text.replace(ch, placeholder)
    text = unicodedata.normalize("NFKC", text)
    for ch, placeholder in _KEEP_FULL_WIDTH.items():
        text = text.replace(placeholder, ch)
    return _SPACE_RUN.sub(" ", text).strip()


def one_line(value: object) -> str:
    """An error or value as one line for a message: white space collapsed, never empty."""
    return " ".join(str(value).split()) or type(value).__name__


def compact(value: str) -> str:
    """Remove every white-space character (for matching headers and numbers)."""
    return _SPACE_RUN.sub("", normalise_cell(value))


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_numeral_to_int(text: str) -> int:
    """Convert a Chinese numeral such as 十五, 二十三, 一百零二 (or Arabic digits) to int."""
    text = normalise_cell(text)
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)
