"""Stage many lists at once: chunks of one series, each parsed, validated and written to the
staged store, in worker processes when the run is large enough to pay for starting them.

A chunk is the unit: its lists share one pandera pass (whose cost is mostly per call) and
its memory is bounded: a chunk's bytes are read from the raw store when it is staged, in the
process that stages it. Workers are spawned, not forked: the Dagster run process has threads.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .limits import Limits
from .series import SERIES, ListInput, stage_lists
from .staged import StagedStore, StagedSummary

LISTS_PER_CHUNK = 32
POOL_MIN_BYTES = 8 * 2**20  # below this, starting workers (~2 s each) costs more than it saves


@dataclass(frozen=True)
class PendingList:
    """A list to stage, its bytes still in the raw store at ``path``."""
    key: str
    attachment_url: str
    notice_url: str | None
    sha256: str
    path: Path
    size: int
    name: str

    def read(self) -> ListInput:
        return ListInput(self.key, self.attachment_url, self.notice_url, self.sha256,
                         self.path.read_bytes(), self.name)


@dataclass(frozen=True)
class Chunk:
    series: str
    items: tuple[PendingList, ...]


def plan_chunks(items_by_series: dict[str, list[PendingList]], size: int = LISTS_PER_CHUNK) -> list[Chunk]:
    return [Chunk(series, tuple(items[start:start + size]))
            for series, items in items_by_series.items() for start in range(0, len(items), size)]


def worker_count(chunks: list[Chunk], configured: int = 0) -> int:
    """1 (no pool) for small runs, else ``configured`` or one per core, at most one per chunk."""
    if len(chunks) < 2 or sum(i.size for c in chunks for i in c.items) < POOL_MIN_BYTES:
        return 1
    return max(1, min(configured or os.cpu_count() or 1, len(chunks)))


def stage_chunk(chunk: Chunk, limits: Limits | None, staged_root: Path) -> list[StagedSummary]:
    """Parse, validate and write one chunk; its summaries (a worker returns only these)."""
    store, summaries = StagedStore(staged_root), []
    for summary, frames in stage_lists(SERIES[chunk.series], [item.read() for item in chunk.items], limits):
        store.write(summary, frames)
        summaries.append(summary)
    return summaries


def stage_all(chunks: list[Chunk], limits: Limits | None, staged_root: Path,
              workers: int = 1) -> Iterator[StagedSummary]:
    """Every chunk's summaries, in chunk order."""
    if workers <= 1:
        for chunk in chunks:
            yield from stage_chunk(chunk, limits, staged_root)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for summaries in pool.map(stage_chunk, chunks, [limits] * len(chunks), [staged_root] * len(chunks)):
            yield from summaries
