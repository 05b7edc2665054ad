"""A living warehouse, served over real HTTP: the corpus, then the same mirror plus later
publications (a gen-AI list with an on-device table on the living page, a statistics notice
that counts those services, a deep-synthesis batch that re-lists a filing with a changed
product). One sensor tick asks for exactly the new lists; their runs and the runs declarative
automation asks for bring the marts up to date; a second tick asks for nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipeline_harness import copied_run, evaluate_sensor, execute_request, tick, writable_copy
from http_server import serve_mirror
from orchestration.automation.partitions import LISTS
from orchestration.definitions import build_definitions
from orchestration.runs import _run_record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from later_publications import (  # noqa: E402
    add_deep_synthesis_batch, add_genai_list, add_statistics_notice,
)

VERSIONS_SQL = """select version_no, valid_from_list_label, valid_to_list_label, product, changed_columns, is_current
                  from marts.fct_filing_versions where filing_number = '{number}' order by 1"""


@pytest.fixture(scope="module")
def live(tmp_path_factory, mirror_root, corpus_run):
    base = tmp_path_factory.mktemp("live")
    mirror = writable_copy(mirror_root, base / "mirror")
    with serve_mirror(mirror) as server:
        # the corpus run's data folder, from now on reading the same mirror over HTTP
        first = copied_run(corpus_run, base / "data", BEIAN_SOURCE=server.base_url)
        assert first.success, first.outcome.runs
        batch = add_deep_synthesis_batch(mirror)
        before = first.query(VERSIONS_SQL.format(number=batch.relisted_number))  # one published file
        add_genai_list(mirror, "pdf")
        add_statistics_notice(mirror)

        instance = first.outcome.instance
        defs = build_definitions(first.settings)
        baseline = dg.evaluate_automation_conditions(defs=defs, instance=instance)  # the daemon's first tick
        seen = tick(defs, instance, None)
        requests = list(seen.run_requests)
        server.clear()
        list_runs = [execute_request(defs, instance, r) for r in requests if r.partition_key]
        page_runs = [execute_request(defs, instance, r) for r in requests if not r.partition_key]
        fetched_by_runs = [path for path, _, _ in server.requests]
        # what declarative automation asks for now that raw tables changed: run it
        evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=baseline.cursor)
        automated = sorted({key for result in evaluation.results for key in
                            ([result.key] if result.true_subset.size else [])},
                           key=lambda k: k.to_user_string())
        automated_run = _run_record(defs.resolve_job_def("refresh_all").execute_in_process(
            instance=instance, asset_selection=[k for k in automated if isinstance(k, dg.AssetKey)],
            raise_on_error=False), "automation")
        second = tick(defs, instance, seen.cursor)
    return {"first": first, "batch": batch, "before": before, "requests": requests, "list_runs": list_runs,
            "page_runs": page_runs, "automated": automated, "automated_run": automated_run,
            "second": second, "instance": instance, "fetched_by_runs": fetched_by_runs}


def test_one_tick_requests_exactly_the_new_lists(live):
    partitioned = sorted(r.partition_key for r in live["requests"] if r.partition_key)
    assert partitioned == ["deep_synthesis/2026-03", "genai/2026-06"]
    for request in live["requests"]:
        if request.partition_key:
            assert len(request.run_key) == 64  # the attachment's SHA-256
    assert [r.asset_selection for r in live["requests"] if not r.partition_key] == [
        [dg.AssetKey("notice_pages"), dg.AssetKey(["raw", "genai_statistics"])]]
    assert all(run.success for run in live["list_runs"] + live["page_runs"]), live["list_runs"]


def test_the_runs_do_not_fetch_or_parse_again(live):
    # the sensor fetched and landed the new lists; their runs trust its scan (tagged) and fetch nothing
    assert live["fetched_by_runs"] == []
    instance = live["instance"]
    for run in live["list_runs"]:
        materialized = [r.dagster_event.event_specific_data.materialization
                        for r in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)]
        rows = [m for m in materialized if m.asset_key == dg.AssetKey("list_rows")]
        assert len(rows) == 1 and rows[0].metadata["lists"].value == 1  # its own list, no other
        assert rows[0].partition in ("deep_synthesis/2026-03", "genai/2026-06")


def test_automation_rebuilds_the_marts_and_publishes(live):
    automated = {k.to_user_string() for k in live["automated"]}
    assert {"marts/fct_filings", "marts/fct_registrations", "published_warehouse", "bi/exports"} <= automated
    assert not any(k.startswith(("list_", "raw/deep_synthesis")) for k in automated)
    assert live["automated_run"].success, live["automated_run"]


def test_dbt_run_folders_stay_under_the_data_folder_and_bounded(live, project_root):
    data = live["first"].settings.data_dir
    folders = [p for p in (data / "dbt").iterdir() if p.is_dir()]
    assert 1 <= len(folders) <= 3  # after a full refresh, list runs and an automation run
    assert not list((project_root / "dbt_project" / "target").glob("dbt_models-*"))


def test_a_second_tick_requests_nothing(live):
    assert live["second"].run_requests == []
    assert "nothing new" in live["second"].skip_reason.skip_message
    assert json.loads(live["second"].cursor)["pages"]


def test_on_device_services_are_national_filings_with_their_own_serials(live):
    run = live["first"]
    rows = run.query("""select tier, service_kind, serial, scenario from marts.fct_registrations
                        where list_label = '2026-06' order by 2, 1, 3""")
    assert rows == [("local_registration", "general", 531, None),
                    ("national_filing", "general", 869, None), ("national_filing", "general", 870, None),
                    ("national_filing", "on_device", 1, "手机端侧智能助手"),
                    ("national_filing", "on_device", 2, "手机端侧图像生成")]
    # on-device serial 1 does not collide with national serial 1 of the 2024年4月 list
    assert run.query("select count(*) from marts.fct_registrations where tier = 'national_filing' and serial = 1") == [(2,)]
    # and each counts as new in its list, up to the stated cumulative total (870 + 2)
    assert run.query("""select sum(registrations), sum(new_registrations), max(cumulative_new_registrations)
                        from marts.fct_counts_by_series_tier_batch_period
                        where series = 'genai' and tier = 'national_filing'
                          and list_label = '2026-06'""") == [(4, 4, 872)]


def test_the_stated_national_total_counts_the_on_device_services(live):
    rows = live["first"].query("""select tier, measure, stated_value, lists_value, on_device_rows, status
                                  from marts.fct_reconciliation where as_of = date '2026-06-30' order by 1, 2""")
    assert rows == [("local_registration", "cumulative", 531, 531, 0, "explained"),
                    ("local_registration", "new", 1, 1, 0, "match"),
                    ("national_filing", "cumulative", 872, 872, 2, "match"),
                    ("national_filing", "new", 4, 4, 2, "match")]


def test_a_relisted_filing_gets_a_new_version_and_the_list_says_what_changed(live):
    before, batch, run = live["before"], live["batch"], live["first"]
    after = run.query(VERSIONS_SQL.format(number=batch.relisted_number))
    assert len(after) == len(before) + 1
    assert before[-1][2] is None and before[-1][5] is True  # current until batch 16
    assert after[-2][2] == "2026-03" and after[-2][5] is False
    assert after[-1][1:] == ("2026-03", None, batch.new_product, "product", True)
    changes = dict(((t, n), c) for t, n, c in run.query("""
        select change_type, count(*), string_agg(distinct changed_columns, ',') from marts.fct_list_changes
        where list_label = '2026-03' and series = 'deep_synthesis' group by 1"""))
    assert changes == {("changed", 1): "product", ("relisted_unchanged", 1): None, ("new", 2): None}
    batches = run.query("select batch_no, count(*) from marts.fct_filings where series = 'deep_synthesis' "
                        "and batch_no >= 15 group by 1 order by 1")
    assert batches == [(15, 572), (16, batch.rows)]


def test_a_list_dropped_in_the_inbox_takes_the_same_path(live, tmp_path, corpus_dir):
    import zipfile

    first = live["first"]
    defs, instance = build_definitions(first.settings), live["instance"]
    inbox = first.settings.inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    # a hand-downloaded copy of the 2023年6月 batch, re-saved (other bytes), as 第十七批
    dropped = inbox / "境内深度合成服务算法备案清单（2026年5月）.docx"
    source = next((corpus_dir / "mirror/www.cac.gov.cn/files/2023-06-20").glob("*.docx"))
    dropped.write_bytes(source.read_bytes())
    with zipfile.ZipFile(dropped, "a") as archive:
        archive.comment = b"downloaded by hand"
    dropped.with_name(dropped.name + ".json").write_text(json.dumps(
        {"series": "deep_synthesis", "published": "2026-05-20", "batch": 17}), encoding="utf-8")
    bad = inbox / "notes.txt"
    bad.write_text("not a list", encoding="utf-8")
    bad.with_name(bad.name + ".json").write_text('{"series": "deep_synthesis"}', encoding="utf-8")

    result = evaluate_sensor(defs, instance, "inbox")
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(LISTS.name, list(request.partition_keys))
    assert [r.partition_key for r in result.run_requests] == ["deep_synthesis/2026-05"]
    assert (inbox / "done" / dropped.name).is_file() and (inbox / "rejected" / bad.name).is_file()
    assert "published" in (inbox / "rejected" / "notes.txt.error.txt").read_text(encoding="utf-8")
    run = execute_request(defs, instance, result.run_requests[0])
    assert run.success, run
    import duckdb

    build = duckdb.connect(str(first.settings.build_warehouse_path), read_only=True)
    try:
        assert build.execute("select rows_accepted, batch_no from raw.lists "
                             "where partition_key = 'deep_synthesis/2026-05'").fetchall() == [(41, 17)]
    finally:
        build.close()
