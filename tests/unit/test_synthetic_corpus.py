"""The synthetic mirror for the scale benchmark, read back with the project's own code:
discovery from the entry pages, the series parsers, pandera validation.

A few thousand rows, so the whole module stays fast. The district codes are checked
against the codes the real corpus's lists carry.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from orchestration.bench.synthetic import SyntheticCorpus, generate_mirror
from orchestration.bench.synthetic.expectations import ListExpectation
from orchestration.bench.synthetic.plan import LIST_SERIES, chinese_numeral, list_months
from orchestration.bench.synthetic.rows import CANCELLATION_HEADER
from orchestration.bench.vocabulary import REGION_CODES
from orchestration.parsers.algorithm_lists import parse_algorithm_tables
from orchestration.parsers.docx import read_docx_tables
from orchestration.parsers.notice_pages import classify_series, parse_notice_page
from orchestration.parsers.numbers import parse_algorithm_filing_number
from orchestration.parsers.text import chinese_numeral_to_int
from orchestration.schemas.split import split_valid
from orchestration.series import SERIES, ParsedDocument
from orchestration.sources.discovery import discover
from orchestration.sources.mirror import MirrorSource

ROWS, LISTS, SEED = 3000, 12, 7


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> SyntheticCorpus:
    return generate_mirror(tmp_path_factory.mktemp("synthetic") / "mirror", rows=ROWS, lists=LISTS, seed=SEED)


def _bytes(corpus: SyntheticCorpus, url: str) -> bytes:
    return MirrorSource(corpus.root).fetch(url).content


@pytest.fixture(scope="module")
def parsed(corpus: SyntheticCorpus) -> list[tuple[ListExpectation, ParsedDocument, bytes]]:
    """Every list through its series' parser, in the order generated (time order per series)."""
    out = []
    for item in corpus.lists:
        data = _bytes(corpus, item.attachment_url)
        out.append((item, SERIES[item.series].parse(data, item.attachment_url), data))
    return out


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_rows(corpus: SyntheticCorpus, tmp_path: Path) -> None:
    again = generate_mirror(tmp_path / "again", rows=ROWS, lists=LISTS, seed=SEED)
    assert _tree_digest(again.root) == _tree_digest(corpus.root)
    other = generate_mirror(tmp_path / "other", rows=ROWS, lists=LISTS, seed=SEED + 1)
    first = other.lists[0]
    assert _bytes(other, first.attachment_url) != _bytes(corpus, corpus.lists[0].attachment_url)


def test_expected_json_is_what_was_returned(corpus: SyntheticCorpus) -> None:
    written = json.loads((corpus.root / "expected.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(corpus.to_json(), ensure_ascii=False))
    totals = written["totals"]
    assert sum(totals[s]["rows_extracted"] for s in LIST_SERIES) == ROWS
    assert sum(totals[s]["lists"] for s in LIST_SERIES) == LISTS
    assert all(totals[s]["rows_quarantined"] == totals[s]["lists"] for s in LIST_SERIES)
    # most rows are deep synthesis and gen-AI, as in reality
    assert totals["algorithm_recommendation"]["rows_extracted"] < totals["genai"]["rows_extracted"] \
        < totals["deep_synthesis"]["rows_extracted"]


def test_parsers_extract_the_expected_rows(parsed) -> None:
    for item, document, _ in parsed:
        assert len(document.rows) == item.rows_extracted, item.label
        if item.series == "genai":
            # the inner 登记 header is reported as a skipped row, never as data
            assert len(document.skipped_rows) == item.dirt["inner_header_row"]


def _validate(series: str, documents: list[tuple[str, ParsedDocument, bytes]]):
    """split_valid over rows framed the way the pipeline (and `make bench`) frames them."""
    spec = SERIES[series]
    digests = {url: hashlib.sha256(data).hexdigest() for url, _, data in documents}
    frame = pd.DataFrame([{**row, "attachment_url": url, "sha256": digests[url], "notice_url": None}
                          for url, document, _ in documents for row in document.rows])
    if "page" not in frame:
        frame["page"] = None
    outcome = split_valid(frame, spec.model, series, spec.flag_model)
    assert outcome.schema_errors == []
    return outcome


def test_validation_quarantines_exactly_the_one_bad_row_per_list(corpus: SyntheticCorpus, parsed) -> None:
    for series in LIST_SERIES:
        lists = [(item, document, data) for item, document, data in parsed if item.series == series]
        outcome = _validate(series, [(item.attachment_url, document, data) for item, document, data in lists])
        quarantined = set(zip(outcome.quarantined["attachment_url"], outcome.quarantined["row_index"]))
        assert quarantined == {(item.attachment_url, item.bad_row.row_index) for item, _, _ in lists}
        assert len(outcome.accepted) == corpus.totals[series]["rows_accepted"]


def test_discovery_finds_every_list_and_cancellation(corpus: SyntheticCorpus) -> None:
    found = discover(MirrorSource(corpus.root), corpus.entry_pages)
    assert found.errors == []
    refs = {ref.url: ref for ref in found.attachments()}
    for item in corpus.lists:
        ref = refs[item.attachment_url]
        assert (ref.series, ref.list_label, ref.batch_no, ref.notice_url) == \
               (item.series, item.list_label, item.batch_no, item.notice_url)
    for notice in corpus.cancellations:
        assert refs[notice.attachment_url].series == "cancellation"
    assert len(refs) == len(corpus.lists) + len(corpus.cancellations)


def test_notice_pages_parse_and_classify(corpus: SyntheticCorpus) -> None:
    by_notice: dict[str, list[ListExpectation]] = {}
    for item in corpus.lists:
        by_notice.setdefault(item.notice_url, []).append(item)
    for url, items in by_notice.items():
        page = parse_notice_page(_bytes(corpus, url), url)
        assert classify_series(page.title, page.text) == items[0].series
        assert [link.url for link in page.attachments] == [i.attachment_url for i in items]
        if items[0].series == "deep_synthesis":
            (item,) = items
            assert page.batch_no == (None if item.batch_no == 1 else item.batch_no)  # batch 1 is unnumbered
            assert page.published_on.isoformat() == item.published_on


def test_numbers_decode_to_real_district_codes(parsed, corpus_dir: Path) -> None:
    with open(corpus_dir / "notices.csv", encoding="utf-8") as handle:
        real_lists = [r for r in csv.DictReader(handle)
                      if r["series"] in ("deep_synthesis", "algorithm_recommendation")]
    real_codes = {row["region_code"] for r in real_lists
                  for row in parse_algorithm_tables(
                      read_docx_tables((corpus_dir / "mirror" / r["attachments"]).read_bytes()), r["series"], "")}
    assert {code for code, _, _ in REGION_CODES} <= real_codes
    entity_of_id: dict[str, str] = {}
    id_of_entity: dict[str, str] = {}
    for item, document, _ in parsed:
        if item.series == "genai":
            continue
        for row in document.rows:
            if row["filing_number"] is None or not row["entity"]:
                continue  # the bad row
            assert row["region_code"] in real_codes
            assert row["algorithm_type"] == "01" if item.series == "deep_synthesis" \
                else row["algorithm_type"] in {"02", "03", "04", "05", "06"}
            # one entity id per company and one company per entity id
            assert entity_of_id.setdefault(row["entity_id"], row["entity"]) == row["entity"]
            assert id_of_entity.setdefault(row["entity"], row["entity_id"]) == row["entity_id"]


def test_genai_serials_continue_per_tier_across_lists(parsed) -> None:
    last = {"national_filing": 0, "local_registration": 0}
    for item, document, _ in (p for p in parsed if p[0].series == "genai"):
        for tier in last:
            serials = [row["serial"] for row in document.rows if row["tier"] == tier]
            if not serials:
                continue
            assert serials == list(range(last[tier] + 1, last[tier] + 1 + len(serials))), (item.label, tier)
            assert [serials[0], serials[-1]] == item.serials[tier]
            last[tier] = serials[-1]
    assert min(last.values()) > 0


def test_genai_dirt_is_present_and_tolerated(parsed) -> None:
    genai = [(item, document, data) for item, document, data in parsed if item.series == "genai"]
    headers = {read_docx_tables(data)[0].rows[0].cells[2:5:2] for _, _, data in genai}
    assert headers == {("模型名称", "备案号"), ("大模型名称", "备案编号")}
    assert sum(item.dirt["inner_header_row"] for item, _, _ in genai) >= 1
    rows = [row for _, document, _ in genai for row in document.rows]
    assert sum(row["is_supplementary"] for row in rows) == sum(i.dirt["supplementary_date"] for i, _, _ in genai) > 0
    assert sum(row["locality"] == "国资委" for row in rows) == sum(i.dirt["sasac"] for i, _, _ in genai) > 0
    # 属地 always agrees with the province of the number, whatever its spelling
    assert all(row["locality_province_code"] == row["number_province_code"] for row in rows)
    assert {row["number_prefix"] for row in rows} & {"ZheJiang", "ShanDong", "GuangDong", "Shinghai"}


def test_empty_serials_in_some_deep_synthesis_lists(parsed) -> None:
    deep = [(item, document) for item, document, _ in parsed if item.series == "deep_synthesis"]
    emptied = [item.label for item, document in deep if all(r["serial_raw"] == "" for r in document.rows)]
    assert emptied == [item.label for item, _ in deep if item.dirt["empty_serial"]]
    assert 0 < len(emptied) < len(deep)


def test_cancellations_cancel_numbers_of_earlier_lists(corpus: SyntheticCorpus, parsed) -> None:
    published = {}
    for item, document, _ in parsed:
        for row in document.rows:
            if row.get("filing_number"):  # deep synthesis and algorithm recommendation
                published[row["filing_number"]] = item.published_on
    assert corpus.cancellations
    documents = []
    for notice in corpus.cancellations:
        data = _bytes(corpus, notice.attachment_url)
        (table,) = read_docx_tables(data)
        assert table.rows[0].cells == CANCELLATION_HEADER
        body = table.rows[1:]
        numbers = tuple(parse_algorithm_filing_number(row.cells[5]).canonical for row in body)
        assert numbers == notice.filing_numbers
        assert all(published[n] < notice.published_on for n in numbers)
        assert all(re.fullmatch(r"20\d\d年\d{1,2}月", row.cells[6]) for row in body)
        document = SERIES["cancellation"].parse(data, notice.attachment_url)
        assert [row["filing_number"] for row in document.rows] == list(numbers)
        documents.append((notice.attachment_url, document, data))
    # the cancellation lists are clean: the dirty 角色 is read, not quarantined
    outcome = _validate("cancellation", documents)
    assert len(outcome.quarantined) == 0
    assert len(outcome.accepted) == corpus.totals["cancellation"]["rows_accepted"]
    assert {"truncated", "algorithm_class"} & set(outcome.accepted["role_note"])


def test_chinese_numerals_round_trip() -> None:
    assert [chinese_numeral(n) for n in (1, 10, 15, 20, 102, 110, 1010)] == \
           ["一", "十", "十五", "二十", "一百零二", "一百一十", "一千零一十"]
    assert all(chinese_numeral_to_int(chinese_numeral(n)) == n for n in range(1, 2000))


def test_list_months_stay_in_range_and_end_on_the_last_month() -> None:
    assert list_months((2024, 4), (2024, 6), 3) == [(2024, 4), (2024, 5), (2024, 6)]
    many = list_months((2024, 4), (2024, 6), 5)  # more lists than months: several a month
    assert many == [(2024, 4), (2024, 4), (2024, 5), (2024, 5), (2024, 6)]
    crowded = list_months((2022, 8), (2026, 10), 4000)
    assert crowded == sorted(crowded) and crowded[0] == (2022, 8) and crowded[-1] == (2026, 10)
    spread = list_months((2022, 8), (2026, 10), 16)
    assert len(set(spread)) == 16 and spread[0] == (2022, 8) and spread[-1] == (2026, 10)


def test_refuses_too_few_rows_and_a_used_directory(corpus: SyntheticCorpus, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rows per list"):
        generate_mirror(tmp_path / "small", rows=10, lists=5)
    with pytest.raises(FileExistsError):
        generate_mirror(corpus.root, rows=ROWS, lists=LISTS, seed=SEED)
