"""Publications after the corpus cut-off, taken in by a second run: a gen-AI list with an
on-device table, a statistics notice that counts the on-device services, and a deep-synthesis
batch that re-lists a filing with a changed product (version history and list changes)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import run_refresh, writable_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from later_publications import (  # noqa: E402
    add_deep_synthesis_batch, add_genai_list, add_statistics_notice,
)


VERSIONS_SQL = """select version_no, valid_from_list_label, valid_to_list_label, product, changed_columns, is_current
                  from marts.fct_filing_versions where filing_number = '{number}' order by 1"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, mirror_root):
    base = tmp_path_factory.mktemp("later")
    mirror = writable_copy(mirror_root, base / "mirror")
    first = run_refresh(base / "data", BEIAN_SOURCE=str(mirror))
    assert first.result.success
    batch = add_deep_synthesis_batch(mirror)
    before = first.query(VERSIONS_SQL.format(number=batch.relisted_number))  # both runs publish to one file
    add_genai_list(mirror, "pdf")
    add_statistics_notice(mirror)
    second = run_refresh(base / "data", BEIAN_SOURCE=str(mirror))
    return before, second, batch


def test_on_device_services_are_national_filings_with_their_own_serials(two_runs):
    _, run, _ = two_runs
    rows = run.query("""select tier, service_kind, serial, scenario from marts.fct_registrations
                        where list_label = '2026-06' order by 2, 1, 3""")
    assert rows == [("local_registration", "general", 531, None),
                    ("national_filing", "general", 869, None), ("national_filing", "general", 870, None),
                    ("national_filing", "on_device", 1, "手机端侧智能助手"),
                    ("national_filing", "on_device", 2, "手机端侧图像生成")]
    # on-device serial 1 does not collide with national serial 1 of the 2024年4月 list
    assert run.query("select count(*) from marts.fct_registrations where tier = 'national_filing' and serial = 1") == [(2,)]


def test_the_stated_national_total_counts_the_on_device_services(two_runs):
    _, run, _ = two_runs
    assert run.failed_checks() == {}
    rows = run.query("""select tier, measure, stated_value, lists_value, on_device_rows, status
                        from marts.reconciliation where as_of = date '2026-06-30' order by 1, 2""")
    assert rows == [("local_registration", "cumulative", 531, 531, 0, "explained"),
                    ("local_registration", "new", 1, 1, 0, "match"),
                    ("national_filing", "cumulative", 872, 872, 2, "match"),
                    ("national_filing", "new", 4, 4, 2, "match")]


def test_a_relisted_filing_gets_a_new_version_and_the_list_says_what_changed(two_runs):
    before, second, batch = two_runs
    after = second.query(VERSIONS_SQL.format(number=batch.relisted_number))
    assert len(after) == len(before) + 1
    assert before[-1][2] is None and before[-1][5] is True  # current until batch 16
    assert after[-2][2] == "2026-03" and after[-2][5] is False
    assert after[-1][1:] == ("2026-03", None, batch.new_product, "product", True)
    changes = dict(((t, n), c) for t, n, c in second.query("""
        select change_type, count(*), string_agg(distinct changed_columns, ',') from marts.fct_list_changes
        where list_label = '2026-03' and series = 'deep_synthesis' group by 1"""))
    assert changes == {("changed", 1): "product", ("relisted_unchanged", 1): None, ("new", 2): None}
    batches = second.query("select batch_no, count(*) from marts.fct_filings where series = 'deep_synthesis' "
                           "and batch_no >= 15 group by 1 order by 1")
    assert batches == [(15, 572), (16, batch.rows)]
