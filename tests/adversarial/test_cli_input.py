"""Bad input at the command line: refused with one line and exit 2, never a traceback; and
queries that are read-only for real (nothing read or written outside the warehouse)."""

from __future__ import annotations

import pytest

from adversarial_harness import Case


@pytest.mark.parametrize("args, message", [
    (["--batch", "-1"], "--batch -1"),
    (["--batch", "x"], "--batch 'x'"),
    (["--published", "2099-01-01"], "--published 2099-01-01"),
    (["--published", "May 1"], "YYYY-MM-DD"),
    (["--label", "2026年13月"], "--label"),
    (["--series", "nope"], "--series 'nope'"),
])
def test_ingest_refuses_bad_arguments(case: Case, args, message, corpus_dir):
    batch = next((corpus_dir / "mirror/www.cac.gov.cn/files/2026-01-07").glob("*.docx"))
    base = {"--series": "deep_synthesis", "--published": "2026-01-07"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    result = case.beian("ingest", str(batch), *[x for pair in base.items() for x in pair])
    assert result.code == 2, result.text
    assert result.err.count("\n") == 1 and message in result.err and result.out == ""


def test_ingest_refuses_files_it_cannot_take(case: Case, tmp_path):
    empty = tmp_path / "清单（2026年3月）.docx"
    empty.write_bytes(b"")
    for path, message in ((tmp_path, "no such file"), (empty, "an empty file"),
                          (tmp_path / "missing.docx", "no such file")):
        result = case.beian("ingest", str(path), "--series", "deep_synthesis", "--published", "2026-03-10")
        assert result.code == 2 and message in result.err and result.err.count("\n") == 1, result.err


def test_ingest_of_bytes_the_site_serves_adds_nothing(case: Case):
    result = case.beian("ingest", str(case.target_file()), "--series", "algorithm_recommendation",
                        "--published", "2025-05-20")
    assert result.code == 2 and "already the list algorithm_recommendation/2025-05" in result.err


@pytest.mark.parametrize("sql, message", [
    ("", "nothing to run"),
    ("-- only a comment\n/* and another */", "nothing to run"),
    ("copy (select 1) to '{outside}'", "disabled by configuration"),
    ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
    ("attach '{outside}' as other", "disabled by configuration"),
    ("set enable_external_access = true", "locked"),
    ("create table marts.x as select 1", "read-only"),
    ("select * from marts.fct_filing", 'Did you mean "fct_filings"'),
])
def test_queries_are_read_only_and_stay_inside(case: Case, tmp_path, sql, message):
    outside = tmp_path / "outside.csv"
    result = case.beian("query", sql.format(outside=outside))
    assert result.code == 2, result.text
    assert message in result.err and result.err.count("\n") == 1, result.err
    assert not outside.exists()


def test_a_malformed_setting_is_one_line(case: Case):
    result = case.beian("status", BEIAN_HTTP_TIMEOUT="abc")
    assert result.code == 2 and "BEIAN_HTTP_TIMEOUT='abc'" in result.err and result.err.count("\n") == 1
    result = case.beian("update", BEIAN_MAX_DOWNLOAD_BYTES="-5")
    assert result.code == 2 and "BEIAN_MAX_DOWNLOAD_BYTES" in result.err


def test_lookup_of_nothing_is_refused(case: Case):
    result = case.beian("lookup", "   ")
    assert result.code == 2 and "nothing to look up" in result.err
