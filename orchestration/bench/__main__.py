"""`make bench`: where the time goes, as ratios against a floor measured in the same run, and
BENCHMARKS.md as the record. Timings live here, never in the tests.

0. set-up: `make run` in a fresh clone (empty uv cache), install included;
1. parsing: the project's DOCX parse of every corpus DOCX against a bare lxml iterparse of the
   same word/document.xml files;
2. runs on the corpus: cold (empty data folder), an update with nothing new, an update with
   one new list, each as a ratio to the cold run; with the time of every step;
3. the dbt step of that update against a bare `dbt build` of the same selection and file;
4. the code location: importing orchestration.definitions and loading its Definitions against
   importing dagster, dagster_dbt and pandera alone;
5. scale: synthetic corpora of 10k, 100k and 1M rows through `beian run` in a child process:
   wall time, peak RSS of the process tree, seconds per step;
6. datasette: the SQLite export of the published warehouse, and 200 look-ups over 10 s against
   `beian serve` (p50, p95; see bench/datasette.py);
7. the tests: `make test-fast` and `make test` (the whole suite, random order), wall time.

`python -m orchestration.bench --quick` skips the 1M-row run and the whole suite.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..settings import CORPUS_MIRROR, DBT_PROJECT_DIR, PROJECT_ROOT
from .datasette import bench_datasette

BIN = Path(sys.executable).parent
SCALES = ((10_000, 100), (100_000, 1_000), (1_000_000, 1_000))
TARGETS = {
    "parse": 1.3, "one_new_list": 0.25, "nothing_new": 0.10, "dbt_step": 1.15, "code_location": 1.2,
    "make_run": 45, "test_fast": 90, "test": 300,
}


@dataclass
class Figure:
    name: str
    value: str
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    def add(self, name: str, value: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("meets" if met else "MISSES")
        self.figures.append(Figure(name, value, target, verdict))
        print(f"  {name:58} {value:>26} {target:>10} {verdict}", flush=True)


def best_of(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


# ------------------------------------------------------------------ 1. parsing


def bench_parsing(report: Report) -> None:
    from lxml import etree

    from ..parsers.docx import read_docx_tables

    files = sorted(CORPUS_MIRROR.rglob("*.docx"))
    blobs = [f.read_bytes() for f in files]
    xml = [zipfile.ZipFile(io.BytesIO(b)).read("word/document.xml") for b in blobs]

    def floor():  # the least any parser must do: inflate and walk every element once
        for b in blobs:
            with zipfile.ZipFile(io.BytesIO(b)).open("word/document.xml") as stream:
                for _, element in etree.iterparse(stream, events=("end",)):
                    element.clear()

    def project():
        for b in blobs:
            read_docx_tables(b)

    base, ours = best_of(floor, 5), best_of(project, 5)
    ratio = ours / base
    print(f"parsing {len(files)} corpus DOCX ({sum(map(len, xml)) / 1e6:.0f} MB of XML)")
    report.add("DOCX parse vs bare lxml iterparse", f"{ours:.2f} s / {base:.2f} s = {ratio:.2f}x",
               f"<= {TARGETS['parse']}x", ratio <= TARGETS["parse"])


# ------------------------------------------------------------------ 2-3. runs on the corpus


def step_seconds(instance, run_id: str) -> dict[str, float]:
    started, spent = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            spent[event.step_key] = spent.get(event.step_key, 0) + record.timestamp - started[event.step_key]
    return spent


def failed_steps(instance, run_id: str) -> list[str]:
    """The steps of a run that failed (a failed check is not a failed step)."""
    import dagster as dg

    return sorted({record.dagster_event.step_key
                   for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)})


def timed_outcome(fn, settings):
    started = time.perf_counter()
    outcome = fn(settings)
    return outcome, time.perf_counter() - started


def bench_corpus_runs(report: Report, keep_warehouse: Path) -> None:
    """The cold, warm and update runs on a copy of the corpus mirror; the published warehouse
    of the last one is kept at ``keep_warehouse`` for the Datasette part."""
    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "fixtures"))
    from later_publications import add_deep_synthesis_batch

    from ..runs import full_refresh, update
    from ..settings import load_settings

    with tempfile.TemporaryDirectory(prefix="beian-bench-") as tmp:
        mirror = Path(tmp) / "mirror"
        shutil.copytree(CORPUS_MIRROR, mirror, copy_function=shutil.copyfile)
        for path in [mirror, *mirror.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        settings = load_settings({"BEIAN_DATA_DIR": str(Path(tmp) / "data"), "BEIAN_SOURCE": str(mirror)})
        cold, cold_s = timed_outcome(full_refresh, settings)
        steps = step_seconds(cold.instance, cold.runs[0].run_id)
        warm, warm_s = timed_outcome(full_refresh, settings)
        warm_steps = step_seconds(warm.instance, warm.runs[0].run_id)
        nothing_s, nothing_ran = cli_update_seconds(settings)
        add_deep_synthesis_batch(mirror)
        one, one_s = timed_outcome(update, settings)
        one_steps: dict[str, float] = {}
        for run in one.runs:
            for key, seconds in step_seconds(one.instance, run.run_id).items():
                one_steps[key] = one_steps.get(key, 0) + seconds
        bare_s, bare_nodes = bare_dbt_build(settings)
        shutil.copyfile(settings.warehouse_path, keep_warehouse)
    print("runs on the corpus (46 lists, 7,904 rows)")
    report.add("cold full run (beian run, empty data folder)", f"{cold_s:.1f} s")
    report.add("warm full run (beian run, nothing changed)", f"{warm_s:.1f} s = {warm_s / cold_s:.2f} of cold")
    report.add("beian update, nothing new (the CLI, no Dagster run, no dbt)",
               f"{nothing_s:.2f} s = {nothing_s / cold_s:.3f} of cold", f"<= {TARGETS['nothing_new']}",
               nothing_s / cold_s <= TARGETS["nothing_new"] and not nothing_ran)
    report.add("update, one new deep-synthesis batch", f"{one_s:.1f} s = {one_s / cold_s:.2f} of cold",
               f"<= {TARGETS['one_new_list']}", one_s / cold_s <= TARGETS["one_new_list"])
    dbt_s = one_steps.get("dbt_models", 0.0)
    report.add(f"dbt step of that update vs bare `dbt build` of its {bare_nodes} nodes",
               f"{dbt_s:.1f} s / {bare_s:.1f} s = {dbt_s / bare_s:.2f}x", f"<= {TARGETS['dbt_step']}x",
               dbt_s / bare_s <= TARGETS["dbt_step"])
    table = "\n".join(f"| {k} | {steps.get(k, 0):.2f} | {warm_steps.get(k, 0):.2f} | {one_steps.get(k, 0):.2f} |"
                      for k in sorted(set(steps) | set(one_steps), key=lambda k: -steps.get(k, 0)))
    report.sections.append("### Steps of the cold run, the warm run and the one-new-list update (seconds)\n\n"
                           "| step | cold | warm | one new list |\n|---|---|---|---|\n" + table)
    print(table.replace("|", " "))


def cli_update_seconds(settings) -> tuple[float, bool]:
    """`beian update` as a user runs it (a new process, no venv on PATH): seconds, and whether it
    ran anything."""
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **settings.env}
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "beian"), "update"], env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, "nothing new" not in done.stdout


def last_dbt_invocation(settings) -> tuple[list[str], int]:
    """The selection arguments of the newest dbt invocation of the pipeline (its run folder's
    run_results.json), and how many nodes it ran."""
    import json

    folders = sorted((p for p in settings.dbt_target_dir.iterdir() if (p / "run_results.json").is_file()),
                     key=lambda p: p.stat().st_mtime)
    results = json.loads((folders[-1] / "run_results.json").read_text(encoding="utf-8"))
    args, selection = results["args"], []
    for name in ("select", "exclude"):
        if args.get(name):
            selection += [f"--{name}", *args[name]]
    if args.get("indirect_selection", "eager") != "eager":  # views left as they are: tests by name
        selection += ["--indirect-selection", args["indirect_selection"]]
    return selection, len(results["results"])


def bare_dbt_build(settings) -> tuple[float, int]:
    """`dbt build` of the same selection as the pipeline's last dbt step, on a copy of the
    build file, from the shell, with the same profile and a warm partial-parse state: the
    floor of the dbt step. Seconds and nodes."""
    selection, nodes = last_dbt_invocation(settings)
    with tempfile.TemporaryDirectory(prefix="beian-dbt-") as tmp:
        target = Path(tmp) / "warehouse.build.duckdb"
        shutil.copyfile(settings.build_warehouse_path, target)
        env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(target), "DBT_TARGET_PATH": str(Path(tmp) / "target")}
        command = [str(BIN / "dbt"), "build", "--profiles-dir", ".", "--quiet", *selection]
        subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True)  # parse, warm
        started = time.perf_counter()
        subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, check=True, capture_output=True)
        return time.perf_counter() - started, nodes


# ------------------------------------------------------------------ 4. code location


def import_seconds(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, "BEIAN_DATA_DIR": tempfile.mkdtemp(prefix="beian-import-")}
    times = [float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                  check=True, cwd=PROJECT_ROOT).stdout.split()[-1]) for _ in range(3)]
    return min(times)


def bench_code_location(report: Report) -> None:
    base = import_seconds("import dagster, dagster_dbt, pandera.pandas")
    imported = import_seconds("import orchestration.definitions")
    ours = import_seconds("import orchestration.definitions as d; d.defs()")
    print("code location")
    report.add("import orchestration.definitions (builds nothing)", f"{imported:.2f} s")
    report.add("code-location load (import + Definitions) vs dagster+dagster_dbt+pandera",
               f"{ours:.2f} s / {base:.2f} s = {ours / base:.2f}x", f"<= {TARGETS['code_location']}x",
               ours / base <= TARGETS["code_location"])


# ------------------------------------------------------------------ 5. scale


def run_measured(command: list[str], env: dict, log: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS of the process tree (GB, the largest child's, sampled and from
    getrusage), exit code; the output in ``log``."""
    started = time.perf_counter()
    # output to a file, not a pipe: a pipe nobody reads until the end fills and blocks the run
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.5)
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return wall, max(peak, children) / 1e9, process.returncode


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(c) for c in children.read().split()]
        except (OSError, StopIteration):
            continue
    return total


def bench_scale(report: Report, quick: bool) -> None:
    from dagster._core.instance.ref import InstanceRef

    import dagster as dg

    from .synthetic import generate_mirror

    print("scale: synthetic corpora through `beian run`")
    results = {}
    rows_header = "| rows | lists | generate | beian run | peak RSS | rows/s | slowest steps |\n|---|---|---|---|---|---|---|"
    lines = []
    for rows, lists in SCALES:
        if quick and rows >= 1_000_000:
            continue
        with tempfile.TemporaryDirectory(prefix=f"beian-scale-{rows}-") as tmp:
            started = time.perf_counter()
            corpus = generate_mirror(Path(tmp) / "mirror", rows=rows, lists=lists, seed=1)
            generated = time.perf_counter() - started
            data = Path(tmp) / "data"
            env = {k: v for k, v in os.environ.items() if not k.startswith(("BEIAN_", "DAGSTER_HOME", "DBT_"))}
            env.update({"BEIAN_DATA_DIR": str(data), "BEIAN_SOURCE": str(corpus.root),
                        "BEIAN_ENTRY_PAGES": ",".join(corpus.entry_pages), "PATH": "/usr/bin:/bin"})
            log = Path(tempfile.gettempdir()) / f"beian-scale-{rows}.log"  # kept: the run's own words
            wall, peak_gb, code = run_measured([str(BIN / "beian"), "run"], env, log)
            instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(data / "dagster_home")))
            runs = instance.get_runs(limit=1)
            steps = step_seconds(instance, runs[0].run_id) if runs else {}
            failed = failed_steps(instance, runs[0].run_id) if runs else ["(no run)"]
        slowest = ", ".join(f"{k} {v:.0f}s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1])[:4])
        results[rows] = (wall, peak_gb, code)
        # exit 1 with every step done: checks found what a synthetic corpus holds by design
        outcome = f"exit {code}" + (f", FAILED {', '.join(failed)}; log {log}" if failed else "")
        line = (f"| {rows:,} | {lists:,} | {generated:.0f} s | {wall:.0f} s ({outcome}) | {peak_gb:.2f} GB "
                f"| {rows / wall:,.0f} | {slowest} |")
        lines.append(line)
        report.add(f"{rows:,} rows in {lists:,} lists: beian run", f"{wall:.0f} s, {peak_gb:.2f} GB, {outcome}",
                   "<= 300 s, 3 GB" if rows >= 1_000_000 else "",
                   (wall <= 300 and peak_gb <= 3 and code in (0, 1) and not failed) if rows >= 1_000_000 else None)
    if 100_000 in results and 1_000_000 in results:
        t = results[1_000_000][0] / results[100_000][0]
        m = results[1_000_000][1] / results[100_000][1]
        report.add("100k -> 1M rows (10x): time x, memory x", f"{t:.1f}x, {m:.1f}x", "<= 11x, 5x",
                   t <= 11 and m <= 5)
    report.sections.append("### Scale\n\n" + rows_header + "\n" + "\n".join(lines))


# ------------------------------------------------------------------ the record


def machine() -> str:
    cpus = os.cpu_count()
    with open("/proc/meminfo") as meminfo:
        memory = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal"))) / 1024 / 1024
    return f"{platform.processor() or platform.machine()}, {cpus} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def write_record(report: Report, path: Path) -> None:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join(f"| {f.name} | {f.value} | {f.target} | {f.verdict} |" for f in report.figures)
    path.write_text(
        "# Benchmarks\n\n"
        "Written by `make bench` (orchestration/bench). Every figure is a ratio against a floor "
        "measured in the same run, or a time with its target.\n\n"
        f"- Machine: {machine()}\n- Date: {now}\n\n"
        "| figure | measured | target | |\n|---|---|---|---|\n" + table + "\n\n"
        + "\n\n".join(report.sections) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-row run and the whole test suite")
    parser.add_argument("--only", choices=("setup", "parsing", "corpus", "code", "scale", "datasette", "tests"),
                        help="one part only")
    args = parser.parse_args()
    report = Report()
    from .loop import bench_fresh_clone, bench_tests

    with tempfile.TemporaryDirectory(prefix="beian-bench-") as tmp:
        corpus_warehouse = Path(tmp) / "warehouse.duckdb"  # the corpus part's, for the Datasette part
        parts = {"setup": lambda: bench_fresh_clone(report, TARGETS["make_run"]),
                 "parsing": lambda: bench_parsing(report), "code": lambda: bench_code_location(report),
                 "corpus": lambda: bench_corpus_runs(report, corpus_warehouse),
                 "scale": lambda: bench_scale(report, args.quick),
                 "datasette": lambda: bench_datasette(report, corpus_warehouse),
                 "tests": lambda: bench_tests(report, TARGETS, full=not args.quick)}
        for name, part in parts.items():
            if args.only in (None, name):
                part()
    write_record(report, PROJECT_ROOT / "BENCHMARKS.md")


if __name__ == "__main__":
    main()
