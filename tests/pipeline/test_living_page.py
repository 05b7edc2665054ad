"""A living page gains an attachment: the next full run finds it, loads it, and only it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline_harness import run_refresh, writable_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from later_publications import MAIN_ROWS, ON_DEVICE_ROWS, add_genai_list  # noqa: E402

pytestmark = pytest.mark.slow  # pipeline runs of its own


def test_new_attachment_on_a_seen_page_is_picked_up(tmp_path, mirror_root, corpus_run, corpus_data):
    mirror = writable_copy(mirror_root, tmp_path / "mirror")  # the corpus run's data folder reads it
    before = corpus_run.query("select count(*) from marts.fct_registrations")[0][0]
    add_genai_list(mirror)  # 附件12 on the gen-AI living page the corpus run has read

    after = run_refresh(corpus_data, BEIAN_SOURCE=str(mirror))

    assert after.success, after.outcome.runs
    assert [s.key for s in after.outcome.scan.by_state("new")] == ["genai/2026-06"]
    assert after.materialization("list_load")["lists_by_outcome"] == {"loaded": 1, "unchanged": 46}
    added = after.query("select count(*) from marts.fct_registrations where list_label = '2026-06'")[0][0]
    assert added == sum(len(table) - 1 for table in (MAIN_ROWS, ON_DEVICE_ROWS))  # less their headers
    assert after.query("select count(*) from marts.fct_registrations") == [(before + added,)]
