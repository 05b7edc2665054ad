"""A run killed at any point (kill -9: an OOM kill, a reboot, a closed laptop) leaves the next
run free to start: it says in one line what it cleaned up, succeeds, and the warehouse equals
an uninterrupted run's. SIGTERM and SIGINT are answered within a second, even while a run
waits; another program holding the build file is one line, within the bounded wait.

Every case starts from the same finished data folder (a copy), with one list changed at the
source so that every stage has work to do; the kill lands when the run's own progress names
the stage, not after a guessed sleep. The kills come in turn, each run starting on what the
killed one before it left: six partial runs and one whole one, instead of six pairs."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from adversarial_harness import ALGORITHM_PAGE, FAST_HTTP, TARGET_KEY, Case, copy_mirror, file_hash
from beian_process import Running, beian_process, end_orphans, warehouse_fingerprint
from http_server import Fault, serve_mirror
from shared_runs import built_once
from test_broken_files import rewrite_document

WAIT = {"BEIAN_WRITER_WAIT": "60"}


def change_target(target: Path) -> bytes:
    """A corrected list at the same URL: new bytes, the same rows."""
    target.write_bytes(rewrite_document(target.read_bytes(), lambda xml: xml.replace(b"<w:body>", b"<w:body> ", 1)))
    return target.read_bytes()


def fingerprint(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return warehouse_fingerprint(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()


@pytest.fixture(scope="session")
def uninterrupted(base, tmp_path_factory) -> dict:
    """What the warehouse is after the same change and one run nobody stopped (once for all
    workers, so that the cases can run on any)."""
    def build(root: Path) -> dict:
        mirror = copy_mirror(base / "mirror", root / "mirror")
        shutil.copytree(base / "data", root / "data", ignore=shutil.ignore_patterns("*.lock"))
        change_target(next((mirror / "www.cac.gov.cn/files/2025-05").glob("*.docx")))
        with serve_mirror(mirror) as server:
            env = {"BEIAN_DATA_DIR": str(root / "data"), "BEIAN_SOURCE": server.base_url,
                   "BEIAN_ENTRY_PAGES": ALGORITHM_PAGE, **FAST_HTTP}
            result = beian_process(env, "run")
        assert result.code == 0, result.text
        return fingerprint(root / "data" / "warehouse.duckdb")

    return built_once(tmp_path_factory, "uninterrupted", build,
                      load=lambda root: fingerprint(root / "data" / "warehouse.duckdb"))


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def running_child(run: Running, name: str) -> bool:
    for pid in run.descendants():
        try:
            if name in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                return True
        except OSError:
            continue
    return False


STAGES = {  # the stage, and the moment it is under way
    "fetch": None,  # the source is answering the changed list's request, slowly
    "parse": "full refresh: list_rows",
    "load": "full refresh: list_load",
    "dbt": "full refresh: dbt_models",
    "exports": "full refresh: bi__exports",
    "publish": "full refresh: published_warehouse",
}
BEFORE_PUBLISHING = ("fetch", "parse", "load", "dbt")


def cleanup_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("beian: cleaned up:")]


def kill_at(case: Case, stage: str) -> tuple[Running, list[int]]:
    """A `beian run`, killed (-9) once it is under way in ``stage``; it and its orphans."""
    run = Running(case.env, "run", **WAIT)
    if stage == "fetch":
        run.wait_for(lambda: case.server.attempts(case.target_path()) >= 1)
    else:
        run.wait_for(STAGES[stage])
        if stage == "dbt":
            run.wait_for(lambda: running_child(run, "dbt"))
    return run, run.kill_hard()


def test_runs_killed_at_each_stage_in_turn_each_leave_the_next_run_free(case: Case, uninterrupted):
    """One run killed in each stage in turn, each starting on what the last one left, then one
    that finishes: every run after a kill says in one line what it freed and gets past the
    stage its predecessor died in; the last equals an uninterrupted run."""
    new_bytes = change_target(case.target_file())
    case.server.script(case.target_path(), Fault(200, new_bytes, delay_s=3), None)
    published = file_hash(case.published)
    orphans: list[int] = []
    previous = None
    try:
        for stage in STAGES:
            run, left = kill_at(case, stage)
            orphans += left
            if previous not in (None, "fetch"):  # a Dagster run had begun: one line says what was freed
                cleaned = cleanup_lines(run.text)
                assert len(cleaned) == 1 and "marked failed" in cleaned[0] and "pool" in cleaned[0], \
                    (previous, run.text)
            if stage in BEFORE_PUBLISHING:
                assert file_hash(case.published) == published, stage  # readers never see half a run
            previous = stage
        rerun = beian_process(case.env, "run", timeout=400, **WAIT)
    finally:
        end_orphans(orphans)
    assert rerun.code == 0, rerun.text
    assert "Traceback" not in rerun.text
    cleaned = cleanup_lines(rerun.out)
    assert len(cleaned) == 1 and "marked failed" in cleaned[0] and "pool" in cleaned[0], rerun.out
    assert fingerprint(case.published) == uninterrupted
    assert case.query(f"select rows_accepted from raw.lists where partition_key = '{TARGET_KEY}'") == [(10,)]
    assert not list((case.data / "run_processes").glob("*.json"))  # nothing left claiming to run


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_run_is_answered_within_a_second_and_the_next_run_is_clean(case: Case, signo):
    change_target(case.target_file())
    published = file_hash(case.published)
    run = Running(case.env, "run")
    run.wait_for("full refresh: dbt_models")
    run.wait_for(lambda: running_child(run, "dbt"))
    children = run.descendants()
    seconds = run.signal(signo)
    result = run.result()
    assert seconds < 1.0, seconds
    assert result.code == 128 + signo
    assert result.err.splitlines()[-1] == (f"beian: stopped by {signal.Signals(signo).name}; "
                                           "the published warehouse is unchanged")
    assert "Traceback" not in result.text
    assert file_hash(case.published) == published
    deadline = time.monotonic() + 15  # dbt, asked to stop, ends its statement first
    while [pid for pid in children if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)]  # dbt and the rest stopped with it
    again = beian_process(case.env, "update", timeout=400, **WAIT)
    assert again.code == 0 and "cleaned up" not in again.out, again.text  # it cleaned up after itself


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


def test_another_program_holding_the_build_file_is_one_line_within_the_wait(case: Case):
    build = case.data / "warehouse.build.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(build)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        published = file_hash(case.published)
        started = time.monotonic()
        result = beian_process(case.env, "run", BEIAN_WRITER_WAIT="3", timeout=120)
        seconds = time.monotonic() - started
        assert result.code == 1, result.text
        lines = result.err.strip().splitlines()
        assert len([line for line in lines if "locked" in line]) == 1, result.err
        message = next(line for line in lines if "locked" in line)
        assert str(build) in message and f"pid {holder.pid}" in message and "waited 3 s" in message
        assert "Traceback" not in result.text
        assert seconds < 60  # the scan and the definitions, then 3 s: not 200
        assert file_hash(case.published) == published
        debug = beian_process(case.env, "run", BEIAN_WRITER_WAIT="1", BEIAN_DEBUG="1", timeout=120)
        assert debug.code == 1 and "Traceback" in debug.err and "WriterBusy" in debug.err

        # and a signal during that wait is answered at once
        waiting = Running(case.env, "run", BEIAN_WRITER_WAIT="120")
        waiting.wait_for("beian: waiting")
        assert waiting.signal(signal.SIGINT) < 1.0
        assert waiting.result().code == 130
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
