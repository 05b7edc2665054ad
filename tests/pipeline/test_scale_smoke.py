"""About 20,000 synthetic rows in 40 lists through the real pipeline (`beian run` in this
process): every row accepted or quarantined as the generator intended, one bad row a list,
and the marts holding what was accepted. Counts, never times (those are in `make bench`)."""

from __future__ import annotations

import pytest

from pipeline_harness import run_refresh
from orchestration.bench.synthetic import generate_mirror

pytestmark = pytest.mark.slow  # pipeline runs of its own


@pytest.fixture(scope="module")
def scale(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    corpus = generate_mirror(root / "mirror", rows=20_000, lists=40, seed=7)
    run = run_refresh(root / "data", BEIAN_SOURCE=str(corpus.root), BEIAN_ENTRY_PAGES=",".join(corpus.entry_pages))
    return corpus, run


def test_every_list_is_loaded_with_its_bad_row_quarantined(scale):
    corpus, run = scale
    assert all(r.success for r in run.outcome.runs), run.outcome.runs
    expected = corpus.totals
    loaded = {series: (lists, extracted, accepted, quarantined) for series, lists, extracted, accepted, quarantined in
              run.query("""select series, count(*), sum(rows_extracted), sum(rows_accepted), sum(rows_quarantined)
                           from raw.lists where duplicate_of is null group by 1""")}
    assert loaded == {series: (t["lists"], t["rows_extracted"], t["rows_accepted"], t["rows_quarantined"])
                      for series, t in expected.items()}
    assert sum(t["rows_extracted"] for t in expected.values()) >= 20_000
    per_list = dict(run.query("select attachment_url, rows_quarantined from raw.lists"))
    for item in corpus.lists:
        assert per_list[item.attachment_url] == item.rows_quarantined == 1, item.attachment_url


def test_the_quarantine_names_each_bad_row(scale):
    corpus, run = scale
    quarantined = {(url, row) for url, row in run.query("select attachment_url, row_index from raw.quarantine")}
    assert quarantined == {(item.attachment_url, item.bad_row.row_index) for item in corpus.lists}


def test_the_marts_hold_every_accepted_row(scale):
    corpus, run = scale
    totals = corpus.totals
    filings = dict(run.query("select series, count(*) from marts.fct_filings group by 1"))
    assert filings == {s: totals[s]["rows_accepted"] for s in ("deep_synthesis", "algorithm_recommendation")}
    appearances = run.query("select count(*) from marts.fct_registration_appearances")[0][0]
    assert appearances == totals["genai"]["rows_accepted"]
    assert run.query("select count(*) from marts.fct_cancellations")[0][0] == totals["cancellation"]["rows_accepted"]
