"""Fixtures of the pipeline tests: the corpus run, shared by the session (the helpers live in
pipeline_harness.py)."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ for shared_runs
from shared_runs import built_once  # noqa: E402
from pipeline_harness import PipelineRun, copy_data_folder, run_refresh, settings_for  # noqa: E402
from orchestration.runs import dagster_instance  # noqa: E402


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory, corpus_dir) -> PipelineRun:
    """The whole pipeline over the corpus mirror, once per test session (for every worker)."""
    env = {"BEIAN_SOURCE": str(corpus_dir / "mirror")}
    outcome_file = "outcome.pickle"  # beside the data folder: what the run returned

    def build(folder: Path) -> PipelineRun:
        run = run_refresh(folder / "data", **env)
        assert run.success, f"pipeline failed: {run.outcome.runs}; logs in {run.settings.logs_dir}"
        (folder / outcome_file).write_bytes(pickle.dumps(dataclasses.replace(run.outcome, instance=None)))
        return run

    def load(folder: Path) -> PipelineRun:
        settings = settings_for(folder / "data", **env)
        outcome = pickle.loads((folder / outcome_file).read_bytes())
        return PipelineRun(settings, dataclasses.replace(outcome, instance=dagster_instance(settings)))

    return built_once(tmp_path_factory, "corpus_run", build, load)


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
