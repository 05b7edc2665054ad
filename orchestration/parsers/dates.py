"""Dates as the lists print them: 2023/8/31, 2023-08-31, 2023年8月31日, with suffixes
such as （补登） kept as a note, never dropped."""

from __future__ import annotations

import re
from datetime import date

from .text import normalise_cell

_DATE = re.compile(r"(20\d{2})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?")
_BRACKETS = "（）()[]【】 "


def parse_list_date(text: str | None) -> tuple[date | None, str]:
    """(date, note): the date printed in a cell and whatever else the cell says."""
    value = normalise_cell(text)
    match = _DATE.search(value)
    if not match:
        return None, value
    try:
        parsed = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None, value
    note = (value[: match.start()] + value[match.end():]).strip(_BRACKETS)
    return parsed, note
