"""`make bench`: where the time goes. Parsing and validation timed alone, then a cold and
a warm run of the whole job with the time of every step. Timings live here, not in tests."""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

import dagster as dg

from ..cli import execute_refresh
from ..series import SERIES
from ..schemas.split import split_valid
from ..settings import CORPUS_MIRROR, load_settings


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_parsers(corpus: Path) -> None:
    with open(corpus / "notices.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["series"] in SERIES and r["attachments"]]
    print(f"{'stage':42} {'files':>5} {'rows':>6} {'best of 3':>10}")
    for name, spec in SERIES.items():
        files = [(corpus / "mirror" / r["attachments"]).read_bytes() for r in rows if r["series"] == name]
        seconds, docs = _timed(lambda: [spec.parse(f, name) for f in files])
        n = sum(len(d.rows) for d in docs)
        print(f"{'parse ' + name:42} {len(files):5} {n:6} {seconds:9.2f}s")
        import pandas as pd

        frame = pd.DataFrame([{**row, "attachment_url": f"u{i}", "sha256": "0" * 64, "notice_url": None}
                              for i, d in enumerate(docs) for row in d.rows])
        if "page" not in frame:
            frame["page"] = None
        seconds, _ = _timed(lambda: split_valid(frame, spec.model, name, spec.flag_model))
        print(f"{'validate ' + name + ' (pandera)':42} {'':5} {len(frame):6} {seconds:9.2f}s")


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    started, spent = {}, {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            spent[event.step_key] = record.timestamp - started[event.step_key]
    return spent


def bench_runs() -> None:
    with tempfile.TemporaryDirectory(prefix="beian-bench-") as tmp:
        settings = load_settings({"BEIAN_DATA_DIR": tmp, "BEIAN_SOURCE": str(CORPUS_MIRROR)})
        for label in ("cold (empty data folder)", "warm (nothing changed)"):
            started = time.perf_counter()
            instance = dg.DagsterInstance.ephemeral()
            result = execute_refresh(settings, instance, Path(tmp) / "run.log")
            total = time.perf_counter() - started
            steps = step_seconds(instance, result.run_id)
            exports = sum(v for k, v in steps.items() if k.startswith("exports"))
            top = sorted(((k, v) for k, v in steps.items() if not k.startswith("exports")),
                         key=lambda kv: -kv[1])[:6]
            print(f"\nrun {label}: {total:.1f}s wall, success={result.success}")
            for key, seconds in top:
                print(f"  {key:48} {seconds:6.2f}s")
            print(f"  {'exports (all marts)':48} {exports:6.2f}s")


def main() -> None:
    corpus = CORPUS_MIRROR.parent
    bench_parsers(corpus)
    bench_runs()


if __name__ == "__main__":
    main()
