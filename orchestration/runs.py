"""`beian run` and `beian update`: a look at the source, then the Dagster runs it calls for,
in this process (so the warehouse has one writer), with live progress and a summary.

- run: the full refresh, every known list in one run over all list partitions.
- update: what one new_publications sensor tick does, then only what is new: one run per new
  or changed list, then one run for the marts and everything published downstream of them.
  With nothing new it loads no Dagster definitions and runs no dbt at all.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .scan import Scan, scan_publications
from .settings import Settings
from .vocabulary import RAW_DISTRICTS, RAW_PROVINCES, RAW_SCHEMA

DAGSTER_YAML = """\
# Written by beian. Run history stays here (DAGSTER_HOME under the data folder).
telemetry:
  enabled: false
concurrency:
  pools:
    # the steps that write the DuckDB build file share the pool "warehouse_writer": one at a time
    default_limit: 1
"""


def ensure_dagster_home(settings: Settings) -> Path:
    """The Dagster home: DAGSTER_HOME if set (as `make dev` sets it), else data/dagster_home;
    with beian's dagster.yaml unless one is there already."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def dagster_instance(settings: Settings):
    """The instance under the data folder, its event log kept open between events
    (event_storage.py); `make dev` reads the same files with Dagster's stock classes."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from .event_storage import event_storage_override

    home = str(ensure_dagster_home(settings))
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides=event_storage_override(home)))


@dataclass
class RunRecord:
    run_id: str
    label: str
    success: bool
    failed_steps: list[tuple[str, str]] = field(default_factory=list)  # (step, last line of its error)
    failed_checks: list[tuple[str, str, str, dict]] = field(default_factory=list)  # asset, check, severity, metadata
    tracebacks: list[str] = field(default_factory=list)  # of the failed steps, for BEIAN_DEBUG=1


@dataclass
class Outcome:
    scan: Scan
    instance: object = None  # the Dagster instance the runs are recorded in
    runs: list[RunRecord] = field(default_factory=list)
    nothing_new: bool = False
    rows_before: dict[str, int] = field(default_factory=dict)
    rows_after: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        return (all(r.success for r in self.runs) and not self.scan.errors and not self.scan.failed)


class StepProgress:
    """Steps done, of how many, and the one running: a rich progress bar on a terminal, a line
    per step elsewhere. Read from the run's events by a thread while the run goes on."""

    def __init__(self, instance, run_id: str, total: int, label: str, settings: Settings):
        import sys

        from rich.console import Console

        self.instance, self.run_id, self.total, self.label = instance, run_id, total, label
        self.console = Console(file=sys.stderr)  # the terminal's, not the run log's
        self.watchdog = PoolWatch(instance, run_id, settings)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def _events(self, cursor: str | None):
        """The step events stored since ``cursor`` (only those: a long run's log is not read
        again on every poll), and the cursor after them."""
        import dagster as dg

        kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                 dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED}
        try:
            page = self.instance.get_records_for_run(self.run_id, cursor=cursor, of_type=kinds)
        except Exception:  # the run is not stored yet
            return [], cursor
        return [r.event_log_entry for r in page.records], page.cursor

    def _follow(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        cursor, done, live = None, 0, self.console.is_terminal
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=self.console, transient=True) if live else None
        task = progress.add_task(self.label, total=self.total) if progress else None
        with progress or contextlib.nullcontext():
            while True:
                stopping = self._stop.is_set()
                events, cursor = self._events(cursor)
                for record in events:
                    event = record.dagster_event
                    if event.event_type_value == "STEP_START":
                        if progress:
                            progress.update(task, description=f"{self.label}: {event.step_key}")
                        else:
                            self.console.print(f"  [{done + 1}/{self.total}] {self.label}: {event.step_key}",
                                               highlight=False)
                    else:
                        done += 1
                        if progress:
                            progress.update(task, completed=done)
                if stopping:
                    return
                self.watchdog.check()
                self._stop.wait(0.3)


class PoolWatch:
    """While the run waits for the writer pool: clean up after runs whose process died
    meanwhile, and give up after BEIAN_WRITER_WAIT (Dagster's own wait has no bound)."""

    EVERY_S = 2.0

    def __init__(self, instance, run_id: str, settings: Settings):
        import sys

        self.instance, self.run_id, self.settings = instance, run_id, settings
        self.out = sys.stdout  # the terminal's: the run's own output goes to its log
        self.next_check = time.monotonic() + self.EVERY_S

    def check(self) -> None:
        if time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + self.EVERY_S
        from .interrupts import abort
        from .recovery import recover
        from .resources import WRITER_POOL

        try:
            waiting = [p for p in self.instance.event_log_storage.get_concurrency_info(WRITER_POOL).pending_steps
                       if p.run_id == self.run_id and p.assigned_timestamp is None]
            if not waiting:
                return
            for line in recover(self.settings.build_warehouse_path.parent, self.instance):
                print(f"beian: cleaned up: {line}", file=self.out, flush=True)
        except Exception:  # the instance is busy: look again next time
            return
        waited = time.time() - waiting[0].enqueued_timestamp.timestamp()
        if waited > self.settings.writer_wait_s:
            abort(f"{self.settings.build_warehouse_path} is being written by another run (beian run/update, "
                  f"a sensor or UI run); waited {waited:.0f} s (BEIAN_WRITER_WAIT), try again when it ends", 1)


def _run_record(result, label: str) -> RunRecord:
    record = RunRecord(result.run_id, label, result.success)
    for event in result.all_events:
        if event.event_type_value == "STEP_SKIPPED":  # an upstream output missing: nothing built
            record.success = False
            record.failed_steps.append((event.step_key, "skipped: an upstream step produced nothing"))
        elif event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()
            record.failed_steps.append((event.step_key, _plain(message[-1] if message else "")))
            record.tracebacks.append(f"{event.step_key}: {error.to_string()}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            if not event.event_specific_data.passed:
                record.failed_checks.append(failed_check(event.event_specific_data))
    return record


def _plain(message: str) -> str:
    """An error's line without the module path of its class: "WriterBusy: …", not
    "orchestration.recovery.WriterBusy: …"."""
    head, sep, rest = message.partition(": ")
    return f"{head.rsplit('.', 1)[-1]}{sep}{rest}" if sep and " " not in head else message


def failed_check(evaluation) -> tuple[str, str, str, dict]:
    """(asset, check, severity, metadata values) of a failed check evaluation."""
    return (evaluation.asset_key.to_user_string(), evaluation.check_name, evaluation.severity.value,
            {k: getattr(v, "value", v) for k, v in evaluation.metadata.items()})


def execute(settings: Settings, instance, defs, label: str, *, partition_key: str | None = None,
            asset_selection=None, tags: dict | None = None) -> RunRecord:
    """One run of the refresh job (or a part of it), in process. Runs whose process is gone
    are cleaned up first, and a live writer is waited for (bounded). This process is recorded
    as the run's. Dagster's log lines and dbt's output go to the run's log file."""
    from .automation.schedules import REFRESH_JOB
    from .dbt_parse import seed_parse_state
    from .interrupts import on_abort
    from .recovery import forget_run, process_tags, record_run

    seed_parse_state(settings)  # a data folder without dbt's parse state starts from `make`'s
    job = defs.resolve_job_def(REFRESH_JOB)
    plan_job = job.get_subset(asset_selection=set(asset_selection)) if asset_selection else job
    total = len(plan_job.graph.node_defs)
    run_id = str(uuid.uuid4())
    log_path = settings.logs_dir / f"run-{run_id[:8]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    folder = settings.build_warehouse_path.parent
    writer_free(settings, instance)
    record_run(folder, run_id, label)
    everything = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}  # into the log file
    try:
        with on_abort(lambda: abandon(instance, folder, run_id)), \
                StepProgress(instance, run_id, total, label, settings), \
                open(log_path, "w", encoding="utf-8") as log, \
                contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=everything,
                                            partition_key=partition_key, asset_selection=asset_selection,
                                            tags={**(tags or {}), **process_tags()}, run_id=run_id)
    finally:
        forget_run(folder, run_id)
    _keep_last_logs(settings.logs_dir)
    return _run_record(result, label)


def say(line: str) -> None:
    """A line of what beian did by itself (a clean-up), before the summary."""
    print(f"beian: {line}", flush=True)


def writer_free(settings: Settings, instance) -> None:
    """Before a run: clean up after dead runs (a line each), then wait (bounded) while a live
    run holds the writer pool or another program holds the build file."""
    import duckdb

    from .recovery import connect_when_free, wait_for_pool
    from .resources import WRITER_POOL

    build = settings.build_warehouse_path
    wait_for_pool(build.parent, instance, WRITER_POOL, settings.writer_wait_s, say, build)
    if build.exists():
        connect_when_free(lambda: duckdb.connect(str(build)), build, settings.writer_wait_s, say).close()


def abandon(instance, folder: Path, run_id: str) -> None:
    """This process is being stopped mid-run: the run is failed and lets go of the pool."""
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        instance.report_run_failed(run, message="stopped by a signal")
    from .recovery import forget_run

    forget_run(folder, run_id)


def _keep_last_logs(folder: Path, keep: int = 20) -> None:
    logs = sorted(folder.glob("run-*.log"), key=lambda p: p.stat().st_mtime)
    for old in logs[:-keep]:
        old.unlink(missing_ok=True)


def published_rows(settings: Settings) -> dict[str, int]:
    """Rows per series in the published warehouse (what readers see)."""
    if not settings.warehouse_path.exists():
        return {}
    from .publish.published_warehouse import query

    try:
        _, rows = query(settings.warehouse_path,
                        "select series, sum(rows_accepted) from raw.lists where duplicate_of is null group by 1")
    except Exception:  # an older warehouse layout
        return {}
    return {series: int(n or 0) for series, n in rows}


def align_partitions(settings: Settings, instance, scan) -> None:
    """The list partitions are the catalogue's lists: the scan's new ones added, any the
    catalogue does not hold dropped."""
    from .automation.partitions import drop_unknown_lists, register_lists
    from .catalog import Catalog

    register_lists(instance, [s.key for s in scan.lists])
    drop_unknown_lists(instance, {entry.key for entry in Catalog(settings.catalog_path).entries()})


def full_refresh(settings: Settings) -> Outcome:
    """Every known list in one run over all list partitions, then the marts and publish."""
    from .automation.partitions import SCAN_TAG, range_tags
    from .definitions import build_definitions

    started = time.perf_counter()
    outcome = Outcome(scan_publications(settings, full=True), rows_before=published_rows(settings))
    instance = outcome.instance = dagster_instance(settings)
    align_partitions(settings, instance, outcome.scan)
    defs = build_definitions(settings)
    from .automation.partitions import LISTS

    keys = instance.get_dynamic_partitions(LISTS.name)
    tags = {SCAN_TAG: outcome.scan.scan_id, "beian/trigger": "beian run",
            **(range_tags(keys) if keys else {})}
    selection = None if keys else _unpartitioned(defs)
    outcome.runs.append(execute(settings, instance, defs, "full refresh", asset_selection=selection, tags=tags))
    outcome.rows_after = published_rows(settings)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _unpartitioned(defs) -> list:
    graph = defs.resolve_asset_graph()
    return [k for k in graph.get_all_asset_keys() if graph.get(k).partitions_def is None]


def downstream_selection(defs, raw_keys: list, pages_changed: bool) -> list:
    """What must rebuild after the lists loaded: the assets downstream of the raw tables that
    changed (the notice pages and statistics too, when the pages changed), unpartitioned."""
    import dagster as dg

    from .automation.sensors import PAGE_ASSETS

    roots = list(raw_keys) + (PAGE_ASSETS if pages_changed else [])
    graph = defs.resolve_asset_graph()
    selected = dg.AssetSelection.keys(*roots).downstream().resolve(graph)
    # the reference tables are cheap and must exist before any model reads them
    reference = {dg.AssetKey(RAW_PROVINCES), dg.AssetKey(RAW_DISTRICTS)}
    return sorted((k for k in selected | set(roots) | reference
                   if graph.get(k).partitions_def is None), key=lambda k: k.to_user_string())


SEPARATE_RUNS_UP_TO = 3  # new or changed lists that `update` runs one by one


def update(settings: Settings) -> Outcome:
    """One look at the source; then only the new and changed lists, and what depends on them."""
    started = time.perf_counter()
    scan = scan_publications(settings, recheck=settings.update_recheck)
    outcome = Outcome(scan)
    if not scan.pending and not scan.pages_changed and not scan.errors:
        outcome.nothing_new = True
        outcome.seconds = time.perf_counter() - started
        return outcome

    from .automation.partitions import LISTS, SCAN_TAG, range_tags
    from .automation.sensors import list_assets
    from .definitions import build_definitions

    outcome.rows_before = published_rows(settings)
    instance = outcome.instance = dagster_instance(settings)
    align_partitions(settings, instance, scan)
    defs = build_definitions(settings)
    if len(scan.pending) > SEPARATE_RUNS_UP_TO:
        # many lists (a new warehouse, new parsing code): one run over every list partition is
        # cheaper than a run each; the unchanged lists in it are skipped, not parsed again
        keys = instance.get_dynamic_partitions(LISTS.name)
        outcome.runs.append(execute(settings, instance, defs, "new and changed lists",
                                    tags={SCAN_TAG: scan.scan_id, "beian/trigger": "beian update",
                                          **range_tags(keys)}))
        outcome.rows_after = published_rows(settings)
        outcome.seconds = time.perf_counter() - started
        return outcome
    touched = set()
    for item in scan.pending:
        record = execute(settings, instance, defs, f"list {item.key}", partition_key=item.key,
                         asset_selection=list_assets(item.entry.series),
                         tags={SCAN_TAG: scan.scan_id, "beian/trigger": "beian update"})
        outcome.runs.append(record)
        if record.success:  # its raw tables changed (the list's own table, lists, quarantine …)
            touched |= {key for key in list_assets(item.entry.series) if key.path[0] == RAW_SCHEMA}
    if touched or scan.pages_changed or scan.errors:
        selection = downstream_selection(defs, sorted(touched, key=str), scan.pages_changed > 0 or bool(scan.errors))
        outcome.runs.append(execute(settings, instance, defs, "marts and publish", asset_selection=selection,
                                    tags={SCAN_TAG: scan.scan_id, "beian/trigger": "beian update"}))
    outcome.rows_after = published_rows(settings)
    outcome.seconds = time.perf_counter() - started
    return outcome
