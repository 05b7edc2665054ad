"""Shared fixtures: where the reference corpus lives, the dbt manifest, Dagster homes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR

BIN = Path(sys.executable).parent

CORPUS = Path(os.environ.get("BEIAN_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus directory; a missing corpus is a failure, never a skip."""
    if not (CORPUS / "notices.csv").is_file():
        pytest.fail(f"reference corpus not found at {CORPUS} (set BEIAN_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """Parse the dbt project once per session, as `make` does before anything imports it."""
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": "parse-only.duckdb"}
    env.pop("DBT_TARGET_PATH", None)
    subprocess.run([str(BIN / "dbt"), "parse", "--profiles-dir", ".", "--quiet"],
                   cwd=DBT_PROJECT_DIR, env=env, check=True)
    return DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="session", autouse=True)
def own_dagster_homes():
    """Each data folder keeps its own Dagster home: never one shared through DAGSTER_HOME."""
    saved = os.environ.pop("DAGSTER_HOME", None)
    yield
    if saved is not None:
        os.environ["DAGSTER_HOME"] = saved
