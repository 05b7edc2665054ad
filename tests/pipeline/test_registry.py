"""The whole registry over the real corpus: cancellations, statuses, decoded numbers, filers,
list changes and the look-up (issue: the whole registry)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

BEIAN = str(Path(sys.executable).parent / "beian")


def test_cancellation_lists_give_their_rows_and_every_number_links_to_a_filing(corpus_run, corpus_dir):
    with open(corpus_dir / "notices.csv", encoding="utf-8") as handle:
        expected = {row["notice_url"]: int(row["expected_rows"]) for row in csv.DictReader(handle)
                    if row["series"] == "cancellation"}
    counts = dict(corpus_run.query("select notice_url, count(*) from marts.fct_cancellations group by 1"))
    assert counts == expected
    assert sorted(expected.values()) == [3, 5, 5, 28]
    unmatched = corpus_run.query("select filing_number from marts.fct_cancellations where not is_matched")
    assert unmatched == []
    # the type digits and the list that carries the number agree on the series
    assert corpus_run.query("select count(*) from marts.fct_cancellations "
                            "where matched_series is distinct from filed_series") == [(0,)]


def test_dirty_cancellation_values_are_kept_normalised(corpus_run):
    rows = dict(corpus_run.query("""
        select filing_number, role_raw || ' -> ' || coalesce(role, algorithm_category)
        from marts.fct_cancellations where role_note is not null"""))
    # 个性化推送类 stands where the role should be (notice of 2026-01-07)
    assert rows["330110985154602230015"] == "个性化推送类 -> 个性化推送类"
    assert any(v == "服务提供 -> 服务提供者" for v in rows.values())  # cut short
    months = corpus_run.query("select distinct strftime(cancelled_month, '%Y-%m') from marts.fct_cancellations order by 1")
    assert months == [("2025-07",), ("2025-09",), ("2025-11",), ("2026-01",)]


def test_statuses_on_real_filings(corpus_run):
    cancelled = corpus_run.query("""
        select series, status, cast(cancelled_on as varchar), cancellation_notice_url
        from marts.dim_filing where filing_number = '330110985154601240013'""")
    assert cancelled == [("deep_synthesis", "cancelled", "2026-01-07",
                          "https://beian.cac.gov.cn/notice/notice_5a210e0d-9585-456b-872f-d09b08c0cc0e.htm")]
    # every appearance of a cancelled number carries the status, and the cancellations all count
    assert corpus_run.query("""select count(distinct filing_number) from marts.fct_filings
                               where status = 'cancelled' and cancellation_notice_url is not null""") == [(41,)]
    assert corpus_run.query("select status from marts.dim_filing where filing_number = '110108645502802220011'") == [("active",)]
    # filed, cancelled, active: per series, the last month adds up
    last = dict((s, (f, c, a)) for s, f, c, a in corpus_run.query("""
        select series, cumulative_filed, cumulative_cancelled, active from marts.fct_active_filings_by_series_period
        where tier = 'filing' qualify row_number() over (partition by series order by period_month desc) = 1"""))
    filed = dict(corpus_run.query("select series, count(*) from marts.dim_filing group by 1"))
    cancelled_by_series = dict(corpus_run.query(
        "select series, count(*) from marts.dim_filing where status = 'cancelled' group by 1"))
    for series, (f, c, a) in last.items():
        assert (f, c, a) == (filed[series], cancelled_by_series[series], filed[series] - cancelled_by_series[series])


def test_numbers_decode_to_districts(corpus_run):
    decoded = dict((n, rest) for n, *rest in corpus_run.query("""
        select filing_number, province, prefecture, district, algorithm_type_label, filing_year
        from marts.dim_filing where filing_number in ('1101082242366066220017', '406301334627601250011',
                                                      '330110985154601240013')"""))
    assert decoded["1101082242366066220017"][:3] == ["北京市", "市辖区", "海淀区"]  # the 22-digit one
    assert decoded["1101082242366066220017"][4] == 2022
    assert decoded["330110985154601240013"] == ["浙江省", "杭州市", "余杭区", "生成合成", 2024]
    assert decoded["406301334627601250011"][:3] == [None, None, None]  # 40 is no province
    findings = dict(corpus_run.query("select finding_key, is_known from marts.fct_reconciliation_findings "
                                     "where cause = 'district_unresolved'"))
    assert findings == {f"district_unresolved:*:*:{code}": True
                        for code in ("406301", "441901", "442001", "500105", "500112")}
    # every deep-synthesis number is type 01
    assert corpus_run.query("select count(*) from marts.fct_filings where series = 'deep_synthesis' "
                            "and not algorithm_type_fits_series") == [(0,)]


def test_one_company_across_series_and_tiers_is_one_entity(corpus_run):
    profile = corpus_run.query("""
        select entity_key, deep_synthesis_filings > 0, algorithm_recommendation_filings > 0,
               genai_national_filings > 0
        from marts.fct_entity_profile where entity_name = '北京百度网讯科技有限公司'""")
    assert profile == [("6455028", True, True, True)]
    # the gen-AI filer was matched to the id its 网信算备 numbers carry
    assert corpus_run.query("""select distinct entity_key, entity_resolution from marts.fct_registrations
                               where filer = '北京百度网讯科技有限公司'""") == [("6455028", "name_match")]
    # central SOEs are flagged
    assert corpus_run.query("select count(*) > 0 from marts.dim_entity where is_central_soe") == [(True,)]


def test_an_ambiguous_name_is_reported_and_not_merged(corpus_run):
    # 北京车之家信息技术有限公司 files under two entity ids; its gen-AI filings stay apart
    findings = corpus_run.query("""select kind, entity_keys from marts.fct_entity_findings
                                   where names = '北京车之家信息技术有限公司' order by 1""")
    assert findings == [("ambiguous_name", "0118780, 5974339"), ("name_on_several_ids", "0118780, 5974339")]
    keys = corpus_run.query("""select distinct entity_key, entity_resolution from marts.fct_registrations
                               where filer = '北京车之家信息技术有限公司'""")
    assert len(keys) == 1 and keys[0][1] == "ambiguous" and keys[0][0] not in ("0118780", "5974339")


def test_lookup_answers_numbers_and_names_from_the_published_warehouse(corpus_run):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("BEIAN_")},
           "BEIAN_DATA_DIR": str(corpus_run.settings.data_dir), "PATH": "/usr/bin:/bin"}

    def lookup(*args: str) -> dict:
        done = subprocess.run([BEIAN, "lookup", *args, "--format", "json"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    spaced = lookup("网信算备 330110 9851546 01 24 0013 号")
    assert [(m["series"], m["status"], m["cancelled_on"]) for m in spaced["matches"]] == [
        ("deep_synthesis", "cancelled", "2026-01-07")]
    genai = lookup("beijing-deepseekchat-202404280016")
    assert [(m["series"], m["tier"], m["status"]) for m in genai["matches"]] == [
        ("genai", "national_filing", "active")]
    by_name = lookup("北京百度网讯科技有限公司", "--limit", "100")
    series = {m["series"] for m in by_name["matches"]}
    assert {"deep_synthesis", "algorithm_recommendation", "genai"} <= series
    assert by_name["total"] == len(by_name["matches"])
    empty = subprocess.run([BEIAN, "lookup", "  "], env=env, capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1
