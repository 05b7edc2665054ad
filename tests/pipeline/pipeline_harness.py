"""Run the real pipeline into throwaway data folders (real DuckDB, real dbt, a real Dagster
instance under each data folder), the way `beian run` and `beian update` do. Importable by the
pipeline tests (their conftest is not, under one name, when several test folders run)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.automation.partitions import LISTS
from orchestration.runs import Outcome, _run_record, dagster_instance, full_refresh, update
from orchestration.settings import DBT_PROJECT_DIR, Settings, load_settings

FRESHNESS = "marts/dim_batch:newest_list_is_recent"  # the corpus stops in 2026: stale by design


@dataclass
class PipelineRun:
    settings: Settings
    outcome: Outcome

    @property
    def success(self) -> bool:
        return self.outcome.success

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.settings.warehouse_path), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def failed_checks(self, include_freshness: bool = False) -> dict[str, dict]:
        """asset:check -> metadata of every check that did not pass, in every run."""
        failed = {f"{asset}:{check}": metadata for run in self.outcome.runs
                  for asset, check, _, metadata in run.failed_checks}
        if not include_freshness:
            failed.pop(FRESHNESS, None)
        return failed

    def materialization(self, asset_key: str) -> dict:
        """The metadata of the asset's latest materialisation in this run's instance."""
        event = self.outcome.instance.get_latest_materialization_event(dg.AssetKey.from_user_string(asset_key))
        if event is None:
            raise KeyError(asset_key)
        return {k: getattr(v, "value", v) for k, v in event.asset_materialization.metadata.items()}

    def last_dbt_build(self) -> dict[str, str]:
        """unique id -> status of each node of the newest dbt build in this data folder."""
        folders = sorted(self.settings.dbt_target_dir.glob("dbt_models-*/run_results.json"),
                         key=lambda p: p.stat().st_mtime)
        results = json.loads(folders[-1].read_text(encoding="utf-8"))["results"]
        return {r["unique_id"]: r["status"] for r in results}

    def step_keys(self) -> list[list[str]]:
        """The steps each run of this outcome executed, in order."""
        keys = []
        for run in self.outcome.runs:
            records = self.outcome.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START)
            keys.append([r.dagster_event.step_key for r in records])
        return keys


def settings_for(data_dir: Path, **env: str) -> Settings:
    return load_settings({"BEIAN_DATA_DIR": str(data_dir), "BEIAN_HTTP_MIN_INTERVAL": "0", **env})


def run_refresh(data_dir: Path, **env: str) -> PipelineRun:
    """`beian run` in this process: one look at the source, then the full refresh."""
    settings = settings_for(data_dir, **env)
    return PipelineRun(settings, full_refresh(settings))


def run_update(data_dir: Path, **env: str) -> PipelineRun:
    """`beian update` in this process: only what is new or changed."""
    settings = settings_for(data_dir, **env)
    return PipelineRun(settings, update(settings))


VOLATILE_COLUMNS = {"loaded_at"}  # load timestamps: differ between two runs of the same data
KEY_TESTS = {"unique": "column_name", "unique_combination": "columns"}


@dataclass(frozen=True)
class Mart:
    """A mart under a dbt contract, with the key dbt declares for it."""
    name: str
    key: tuple[str, ...]
    volatile: tuple[str, ...]

    def ordered_rows_sql(self) -> str:
        """Its rows in a stable order, volatile columns left out: what a checksum reads."""
        columns = f"* exclude ({', '.join(self.volatile)})" if self.volatile else "*"
        return f"select {columns} from marts.{self.name} order by {', '.join(self.key)}"


def declared_key(node: dict, tests: list[dict]) -> tuple[str, ...]:
    """The model's primary key (a column or model constraint), else the columns of its unique test."""
    for constraint in node.get("constraints", []):
        if constraint["type"] == "primary_key":
            return tuple(constraint["columns"])
    for name, column in node["columns"].items():
        if any(constraint["type"] == "primary_key" for constraint in column.get("constraints", [])):
            return (name,)
    for test in tests:
        kind = test["test_metadata"]["name"]
        if kind in KEY_TESTS:
            value = test["test_metadata"]["kwargs"][KEY_TESTS[kind]]
            return tuple(value) if isinstance(value, list) else (value,)
    raise AssertionError(f"mart {node['name']} declares no key: give it a primary_key constraint "
                         "or a unique / unique_combination test")


@cache
def contracted_marts(manifest_path: Path = DBT_PROJECT_DIR / "target" / "manifest.json") -> tuple[Mart, ...]:
    """Every model of the marts folder with an enforced contract, keyed as dbt declares it."""
    manifest = json.loads(manifest_path.read_text())
    tests_of: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node"):
            tests_of.setdefault(node["attached_node"], []).append(node)
    marts = [Mart(node["name"], declared_key(node, tests_of.get(unique_id, [])),
                  tuple(sorted(VOLATILE_COLUMNS & set(node["columns"]))))
             for unique_id, node in manifest["nodes"].items()
             if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
             and node["config"]["contract"]["enforced"]]
    return tuple(sorted(marts, key=lambda mart: mart.name))


def fingerprints(query: Callable[[str], list[tuple]]) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every mart's content, read through ``query(sql)``."""
    prints = {}
    for mart in contracted_marts():
        rows = query(mart.ordered_rows_sql())
        prints[mart.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


def mart_fingerprints(run: PipelineRun) -> dict[str, tuple[int, str]]:
    return fingerprints(run.query)


def warehouse_copy(corpus_run: PipelineRun, tmp_path: Path) -> Path:
    """A private copy of the corpus run's build warehouse, for dbt to run on."""
    warehouse = tmp_path / "warehouse.build.duckdb"
    shutil.copyfile(corpus_run.settings.build_warehouse_path, warehouse)
    return warehouse


def run_dbt(warehouse: Path, target: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real `dbt ARGS` on ``warehouse``, its artifacts and logs in ``target`` (``env``: more
    environment variables)."""
    env = {**os.environ, "BEIAN_BUILD_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target),
           "DBT_LOG_PATH": str(target), **env}
    return subprocess.run([str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", "."],
                          cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)


def copy_data_folder(run: PipelineRun, target: Path) -> Path:
    """A finished run's data folder (warehouse, catalogue, run history, dbt state), copied: what
    a cold run would leave there, in a second instead of a run."""
    shutil.copytree(run.settings.data_dir, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def copied_run(run: PipelineRun, target: Path, **env: str) -> PipelineRun:
    """``run`` going on in a copy of its data folder (``env`` may name another source)."""
    copy_data_folder(run, target)
    settings = settings_for(target, **{"BEIAN_SOURCE": run.settings.source, **env})
    return PipelineRun(settings, Outcome(run.outcome.scan, instance=dagster_instance(settings)))


def writable_copy(source: Path, target: Path) -> Path:
    """Copy part of the (read-only) corpus mirror so a test can change it."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


def evaluate_sensor(defs: dg.Definitions, instance: dg.DagsterInstance, name: str,
                    cursor: str | None = None):
    """One evaluation of a sensor, as the daemon makes it (its resources opened and closed)."""
    sensor = defs.resolve_sensor_def(name)
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=dict(defs.resources)) as context:
        return sensor(context)


def tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None):
    """A tick of new_publications, with the partitions it asks for added."""
    result = evaluate_sensor(defs, instance, "new_publications", cursor)
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(LISTS.name, list(request.partition_keys))
    return result


def execute_request(defs: dg.Definitions, instance: dg.DagsterInstance, request: dg.RunRequest):
    job = defs.resolve_job_def(request.job_name)
    result = job.execute_in_process(instance=instance, partition_key=request.partition_key,
                                    asset_selection=request.asset_selection, tags=request.tags,
                                    raise_on_error=False)
    return _run_record(result, request.run_key)
