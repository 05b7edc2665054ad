"""The event log that keeps its SQLite connections open (orchestration/event_storage.py) is
Dagster's own on disk: what beian's runs write, the stock storage of `make dev` reads, and the
other way round, while both are open; it holds a bounded number of files open."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from orchestration.event_storage import OPEN_SHARDS, PooledSqliteEventLogStorage
from orchestration.runs import dagster_instance
from orchestration.settings import load_settings


@dg.asset
def counted(context) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"run": context.run_id})


def materialise(instance: dg.DagsterInstance) -> str:
    result = dg.materialize([counted], instance=instance)
    assert result.success
    return result.run_id


def latest_run_of_counted(instance: dg.DagsterInstance) -> str:
    event = instance.get_latest_materialization_event(counted.key)
    return event.asset_materialization.metadata["run"].value


@pytest.fixture()
def pooled(tmp_path) -> dg.DagsterInstance:
    instance = dagster_instance(load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data")}))
    yield instance
    instance.dispose()


def stock_instance(pooled: dg.DagsterInstance) -> dg.DagsterInstance:
    """The same Dagster home as `make dev` opens it: dagster.yaml alone, Dagster's classes."""
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(pooled.root_directory))


def test_beian_instances_keep_their_event_log_open(pooled):
    assert type(pooled.event_log_storage) is PooledSqliteEventLogStorage
    assert type(stock_instance(pooled).event_log_storage) is not PooledSqliteEventLogStorage


def test_a_home_that_chooses_its_own_storage_keeps_it(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dagster_instance(load_settings({"BEIAN_DATA_DIR": str(tmp_path / "data")}))
    assert type(instance.event_log_storage) is not PooledSqliteEventLogStorage
    materialise(instance)
    assert list((tmp_path / "elsewhere").glob("**/*.db"))  # where that home said


def test_both_storages_read_what_the_other_wrote_while_both_are_open(pooled):
    stock = stock_instance(pooled)
    first = materialise(pooled)
    assert latest_run_of_counted(stock) == first
    assert stock.all_logs(first)[-1].dagster_event_type == dg.DagsterEventType.RUN_SUCCESS
    second = materialise(stock)  # while the pooled storage holds its files open
    assert latest_run_of_counted(pooled) == second
    third = materialise(pooled)
    assert latest_run_of_counted(stock) == third
    assert {r.run_id for r in stock.get_runs()} == {first, second, third}


def test_it_holds_a_bounded_number_of_databases_open_and_lets_go_on_wipe(pooled):
    runs = [materialise(pooled) for _ in range(OPEN_SHARDS + 2)]
    storage = pooled.event_log_storage
    assert len(storage._engines) == OPEN_SHARDS
    assert runs[0] not in storage._engines and runs[-1] in storage._engines
    assert len(pooled.all_logs(runs[0])) == len(pooled.all_logs(runs[-1]))  # an evicted run reopens
    storage.wipe()
    assert list(storage._engines) == ["index"]  # the run files it deleted are held by no engine
    assert pooled.all_logs(runs[-1]) == []
    after = materialise(pooled)
    assert latest_run_of_counted(stock_instance(pooled)) == after
