"""Crash safety, as a database has it: a run killed at any point (kill -9, OOM, a reboot)
leaves the next run free to start.

Each run records its process (pid, the kernel's start time of that pid, the boot) in a small
file under the data folder. Whoever starts next (`beian run`/`update`, a sensor tick, a UI
run) looks for runs whose process is gone: each is marked failed in the Dagster instance and
its slots of the writer pool are freed. The file locks need nothing: the kernel drops them
with the process. Every wait here is bounded and sleeps in short steps, so a signal is
answered at once.
"""

from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

RECORDS_DIR = "run_processes"  # beside the build file: one <run_id>.json per run in progress
PID_TAG, STARTED_TAG = "beian/pid", "beian/pid_started"
POLL_S = 0.25


@dataclass(frozen=True)
class ProcessId:
    """A process, told apart from a later one that reuses its pid."""
    pid: int
    started: str  # "<boot id>:<start time in clock ticks since boot>", "" where /proc is missing

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: it exists
            pass
        return not self.started or _start_time(self.pid) == self.started

    def describe(self) -> str:
        return f"pid {self.pid}"


def _start_time(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""
    # the command name is in parentheses and may hold spaces: count fields after the last ')'
    return f"{boot}:{stat.rsplit(')', 1)[1].split()[19]}"


def this_process() -> ProcessId:
    return ProcessId(os.getpid(), _start_time(os.getpid()))


def process_tags() -> dict[str, str]:
    """The run tags naming this process (shown in the UI beside the run)."""
    me = this_process()
    return {PID_TAG: str(me.pid), STARTED_TAG: me.started}


def _record_path(data_dir: Path, run_id: str) -> Path:
    return Path(data_dir) / RECORDS_DIR / f"{run_id}.json"


def record_run(data_dir: Path, run_id: str, label: str = "") -> None:
    """This process runs ``run_id`` (written before the run can claim anything)."""
    path = _record_path(data_dir, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**asdict(this_process()), "label": label}), encoding="utf-8")
    os.replace(tmp, path)


def forget_run(data_dir: Path, run_id: str) -> None:
    _record_path(data_dir, run_id).unlink(missing_ok=True)


def _recorded(data_dir: Path) -> dict[str, dict]:
    records = {}
    for path in (Path(data_dir) / RECORDS_DIR).glob("*.json"):
        try:
            records[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being written (or torn by a crash): judged by the tags instead
    return records


def _process_of(run, record: dict | None) -> ProcessId | None:
    if record is not None:
        return ProcessId(int(record["pid"]), record.get("started", ""))
    tags = run.tags if run is not None else {}
    if PID_TAG in tags:
        return ProcessId(int(tags[PID_TAG]), tags.get(STARTED_TAG, ""))
    return None  # a run that records no process (from before this code): not ours to judge


def recover(data_dir: Path, instance) -> list[str]:
    """Mark failed every run whose process is gone, free the pool slots it (or any finished
    run) still holds, and drop stale process records. One line per run cleaned up."""
    from dagster import DagsterRunStatus, RunsFilter

    storage = instance.event_log_storage
    holders = set(storage.get_concurrency_run_ids())
    active = {run.run_id: run for run in instance.get_runs(filters=RunsFilter(statuses=[
        DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]))}
    records = _recorded(data_dir)
    cleaned = []
    for run_id in sorted(holders | active.keys() | records.keys()):
        run = active.get(run_id) or instance.get_run_by_id(run_id)
        process = _process_of(run, records.get(run_id))
        what = f"run {run_id[:8]}" + (f" ({run.tags.get('beian/trigger', run.job_name)})" if run else "")
        if run is None or run.is_finished:
            if run_id in holders:
                storage.free_concurrency_slots_for_run(run_id)
                cleaned.append(f"{what} had finished but still held the writer pool: freed")
            forget_run(data_dir, run_id)
            continue
        if process is None or process.alive():
            continue
        storage.free_concurrency_slots_for_run(run_id)
        instance.report_run_failed(run, message=f"its process ({process.describe()}) is gone: "
                                                 "killed or crashed; marked failed by the next run")
        forget_run(data_dir, run_id)
        cleaned.append(f"{what}: its process ({process.describe()}) is gone; marked failed, "
                       "its writer pool slot freed")
    return cleaned


class WriterBusy(RuntimeError):
    """Another process is writing the warehouse and did not finish in time."""


def wait_until(ready: Callable[[], str | None], wait_s: float, busy: Callable[[str, float], str],
               say: Callable[[str], None] | None = None) -> None:
    """Poll ``ready`` (None: go on; else what holds us) until it says go, at most ``wait_s``
    seconds, in short sleeps (a signal is answered at once); then WriterBusy(busy(holder, s)).
    ``say`` hears once that we wait, and for whom."""
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        holder = ready()
        if holder is None:
            return
        if time.monotonic() >= deadline:
            raise WriterBusy(busy(holder, wait_s))
        if say is not None and not told:
            say(f"waiting (at most {wait_s:.0f} s, BEIAN_WRITER_WAIT) for {holder} to let go of the warehouse")
            told = True
        time.sleep(min(POLL_S, max(deadline - time.monotonic(), 0.01)))


def wait_for_pool(data_dir: Path, instance, pool: str, wait_s: float, say: Callable[[str], None],
                  database: Path) -> None:
    """Before a run: runs whose process is gone are cleaned up (said in one line each);
    then wait, bounded, while a live run holds ``pool``."""

    def ready() -> str | None:
        for line in recover(data_dir, instance):
            say(f"cleaned up: {line}")
        claimed = instance.event_log_storage.get_concurrency_info(pool).claimed_slots
        return f"run {claimed[0].run_id[:8]}" if claimed else None

    wait_until(ready, wait_s, lambda run, s: (
        f"{database} is being written by {run} (beian run/update, a sensor or UI run; "
        f"its process is alive); waited {s:.0f} s (BEIAN_WRITER_WAIT), try again when it ends"), say)


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", re.S)


def is_lock_conflict(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


def lock_holder(exc: BaseException) -> str:
    """Who holds a DuckDB file, from DuckDB's message: "pid 123, /usr/bin/python3"."""
    found = _LOCK_HOLDER.search(str(exc))
    return f"pid {found.group(2)}, {found.group(1).strip()}" if found else "an unknown process"


def connect_when_free(connect: Callable[[], object], database: Path, wait_s: float,
                      say: Callable[[str], None] | None = None):
    """``connect()``, waiting (bounded) while another process holds the DuckDB file; then
    WriterBusy naming the file and the process that holds it."""
    import duckdb

    result: list = []

    def ready() -> str | None:
        try:
            result.append(connect())
            return None
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not is_lock_conflict(exc):
                raise
            return lock_holder(exc)

    wait_until(ready, wait_s, lambda holder, s: (
        f"{database} is locked by another process ({holder}); waited {s:.0f} s (BEIAN_WRITER_WAIT). "
        f"Only runs write this file: close the program holding it (readers open the published "
        f"warehouse, read-only)"), say)
    return result[0]


_LOCKS: dict = {}  # lock file path -> filelock.FileLock, one per process (re-entrant)


@contextmanager
def writer_lock(lock_path: Path, wait_s: float, database: Path) -> Iterator[None]:
    """One writer of the build file at a time, across processes: UI runs, sensor runs and the
    CLI. Re-entrant within a process. A second writer waits up to ``wait_s`` seconds. The
    kernel releases the lock when its process dies, however it dies."""
    from filelock import FileLock, Timeout

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = _LOCKS.setdefault(str(lock_path), FileLock(str(lock_path)))
    try:
        lock.acquire(timeout=wait_s, poll_interval=0.05)
    except Timeout:
        raise WriterBusy(f"{database} is being written by another run (beian run/update, a sensor or "
                         f"UI run); waited {wait_s:.0f} s (BEIAN_WRITER_WAIT), try again when it ends") from None
    try:
        yield
    finally:
        lock.release()
