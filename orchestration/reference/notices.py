"""The filing notices published so far, shipped as data (known_notices.csv): public facts (URL,
title, date, series) read off the CAC's column 网信发布, so that a cold start fetches them
directly instead of walking years of the column. The `source` column says where each came from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

KNOWN_NOTICES_CSV = Path(__file__).with_name("known_notices.csv")


@dataclass(frozen=True)
class KnownNotice:
    url: str
    title: str
    series: str | None
    published_on: date | None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def load_known_notices(path: Path | None = KNOWN_NOTICES_CSV) -> list[KnownNotice]:
    """The notices of a CSV with notice_url, title, published_on and series; none without a path."""
    if path is None:
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return [KnownNotice(url=row["notice_url"].strip(), title=row.get("title") or "",
                            series=row.get("series") or None, published_on=_date(row.get("published_on")))
                for row in csv.DictReader(handle) if (row.get("notice_url") or "").strip()]
