"""`beian ingest` of a hand-downloaded DOCX puts its rows in the marts, through the same
landing, validation, load and dbt path; its errors are one line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ALGORITHM_PAGE = "https://www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"
BEIAN = str(Path(sys.executable).parent / "beian")


def beian(*args: str, env: dict) -> subprocess.CompletedProcess:
    # Earlier in-process runs exported their own BEIAN_BUILD_WAREHOUSE; the CLI derives its own.
    base = {k: v for k, v in os.environ.items() if not k.startswith("BEIAN_")}
    return subprocess.run([BEIAN, *args], env={**base, **env}, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow  # a pipeline run
def test_ingest_adds_a_batch_to_the_marts(tmp_path, mirror_root):
    env = {"BEIAN_DATA_DIR": str(tmp_path), "BEIAN_SOURCE": str(mirror_root),
           "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    batch15 = next((mirror_root / "www.cac.gov.cn" / "files" / "2026-01-07").glob("*.docx"))

    done = beian("ingest", str(batch15), "--series", "deep_synthesis", "--published", "2026-01-07",
                 "--batch", "15", env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr

    query = beian("query", "select series, batch_no, list_label, published_on, count(*) as n "
                  "from marts.fct_filings group by all order by 1, 2", "--format", "csv", env=env)
    assert query.returncode == 0, query.stderr
    lines = query.stdout.strip().splitlines()
    assert lines[0] == "series,batch_no,list_label,published_on,n"
    assert "deep_synthesis,15,2026-01,2026-01-07,572" in lines
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:] if line.startswith("algorithm")) == 794

    status = beian("status", env=env)
    assert status.returncode == 0, status.stderr
    by_series = {line.split()[0]: line.split()[1:] for line in status.stdout.splitlines()
                 if line.startswith(("deep_synthesis", "algorithm_recommendation"))}
    assert by_series["deep_synthesis"][:3] == ["1", "572", "572"]  # lists, extracted, accepted
    assert by_series["algorithm_recommendation"][:3] == ["16", "794", "794"]
    assert "SUCCESS; checks failed:" in status.stdout
    failing = [line for line in status.stdout.splitlines() if line.startswith(("  ERROR", "  WARN"))]
    assert failing and all("newest_list_is_recent" in line for line in failing)  # the corpus stops in 2026

    # the same bytes again, by hand: one list, nothing to add
    again = beian("ingest", str(batch15), "--series", "deep_synthesis", "--published", "2026-01-07",
                  "--batch", "15", env=env)
    assert again.returncode == 0, again.stderr
    assert beian("query", "select count(*) from marts.fct_filings where series = 'deep_synthesis'",
                 "--format", "csv", env=env).stdout.split() == ["count_star()", "572"]


def test_ingest_errors_are_one_line_naming_the_input(tmp_path, mirror_root):
    env = {"BEIAN_DATA_DIR": str(tmp_path), "BEIAN_SOURCE": str(mirror_root)}
    missing = beian("ingest", str(tmp_path / "nope.docx"), "--series", "deep_synthesis",
                    "--published", "2026-01-07", env=env)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "nope.docx" in missing.stderr

    genai_list = next((mirror_root / "www.cac.gov.cn" / "files" / "2026-04").glob("*.docx"))
    wrong_series = beian("ingest", str(genai_list), "--series", "deep_synthesis",
                         "--published", "2026-05-01", env=env)
    assert wrong_series.returncode == 2
    assert "deep_synthesis" in wrong_series.stderr and genai_list.name in wrong_series.stderr
    assert "Traceback" not in wrong_series.stderr

    bad_date = beian("ingest", str(genai_list), "--series", "genai", "--published", "May 1", env=env)
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr


def test_query_is_read_only_and_reports_a_missing_warehouse(tmp_path):
    env = {"BEIAN_DATA_DIR": str(tmp_path)}
    result = beian("query", "select 1", env=env)
    assert result.returncode == 2 and "no warehouse" in result.stderr
