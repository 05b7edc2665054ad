"""The `beian` command: run, query, status, ingest.

Errors are one line naming the input and what to do; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import sys
import time
from datetime import date
from pathlib import Path

from .settings import Settings, load_settings

SERIES_FOR_INGEST = ("deep_synthesis", "algorithm_recommendation", "genai")


class UserError(Exception):
    """A problem the user can fix; printed as one line."""


# ---------------------------------------------------------------- output


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False,
                          default=str, indent=1)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(v, w) for v, w in zip(row, widths)) for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# ---------------------------------------------------------------- warehouse reads


def read_only_query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    import duckdb

    from .warehouse import query

    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}: run `make run` (or `beian run`) first")
    try:
        return query(settings.warehouse_path, sql)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise UserError(f"{settings.warehouse_path} is open for writing in another program; runs "
                            f"never write it (they publish a copy), so close that program, or read "
                            f"{settings.exports_dir}/*.parquet") from exc
        raise UserError(f"{settings.warehouse_path}: {exc}") from exc
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise UserError(f"query failed: {first_line}") from exc


STATUS_SQL = {
    "lists": """
        select series, count(*) as lists, sum(rows_extracted) as rows_extracted,
               sum(rows_accepted) as rows_accepted, sum(rows_quarantined) as rows_quarantined,
               count(*) filter (where last_error is not null) as lists_failed
        from raw.lists group by 1 order by 1""",
    "failed_lists": """
        select series, list_label, attachment_url, last_error
        from raw.lists where last_error is not null order by 1, 2""",
}


def _dagster_instance(settings: Settings):
    import dagster as dg

    os.environ.setdefault("DAGSTER_HOME", str(settings.dagster_home))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():  # no telemetry banner, no phoning home from a closed network
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.get()


def failed_checks(instance, run_id: str) -> list[tuple[str, str, str]]:
    """(asset, check, severity) of every check that did not pass in the run."""
    import dagster as dg

    failures = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        data = record.get_dagster_event().event_specific_data
        if not data.passed:
            failures.append((data.asset_key.to_user_string(), data.check_name, data.severity.value))
    return failures


def latest_run(instance):
    """The newest run of any job: `beian run`, or one launched from the UI."""
    runs = instance.get_runs(limit=1)
    return runs[0] if runs else None


def print_status(settings: Settings, run=None, instance=None) -> None:
    columns, rows = read_only_query(settings, STATUS_SQL["lists"])
    print(format_rows(columns, rows, "table"))
    columns, rows = read_only_query(settings, STATUS_SQL["failed_lists"])
    if rows:
        print("\nLists that failed to load:")
        print(format_rows(columns, rows, "table"))
    instance = instance or _dagster_instance(settings)
    run = run or latest_run(instance)
    if run is None:
        print("\nNo run recorded yet.")
        return
    failures = failed_checks(instance, run.run_id)
    print(f"\nLast run {run.run_id[:8]}: {run.status.value}; checks failed: {len(failures)}")
    for asset, check, severity in failures:
        print(f"  {severity:5} {asset} · {check}")


# ---------------------------------------------------------------- commands


def execute_refresh(settings: Settings, instance, log_path: Path):
    """Run the whole refresh job in this process (one DuckDB writer); dbt's own progress
    lines go to ``log_path``, the structured events to the Dagster instance."""
    from .definitions import REFRESH_JOB, build_definitions

    defs = build_definitions(settings)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        return defs.resolve_job_def(REFRESH_JOB).execute_in_process(
            instance=instance, raise_on_error=False, run_config=quiet)


def run_pipeline(settings: Settings) -> bool:
    """Materialise every asset in process; prints a summary; True when the run succeeded."""
    instance = _dagster_instance(settings)
    started = time.perf_counter()
    log_path = settings.data_dir / "logs" / "last_run.log"
    result = execute_refresh(settings, instance, log_path)
    elapsed = time.perf_counter() - started
    print(f"Run {result.run_id[:8]} {'succeeded' if result.success else 'FAILED'} in {elapsed:.1f} s "
          f"(source: {settings.source}; warehouse: {settings.warehouse_path}; log: {log_path})\n")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            print(f"step {event.step_key} failed: {error.message.strip().splitlines()[-1]}")
    if settings.warehouse_path.exists():
        print_status(settings, run=instance.get_run_by_id(result.run_id), instance=instance)
    return result.success


def _label_from(text: str) -> str | None:
    """YYYY-MM from 2026年3月 (as list names print it) or from 2026-03."""
    from .parsers.notice_pages import list_label

    match = re.fullmatch(r"(20\d{2})-(\d{1,2})", text.strip())
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match else list_label(text)


def ingest_file(settings: Settings, path: Path, series: str, published: str,
                batch: int | None, label: str | None) -> dict:
    """Land a hand-downloaded list and register it; the next run takes it through the same
    validation, load and dbt path as a fetched one."""
    from .landing import RawStore
    from .parsers.tables import DocumentError, sniff_file_type
    from .resources import read_manual_registry, write_manual_registry
    from .series import SERIES

    if series not in SERIES:
        raise UserError(f"--series {series}: this warehouse knows {', '.join(SERIES)}")
    try:
        published_on = date.fromisoformat(published)
    except ValueError as exc:
        raise UserError(f"--published {published!r}: expected a date as YYYY-MM-DD") from exc
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    content = path.read_bytes()
    list_label = _label_from(label) if label else (_label_from(path.stem) or published_on.strftime("%Y-%m"))
    if list_label is None:
        raise UserError(f"--label {label!r}: expected YYYY年M月 (or YYYY-MM)")
    try:
        rows = SERIES[series].parse(content, str(path)).rows
    except DocumentError as exc:
        raise UserError(f"{exc} — check --series, or the file") from exc
    if not rows:
        raise UserError(f"{path}: no data rows found in the {series} table")
    sha, _ = RawStore(settings.raw_dir).put(content)
    if settings.warehouse_path.exists():
        _, dupes = read_only_query(
            settings, f"select attachment_url from raw.lists where sha256 = '{sha}' "
                      f"and attachment_url not like 'manual://%'")
        if dupes:
            raise UserError(f"{path}: these bytes are already loaded from {dupes[0][0]}; nothing to add")
    entry = {
        "attachment_url": f"manual://{sha}/{path.name}", "notice_url": None, "series": series,
        "batch_no": batch, "list_label": list_label, "published_on": published_on.isoformat(),
        "link_text": path.stem, "sha256": sha, "file_type": sniff_file_type(content),
    }
    registry = [e for e in read_manual_registry(settings) if e["sha256"] != sha]
    write_manual_registry(settings, registry + [entry])
    print(f"Landed {path.name} ({len(content)} bytes, {len(rows)} rows, sha256 {sha[:12]}) "
          f"as {series} list {list_label}")
    return entry


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="beian", description="The beian warehouse of CAC AI filings.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="materialise every asset (fetch, land, validate, load, dbt, export)")
    query = commands.add_parser("query", help="run one read-only SQL query on the warehouse")
    query.add_argument("sql")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    commands.add_parser("status", help="lists, rows per series, quarantine, failing checks")
    ingest = commands.add_parser("ingest", help="add a list file downloaded by hand, then run")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--series", required=True, choices=SERIES_FOR_INGEST)
    ingest.add_argument("--published", required=True, help="publication date, YYYY-MM-DD")
    ingest.add_argument("--batch", type=int, help="batch number (第N批), for deep synthesis")
    ingest.add_argument("--label", help="the list's month, e.g. 2026年3月 (default: from the file name)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    try:
        if args.command == "query":
            columns, rows = read_only_query(settings, args.sql)
            print(format_rows(columns, rows, args.format))
            return 0
        if args.command == "status":
            print_status(settings)
            return 0
        if args.command == "ingest":
            ingest_file(settings, args.file, args.series, args.published, args.batch, args.label)
        return 0 if run_pipeline(settings) else 1
    except UserError as exc:
        print(f"beian: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not a user error: still one line, traceback on request
        if os.environ.get("BEIAN_DEBUG"):
            raise
        print(f"beian: unexpected {type(exc).__name__}: {exc} (set BEIAN_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
