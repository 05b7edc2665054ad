"""The `beian` command: run, update, ingest, query, lookup, status, report, serve.

Argument parsing and output only; each command's work lives beside what it touches. Errors
are one line naming the input and what to do; never a traceback (BEIAN_DEBUG=1 shows one).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from pathlib import Path

from .settings import Settings, load_settings
from .setaside import quarantine_lines
from .vocabulary import CHECK_DETAIL_KEYS, LIST_FAILURE_KEYS


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

    from .publish.published_warehouse import QueryError, query

    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}: run `make run` (or `beian run`) first")
    try:
        return query(settings.warehouse_path, sql)
    except QueryError as exc:
        raise UserError(f"query failed: {exc}") from exc
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise UserError(f"{settings.warehouse_path} is open for writing in another program; runs "
                            f"never write it (they publish a copy), so close that program, or read "
                            f"{settings.exports_dir}/*.parquet") from exc
        raise UserError(f"{settings.warehouse_path}: {exc}") from exc


def run_lookup(settings: Settings, text: str, fmt: str, limit: int) -> str:
    """`beian lookup`: every match across the series, from the published warehouse."""
    import duckdb

    from .lookup import format_matches, lookup

    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}: run `make run` (or `beian run`) first")
    if limit < 1:
        raise UserError(f"--limit {limit}: expected a positive number")
    try:
        matches, total = lookup(settings.warehouse_path, text, limit)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    except duckdb.Error as exc:
        raise UserError(f"{settings.warehouse_path}: {str(exc).strip().splitlines()[0]}") from exc
    if fmt == "json":
        return json.dumps({"query": text, "total": total, "matches": [m.as_dict() for m in matches]},
                          ensure_ascii=False, indent=1)
    return format_matches(matches, total)


# ---------------------------------------------------------------- run, update, status


def failed_lists(outcome) -> dict[str, str]:
    """Every list that failed, with its one-line reason: in the look at the source, and in
    the runs (fetching, reading)."""
    failures = {item.key: item.entry.fetch_error for item in outcome.scan.failed}
    for run in outcome.runs:
        for _, _, _, metadata in run.failed_checks:
            for name in LIST_FAILURE_KEYS:  # check metadata naming failed lists: {key: error}
                if isinstance(metadata.get(name), dict):
                    failures.update(metadata[name])
    return failures


def print_outcome(outcome, settings: Settings, command: str) -> None:
    """The summary: lists new, changed, unchanged and failed; rows added; checks failed."""
    scan = outcome.scan
    states = {state: len(scan.by_state(state)) for state in ("new", "changed", "unchanged", "failed", "duplicate")}
    verdict = "nothing new" if outcome.nothing_new else ("succeeded" if outcome.success else "FAILED")
    print(f"beian {command} {verdict} in {outcome.seconds:.1f} s (source: {scan.source}; "
          f"warehouse: {settings.warehouse_path})")
    print("lists: " + ", ".join(f"{n} {state}" for state, n in states.items())
          + f"; pages new or changed: {scan.pages_changed}")
    print(describe_look(scan.record()))
    if outcome.runs:
        series = sorted(set(outcome.rows_before) | set(outcome.rows_after))
        added = [(s, outcome.rows_after.get(s, 0) - outcome.rows_before.get(s, 0), outcome.rows_after.get(s, 0))
                 for s in series]
        print(format_rows(["series", "rows_added", "rows_now"], added, "table"))
    for problem in scan.errors:
        print(f"  FAILED page: {problem}")
    by_error: dict[str, list[str]] = {}  # a conflict fails several lists: one line for them all
    for key, error in failed_lists(outcome).items():
        by_error.setdefault(error, []).append(key)
    for error, keys in by_error.items():
        print(f"  FAILED list {' and '.join(keys)}: {error}")
    for warning in scan.warnings:
        print(f"  warning: {warning}")
    checks = [c for run in outcome.runs for c in run.failed_checks]
    print(f"checks failed: {len(checks)}")
    for asset, check, severity, metadata in checks:
        detail = next((json.dumps(metadata[k], ensure_ascii=False, default=str)[:400]
                       for k in CHECK_DETAIL_KEYS if metadata.get(k) not in (None, [], {}, "(none)")), "")
        print(f"  {severity:5} {asset} · {check} {detail}".rstrip())
    for run in outcome.runs:
        for step, message in run.failed_steps:
            print(f"  step {step} failed ({run.label}): {message[:400]}")
        if os.environ.get("BEIAN_DEBUG"):
            for trace in run.tracebacks:
                print(trace, file=sys.stderr)
    if outcome.runs:
        keys = None if command == "run" else [item.key for item in scan.pending]
        for line in quarantine_lines(set_aside(settings, keys)):
            print(line)
    if not outcome.nothing_new:
        print(f"run logs: {settings.logs_dir}")


def describe_look(record: dict) -> str:
    """One line on the last look at the source: how far the walk went, what it skipped, and
    the web archive its live fetches were recorded to."""
    walk = record.get("discovery") or {}
    skipped = walk.get("skipped") or []
    parts = [f"column pages read: {walk.get('column_pages', 0)}",
             f"notices skipped as not ours: {len(skipped)}"
             + (f" (e.g. {skipped[0]['title'][:40]})" if skipped else "")]
    if record.get("as_of"):
        parts.append(f"as of {record['as_of']}")
    if record.get("archive"):
        parts.append(f"archive written: {record['archive']}")
    return "look at the source: " + "; ".join(parts)


def set_aside(settings: Settings, keys: list[str] | None) -> dict[str, dict]:
    """Quarantined rows per list: from the build file (this run's loads), else the published."""
    import duckdb

    from .setaside import quarantined

    for path in (settings.build_warehouse_path, settings.warehouse_path):
        try:
            return quarantined(path, keys)
        except duckdb.Error:  # the build file is being written by another run
            continue
    return {}


def print_status(settings: Settings) -> None:
    from .catalog import Catalog
    from .runs import dagster_instance, failed_check

    if settings.warehouse_path.exists():
        columns, rows = read_only_query(settings, """
            select series, count(*) as lists, sum(rows_extracted) as rows_extracted,
                   sum(rows_accepted) as rows_accepted, sum(rows_quarantined) as rows_quarantined,
                   count(*) filter (where last_error is not null) as lists_failed
            from raw.lists where duplicate_of is null group by 1 order by 1""")
        print("Published warehouse:")
        print(format_rows(columns, rows, "table"))
        from .setaside import quarantined

        for line in quarantine_lines(quarantined(settings.warehouse_path)):
            print(line)
    else:
        print(f"No published warehouse yet at {settings.warehouse_path}.")
    catalog = Catalog(settings.catalog_path) if settings.catalog_path.exists() else None
    entries = catalog.entries() if catalog else []
    last_look = catalog.latest_scan() if catalog else None
    if last_look:
        print(f"\nLast look at {last_look['source']}")
        print(describe_look(last_look))
    failing = [(e.key, e.attachment_url, e.fetch_error) for e in entries if e.fetch_error]
    if failing:
        print("\nLists that could not be fetched at the last look:")
        print(format_rows(["list", "url", "error"], failing, "table"))
    instance = dagster_instance(settings)
    runs = instance.get_runs(limit=1)
    if not runs:
        print("\nNo run recorded yet.")
        return
    run = runs[0]
    import dagster as dg

    evaluations = [record.get_dagster_event().event_specific_data for record in
                   instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)]
    failures = [failed_check(data) for data in evaluations if not data.passed]
    print(f"\nLast run {run.run_id[:8]} ({run.tags.get('beian/trigger', run.job_name)}): "
          f"{run.status.value}; checks failed: {len(failures)}")
    for asset, check, severity, metadata in failures:
        print(f"  {severity:5} {asset} · {check}")
        for key in LIST_FAILURE_KEYS + CHECK_DETAIL_KEYS:
            value = metadata.get(key)
            if value and value != "(none)":
                print(f"        {key}: {json.dumps(value, ensure_ascii=False, default=str)[:500]}")


# ---------------------------------------------------------------- commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="beian", description="The beian warehouse of CAC AI filings.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="the full refresh: look at the source, then fetch, validate and "
                                    "load every list, build the marts, publish")
    commands.add_parser("update", help="look at the source and bring the warehouse up to date with "
                                       "only what is new or changed")
    query = commands.add_parser("query", help="run one read-only SQL query on the published warehouse")
    query.add_argument("sql")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    lookup = commands.add_parser(
        "lookup", help="is this filing number, product or filer registered, and still valid?")
    lookup.add_argument("text", help="a 网信算备 number (any printed form), a gen-AI 备案号 or 上线编号, "
                                     "or (part of) a product, service or filer name")
    lookup.add_argument("--format", choices=("table", "json"), default="table")
    lookup.add_argument("--limit", type=int, default=50, help="show at most this many matches")
    commands.add_parser("status", help="lists, rows per series, failing lists and checks of the last run")
    ingest = commands.add_parser("ingest", help="add a list file downloaded by hand, then update")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--series", required=True, help="deep_synthesis, algorithm_recommendation, "
                                                         "genai or cancellation")
    ingest.add_argument("--published", required=True, help="publication date, YYYY-MM-DD")
    ingest.add_argument("--batch", help="batch number (第N批), deep synthesis only")
    ingest.add_argument("--label", help="the list's month, e.g. 2026年3月 (default: from the file name)")
    report = commands.add_parser("report", help="print the path of the HTML report (--open: open it)")
    report.add_argument("--open", action="store_true", help="open the report in a browser")
    serve = commands.add_parser("serve", help="Datasette over the SQLite export: search, facets, a page "
                                              "per filing number, canned look-ups (read-only)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    return parser


def command_ingest(settings: Settings, args) -> int:
    from .manual import IngestError, add_manual_list, check_request

    try:
        request = check_request(args.file, args.series, args.published, args.batch, args.label)
        entry, rows = add_manual_list(settings, request)
    except IngestError as exc:
        raise UserError(str(exc)) from exc
    print(f"Landed {args.file.name} ({entry.bytes} bytes, {rows} rows, sha256 {entry.sha256[:12]}) "
          f"as {entry.series} list {entry.list_label} ({entry.key})")
    return command_refresh(settings, "update")


def command_refresh(settings: Settings, command: str) -> int:
    from .interrupts import answer_signals
    from .recovery import WriterBusy
    from .runs import full_refresh, update
    from .sources import FetchError

    try:
        with answer_signals():
            outcome = full_refresh(settings) if command == "run" else update(settings)
    except FetchError as exc:
        raise UserError(str(exc)) from exc
    except WriterBusy as exc:  # not the user's doing, and nothing was changed: exit 1
        if os.environ.get("BEIAN_DEBUG"):
            raise
        print(f"beian {command} FAILED: {exc}", file=sys.stderr)
        return 1
    print_outcome(outcome, settings, command)
    return 0 if outcome.success else 1


def command_report(settings: Settings, open_it: bool) -> int:
    path = settings.report_dir / "index.html"
    if not path.is_file():
        raise UserError(f"no report at {path}: run `beian run` first")
    print(path)
    if open_it:
        import webbrowser

        webbrowser.open(path.as_uri())
    return 0


def command_serve(settings: Settings, host: str, port: int) -> int:
    from .publish.datasette_site import serve

    if not 0 < port < 65536:
        raise UserError(f"--port {port}: expected 1-65535")
    print(f"Serving {settings.datasette_dir} on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        serve(settings.datasette_dir, host, port)  # replaces this process
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"beian: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "query":
            columns, rows = read_only_query(settings, args.sql)
            print(format_rows(columns, rows, args.format))
            return 0
        if args.command == "lookup":
            print(run_lookup(settings, args.text, args.format, args.limit))
            return 0
        if args.command == "status":
            print_status(settings)
            return 0
        if args.command == "report":
            return command_report(settings, args.open)
        if args.command == "ingest":
            return command_ingest(settings, args)
        if args.command == "serve":
            return command_serve(settings, args.host, args.port)
        return command_refresh(settings, args.command)
    except UserError as exc:
        print(f"beian: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not a user error: still one line, traceback on request
        if os.environ.get("BEIAN_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"beian: unexpected {type(exc).__name__}: {first} (set BEIAN_DEBUG=1 for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
