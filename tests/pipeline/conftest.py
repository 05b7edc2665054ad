"""Fixtures of the pipeline tests: the corpus run, shared by the session (the helpers live in
pipeline_harness.py)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline_harness import PipelineRun, copy_data_folder, run_refresh  # noqa: E402


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory, corpus_dir) -> PipelineRun:
    """The whole pipeline over the corpus mirror, once per test session."""
    run = run_refresh(tmp_path_factory.mktemp("corpus_run"), BEIAN_SOURCE=str(corpus_dir / "mirror"))
    assert run.success, f"pipeline failed: {run.outcome.runs}; logs in {run.settings.logs_dir}"
    return run


@pytest.fixture
def corpus_data(corpus_run, tmp_path) -> Path:
    """A private copy of the corpus run's data folder, for a test that runs on from it or
    changes it: the state of `beian run` on the corpus without a cold run of its own."""
    return copy_data_folder(corpus_run, tmp_path / "data")


@pytest.fixture(scope="session")
def mirror_root(corpus_dir) -> Path:
    return corpus_dir / "mirror"


@pytest.fixture(scope="session")
def report_warehouse(corpus_run, tmp_path_factory) -> Path:
    """A private copy of the corpus run's published warehouse, for tests that change it."""
    copy = tmp_path_factory.mktemp("report_warehouse") / "warehouse.duckdb"
    shutil.copyfile(corpus_run.settings.warehouse_path, copy)
    return copy
