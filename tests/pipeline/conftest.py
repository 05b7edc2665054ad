"""Materialise the real pipeline into throwaway data folders (real DuckDB, real dbt)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.settings import DBT_PROJECT_DIR, PROJECT_ROOT, Settings, load_settings

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """Parse the dbt project once per session, as `make` does before anything imports it."""
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": "parse-only.duckdb"}
    subprocess.run([str(BIN / "dbt"), "parse", "--profiles-dir", ".", "--quiet"],
                   cwd=DBT_PROJECT_DIR, env=env, check=True)
    return DBT_PROJECT_DIR / "target" / "manifest.json"


@dataclass
class PipelineRun:
    settings: Settings
    result: dg.ExecuteInProcessResult

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def failed_checks(self) -> dict[str, dict]:
        failed = {}
        for event in self.result.all_events:
            if event.event_type_value == "ASSET_CHECK_EVALUATION":
                data = event.event_specific_data
                if not data.passed:
                    failed[f"{data.asset_key.to_user_string()}:{data.check_name}"] = data.metadata
        return failed

    def output_metadata(self, asset_key: str) -> dict:
        for event in self.result.all_events:
            if event.event_type_value == "ASSET_MATERIALIZATION":
                materialization = event.event_specific_data.materialization
                if materialization.asset_key.to_user_string() == asset_key:
                    return materialization.metadata
        raise KeyError(asset_key)


def run_refresh(data_dir: Path, **env: str) -> PipelineRun:
    from orchestration.cli import execute_refresh

    settings = load_settings({"BEIAN_DATA_DIR": str(data_dir), "BEIAN_HTTP_MIN_INTERVAL": "0", **env})
    result = execute_refresh(settings, dg.DagsterInstance.ephemeral(), data_dir / "logs" / "run.log")
    return PipelineRun(settings, result)


MART_ORDER = {  # a stable order for checksums; volatile load timestamps left out
    "dim_batch": "list_id", "dim_period": "period_month", "dim_province": "province_code",
    "fct_filings": "filing_row_id", "fct_filings_by_series_batch_period": "series, list_id",
    "fct_registrations": "registration_row_id",
    "fct_registrations_by_tier_batch_period": "tier, list_id, registered_month",
    "fct_registrations_all_series": "row_id",
    "fct_counts_by_series_tier_batch_period": "series, tier, list_id",
    "reconciliation": "reconciliation_id", "reconciliation_findings": "finding_key",
}


def mart_fingerprints(run: PipelineRun) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every mart's content."""
    fingerprints = {}
    for mart, order in MART_ORDER.items():
        rows = run.query(f"select * exclude (loaded_at) from marts.{mart} order by {order}"
                         if mart == "dim_batch" else f"select * from marts.{mart} order by {order}")
        fingerprints[mart] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return fingerprints


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory, corpus_dir) -> PipelineRun:
    """The whole pipeline over the corpus mirror, once per test session."""
    run = run_refresh(tmp_path_factory.mktemp("corpus_run"),
                      BEIAN_SOURCE=str(corpus_dir / "mirror"))
    assert run.result.success, f"pipeline failed; see {run.settings.data_dir / 'logs' / 'run.log'}"
    return run


def writable_copy(source: Path, target: Path) -> Path:
    """Copy part of the (read-only) corpus mirror so a test can change it."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


@pytest.fixture(scope="session")
def mirror_root(corpus_dir) -> Path:
    return corpus_dir / "mirror"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT
