"""python -m orchestration.bench.synthetic OUT_DIR --rows 20000 --lists 40 --seed 1"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .mirror import generate_mirror


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.bench.synthetic",
                                     description="Write a synthetic CAC mirror for scale benchmarks.")
    parser.add_argument("out_dir", type=Path, help="an empty or absent directory")
    parser.add_argument("--rows", type=int, default=20_000, help="data rows over all lists")
    parser.add_argument("--lists", type=int, default=40, help="lists over the three series")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        corpus = generate_mirror(args.out_dir, rows=args.rows, lists=args.lists, seed=args.seed)
    except (ValueError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"{'series':26} {'lists':>5} {'extracted':>10} {'accepted':>10} {'quarantined':>11}")
    for series, t in corpus.totals.items():
        print(f"{series:26} {t['lists']:5} {t['rows_extracted']:10} {t['rows_accepted']:10} "
              f"{t['rows_quarantined']:11}")
    print(f"\n{args.rows} rows in {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s) -> {corpus.root}")
    print(f"entry pages: BEIAN_SOURCE={corpus.root} BEIAN_ENTRY_PAGES={','.join(corpus.entry_pages)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
