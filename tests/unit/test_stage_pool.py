"""Staging in worker processes gives what staging in one process gives, on the real lists."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

from orchestration.parsers.notice_pages import classify_series
from orchestration.series import parse_version
from orchestration.stage_pool import POOL_MIN_BYTES, Chunk, PendingList, plan_chunks, stage_all, worker_count
from orchestration.staged import PARTS, StagedStore


@pytest.fixture(scope="module")
def corpus_lists(corpus_dir: Path) -> dict[str, list[PendingList]]:
    by_series: dict[str, list[PendingList]] = {}
    for path in sorted(corpus_dir.rglob("*.docx")):
        series = classify_series(path.name)
        if series in ("deep_synthesis", "algorithm_recommendation"):
            content = path.read_bytes()
            by_series.setdefault(series, []).append(PendingList(
                path.name, f"https://www.cac.gov.cn/files/{path.name}", None,
                hashlib.sha256(content).hexdigest(), path, len(content), path.name))
    return by_series


def test_chunks_keep_one_series_and_every_list(corpus_lists) -> None:
    chunks = plan_chunks(corpus_lists, size=4)
    assert all(len(c.items) <= 4 and {classify_series(i.name) for i in c.items} == {c.series} for c in chunks)
    assert sorted(i.key for c in chunks for i in c.items) == sorted(i.key for v in corpus_lists.values() for i in v)


def test_small_runs_stay_in_process(corpus_lists) -> None:
    chunks = plan_chunks(corpus_lists, size=4)
    assert sum(i.size for c in chunks for i in c.items) < POOL_MIN_BYTES
    assert worker_count(chunks, 4) == 1
    big = [Chunk(c.series, tuple(i.__class__(**{**i.__dict__, "size": i.size * 40}) for i in c.items))
           for c in chunks]
    assert worker_count(big, 2) == 2 and worker_count(big[:1], 2) == 1


def test_workers_stage_exactly_what_one_process_stages(corpus_lists, tmp_path: Path) -> None:
    chunks = plan_chunks(corpus_lists, size=8)
    one = {s.key: s for s in stage_all(chunks, None, tmp_path / "one", workers=1)}
    two = {s.key: s for s in stage_all(chunks, None, tmp_path / "two", workers=2)}
    assert one.keys() == two.keys() == {i.key for c in chunks for i in c.items}
    assert sum(s.rows_accepted for s in one.values()) > 5000
    version = parse_version()
    for key, summary in one.items():
        assert asdict(summary) == asdict(two[key])
        for part in PARTS:
            left = StagedStore(tmp_path / "one").part(summary.sha256, version, part)
            right = StagedStore(tmp_path / "two").part(summary.sha256, version, part)
            assert (left is None) == (right is None)
            if left is not None:
                pd.testing.assert_frame_equal(pd.read_parquet(left), pd.read_parquet(right))
