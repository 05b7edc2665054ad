"""`make bench`, part datasette: the SQLite export's time, and look-ups against `beian serve`.

200 look-ups arrive at an even rate over 10 s, each sent without waiting for the others (an
open loop: a slow answer does not slow the arrivals), against Datasette serving the export
(immutable, the project's settings) on this machine; the client shares its cores. Then the same
200 at once, a burst, for the worst case. The look-ups mix every kind `lookup` takes: printed
网信算备 numbers, 备案号/上线编号, names of two characters and longer.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

LOOKUPS = 200
SECONDS = 10.0
TARGET_P95_MS = 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_queries(db: Path, n: int, seed: int = 1) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        printed = [r[0] for r in con.execute("select number_printed from registry where tier = 'algorithm_filing'")]
        registrations = [r[0] for r in con.execute("select number from registry where series = 'genai'")]
        names = [r[0] for r in con.execute("select name from registry where name is not null")]
        filers = [r[0] for r in con.execute("select filer from registry where filer is not null")]
    rng = random.Random(seed)
    kinds = [lambda: rng.choice(printed),
             lambda: " ".join(rng.choice(printed)[i:i + 7] for i in range(0, 30, 7)),  # spaced out
             lambda: rng.choice(registrations),
             lambda: rng.choice(names)[:2],  # two characters: the scan, not the index
             lambda: rng.choice(names)[:6],
             lambda: rng.choice(filers)]
    return [rng.choice(kinds)() for _ in range(n)]


async def _lookups(url: str, queries: list[str], spread_s: float) -> list[float]:
    import httpx

    limits = httpx.Limits(max_connections=len(queries), max_keepalive_connections=len(queries))
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        async def one(i: int, query: str) -> float:
            await asyncio.sleep(spread_s * i / len(queries))
            started = time.perf_counter()
            response = await client.get("/beian/lookup.json", params={"q": query, "_shape": "objects"})
            response.raise_for_status()
            if response.json().get("ok") is False:
                raise RuntimeError(f"lookup {query!r} failed: {response.json().get('error')}")
            return (time.perf_counter() - started) * 1000
        return list(await asyncio.gather(*(one(i, q) for i, q in enumerate(queries))))


def percentiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94]


def bench_datasette(report, warehouse: Path) -> None:
    """Export ``warehouse`` (the corpus part's; alone, with --only, the data folder's) and time
    look-ups against `datasette serve`."""
    from ..publish.datasette import DB_FILE, export_datasette
    from ..publish.datasette_site import serve_command
    from ..settings import load_settings

    if not warehouse.exists():
        warehouse = load_settings().warehouse_path
    if not warehouse.exists():
        print(f"datasette: no published warehouse at {warehouse} (make run first); skipped")
        return
    print(f"datasette: export and {LOOKUPS} look-ups over {SECONDS:.0f} s ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="beian-datasette-") as tmp:
        folder = Path(tmp) / "datasette"
        started = time.perf_counter()
        export = export_datasette(warehouse, folder)
        export_s = time.perf_counter() - started
        report.add("Datasette export (SQLite, FTS5 trigram, metadata)",
                   f"{export_s:.1f} s, {sum(export.rows_by_table.values()):,} rows, {export.bytes / 1e6:.0f} MB")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(serve_command(folder, port=port), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            _wait_until_up(url, process)
            queries = sample_queries(folder / DB_FILE, LOOKUPS)
            asyncio.run(_lookups(url, queries[:20], 0))  # warm: the first page loads the templates
            p50, p95 = percentiles(asyncio.run(_lookups(url, queries, SECONDS)))
            report.add(f"Datasette: {LOOKUPS} look-ups over {SECONDS:.0f} s, p50 / p95",
                       f"{p50:.0f} ms / {p95:.0f} ms", f"p95 <= {TARGET_P95_MS} ms", p95 <= TARGET_P95_MS)
            b50, b95 = percentiles(asyncio.run(_lookups(url, queries, 0)))
            report.add(f"Datasette: {LOOKUPS} look-ups at once (burst), p50 / p95", f"{b50:.0f} ms / {b95:.0f} ms")
        finally:
            process.terminate()
            process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/-/versions.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"datasette did not come up on {url}")
