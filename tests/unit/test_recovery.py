"""Runs whose process is gone are found by their process record, marked failed and made to let
go of the writer pool; a live run is left alone; waits are bounded."""

from __future__ import annotations

import json
import subprocess
import time

import dagster as dg
import pytest
from dagster._core.storage.dagster_run import DagsterRun

from orchestration.recovery import (
    RECORDS_DIR, ProcessId, WriterBusy, forget_run, record_run, recover, this_process, wait_until,
)
from orchestration.resources import WRITER_POOL
from orchestration.runs import dagster_instance
from orchestration.settings import load_settings


@pytest.fixture()
def instance(tmp_path):
    return dagster_instance(load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data")}))


def started_run(instance, run_id: str) -> DagsterRun:
    run = instance.add_run(DagsterRun(job_name="refresh_all", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                                      tags={"beian/trigger": "beian run"}))
    instance.event_log_storage.initialize_concurrency_limit_to_default(WRITER_POOL)  # as a run does
    claimed = instance.event_log_storage.claim_concurrency_slot(WRITER_POOL, run_id, "dbt_models")
    assert claimed.is_claimed
    return run


def dead_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def test_a_run_whose_process_is_gone_is_failed_and_frees_the_pool(instance, tmp_path):
    started_run(instance, "deadbeef-0000")
    (tmp_path / RECORDS_DIR).mkdir()
    (tmp_path / RECORDS_DIR / "deadbeef-0000.json").write_text(json.dumps({"pid": dead_pid(), "started": ""}))

    lines = recover(tmp_path, instance)

    assert len(lines) == 1 and lines[0].startswith("run deadbeef (beian run): its process (pid ")
    assert "marked failed" in lines[0] and "pool slot freed" in lines[0]
    assert instance.get_run_by_id("deadbeef-0000").status == dg.DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_run_ids() == set()
    assert not (tmp_path / RECORDS_DIR / "deadbeef-0000.json").exists()
    assert recover(tmp_path, instance) == []  # once


def test_a_live_run_is_left_alone_and_a_reused_pid_is_not_it(instance, tmp_path):
    started_run(instance, "alive-0000")
    record_run(tmp_path, "alive-0000")
    assert recover(tmp_path, instance) == []
    assert instance.get_run_by_id("alive-0000").status == dg.DagsterRunStatus.STARTED
    me = this_process()
    assert me.alive() and not ProcessId(me.pid, me.started + "0").alive()  # same pid, another start
    forget_run(tmp_path, "alive-0000")


def test_a_finished_run_still_holding_the_pool_lets_go(instance, tmp_path):
    run = started_run(instance, "finished-0000")
    instance.report_run_failed(run)
    assert recover(tmp_path, instance) == ["run finished (beian run) had finished but still held the "
                                           "writer pool: freed"]
    assert instance.event_log_storage.get_concurrency_run_ids() == set()


def test_a_wait_is_bounded_and_names_what_it_waited_for():
    said = []
    started = time.monotonic()
    with pytest.raises(WriterBusy, match="held by pid 7 for 0.3 s"):
        wait_until(lambda: "pid 7", 0.3, lambda holder, s: f"held by {holder} for {s} s", said.append)
    assert time.monotonic() - started < 1.0
    assert said == ["waiting (at most 0 s, BEIAN_WRITER_WAIT) for pid 7 to let go of the warehouse"]
