"""Re-running loads nothing twice; a changed file replaces its list and only it; identical
bytes are one list whatever their URLs."""

from __future__ import annotations

import pytest

import json
import re
import shutil
import zipfile

import duckdb

from pipeline_harness import mart_fingerprints, run_refresh, run_update, writable_copy

from orchestration import definitions
from orchestration.dbt_views import view_nodes
from orchestration.settings import DBT_PROJECT_DIR


def manifest_nodes() -> dict:
    return json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))["nodes"]

pytestmark = pytest.mark.slow  # pipeline runs of its own

ALGORITHM_PAGE = "www.cac.gov.cn/2022-08/12/c_1661927474338504.htm"


def test_second_run_changes_nothing(corpus_run, corpus_data, mirror_root, monkeypatch):
    first = corpus_run  # the second run goes on in a copy of its data folder
    before = mart_fingerprints(first)
    manifest_before = first.query("select url, sha256, first_fetched_at from raw.manifest order by 1, 2")
    built = []
    monkeypatch.setattr(definitions, "build_definitions",
                        lambda *a, real=definitions.build_definitions: built.append(a) or real(*a))

    # A BI tool keeps the published warehouse open (read-only) through the next run.
    tmp_path = corpus_data
    reader = duckdb.connect(str(tmp_path / first.settings.warehouse_path.name), read_only=True)
    try:
        second = run_refresh(tmp_path, BEIAN_SOURCE=str(mirror_root))
        assert second.success
        assert reader.execute("select count(*) from marts.fct_filings").fetchone() == (5672 + 794,)
    finally:
        reader.close()
    assert len(built) == 1  # `beian run` builds the Definitions once
    assert mart_fingerprints(second) == before
    assert second.query("select url, sha256, first_fetched_at from raw.manifest order by 1, 2") == manifest_before
    assert second.materialization("list_files")["new_or_changed_bytes"] == 0
    assert second.materialization("notice_pages")["pages_new_or_changed"] == 0
    assert second.materialization("list_rows")["lists_parsed"] == 0  # same bytes, same code: staged
    assert second.materialization("list_load")["lists_by_outcome"] == {"unchanged": 46}
    # nor did the project or the build file: the views were not created again (still reported,
    # their rows being the new ones), and every test ran (orchestration/dbt_views.py)
    built = second.last_dbt_build()
    views = list(view_nodes({"nodes": manifest_nodes()}))
    tests = [uid for uid, node in manifest_nodes().items() if node["resource_type"] == "test"]
    assert views and not set(views) & set(built)
    assert {built[uid] for uid in tests} == {"pass"}
    assert "not created again" in second.materialization("staging/stg_lists")["beian/view"]
    assert [s.state for s in second.outcome.scan.lists].count("unchanged") == 46

    # `beian update` with nothing new: no run at all (no Dagster, no dbt)
    third = run_update(tmp_path, BEIAN_SOURCE=str(mirror_root))
    assert third.outcome.nothing_new and third.outcome.runs == [] and third.success


def test_a_changed_file_replaces_its_list_and_only_its_list(tmp_path, mirror_root, corpus_data):
    mirror = tmp_path / "mirror"  # the corpus run's data folder, now reading a copy of its mirror
    writable_copy(mirror_root, mirror)
    # Republish the 2025年5月 algorithm list (10 rows) as the 2025年3月 one (45 rows): new bytes at a known URL
    files = mirror / "www.cac.gov.cn" / "files"
    may = next((files / "2025-05").glob("境内互联网信息服务算法备案清单*.docx"))
    march = next((files / "2025-03").glob("境内互联网信息服务算法备案清单*.docx"))
    shutil.copyfile(march, may)
    with zipfile.ZipFile(may, "a") as archive:  # not byte-identical: a corrected list, not a duplicate
        archive.comment = b"corrected"

    # a view in the build file no longer as the last build left it: every view is built again
    with duckdb.connect(str(corpus_data / "warehouse.build.duckdb")) as con:
        con.execute("create or replace view staging.stg_lists as select * from raw.lists where false")
    second = run_update(corpus_data, BEIAN_SOURCE=str(mirror))
    assert second.success, second.outcome.runs
    assert second.last_dbt_build()["model.beian.stg_lists"] == "success"
    changed = [s.key for s in second.outcome.scan.by_state("changed")]
    assert changed == ["algorithm_recommendation/2025-05"]
    # one run for that list, one for the marts: the other 45 lists were not touched
    list_runs = [steps for steps in second.step_keys() if "list_rows" in steps]
    assert len(list_runs) == 1
    counts = dict(second.query("select list_label, count(*) from marts.fct_filings "
                               "where series = 'algorithm_recommendation' group by 1"))
    assert counts["2025-05"] == 45 and counts["2025-03"] == 45
    assert second.query("select count(*) from marts.fct_filings") == [(5672 + 794 - 10 + 45,)]


def test_identical_bytes_under_two_links_are_one_list(tmp_path, mirror_root, corpus_data):
    mirror = tmp_path / "mirror"  # the corpus run's data folder, a full refresh of a changed copy
    writable_copy(mirror_root, mirror)
    files = mirror / "www.cac.gov.cn" / "files"
    original = next((files / "2025-07").glob("境内互联网信息服务算法备案清单*.docx"))
    twin = files / "2025-07-copy" / "清单副本（2025年7月）.docx"
    twin.parent.mkdir()
    shutil.copyfile(original, twin)
    page = mirror / ALGORITHM_PAGE
    html = page.read_text(encoding="utf-8")
    link = re.search(r'<a href="(/files/2025-07/[^"]+)">([^<]+)</a>', html)
    page.write_text(html.replace(link.group(0), link.group(0) + ' <a href="/files/2025-07-copy/'
                                 '%E6%B8%85%E5%8D%95%E5%89%AF%E6%9C%AC%EF%BC%882025%E5%B9%B47%E6%9C%88%EF%BC%89.docx">'
                                 '境内互联网信息服务算法备案清单（2025年7月）</a>'), encoding="utf-8")
    run = run_refresh(corpus_data, BEIAN_SOURCE=str(mirror))
    assert run.success, run.outcome.runs
    assert [s.key for s in run.outcome.scan.by_state("duplicate")] == ["algorithm_recommendation/2025-07-2"]
    assert run.query("select count(*) from marts.fct_filings where series = 'algorithm_recommendation' "
                     "and list_label = '2025-07'") == [(51,)]
    assert run.query("select sum(rows_accepted) from raw.lists where series = 'algorithm_recommendation'") \
        == [(794,)]
    assert run.query("select duplicate_of from raw.lists where partition_key = 'algorithm_recommendation/2025-07-2'") \
        == [("algorithm_recommendation/2025-07",)]
