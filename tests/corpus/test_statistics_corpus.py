"""Every statistics notice of the corpus parses to the figures in official_totals.csv."""

from __future__ import annotations

import csv
from datetime import date

import lxml.html
import pytest

from orchestration.parsers.statistics import parse_statistics_notice


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def _read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _page_text(path) -> tuple[str, str]:
    """Visible text of the body paragraphs, and the title."""
    root = lxml.html.parse(str(path)).getroot()
    text = "\n".join(p.text_content() for p in root.body.iter("p"))
    return text, root.findtext(".//title") or ""


def test_statistics_pages_match_official_totals(corpus_dir):
    notices = [n for n in _read_csv(corpus_dir / "notices.csv") if n["series"] == "genai_statistics"]
    totals = {t["published_on"]: t for t in _read_csv(corpus_dir / "official_totals.csv")}
    assert len(notices) == 6 and set(totals) == {n["published_on"] for n in notices}
    for notice in notices:
        text, title = _page_text(corpus_dir / "mirror" / notice["mirror_path"])
        figures = parse_statistics_notice(text, title=title)
        expected = totals[notice["published_on"]]
        assert figures is not None, notice["mirror_path"]
        assert figures.as_of == date.fromisoformat(expected["as_of"])
        assert figures.national_cumulative == _int_or_none(expected["national_filings"])
        assert figures.local_cumulative == _int_or_none(expected["local_registrations"])
        assert figures.national_new == _int_or_none(expected["national_new"])
        assert figures.local_new == _int_or_none(expected["local_new"])
        assert figures.period_label == expected["period"] == notice["list_label"]


@pytest.mark.parametrize("series", ["genai", "deep_synthesis"])
def test_other_notice_pages_are_not_statistics(corpus_dir, series):
    pages = {n["mirror_path"] for n in _read_csv(corpus_dir / "notices.csv") if n["series"] == series}
    for page in pages:
        text, _ = _page_text(corpus_dir / "mirror" / page)
        assert parse_statistics_notice(text) is None, page
