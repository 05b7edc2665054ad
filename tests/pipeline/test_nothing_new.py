"""Nothing new means nothing runs: on a data folder `beian run` has just built, the sensor's
first tick (no cursor yet) requests no run, and declarative automation requests no build,
neither on its first evaluation nor after a look at the source that found nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from pipeline_harness import evaluate_sensor, settings_for
from orchestration.definitions import build_definitions
from orchestration.runs import dagster_instance


def first_tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None = None):
    return evaluate_sensor(defs, instance, "new_publications", cursor)


def test_nothing_new_on_a_built_warehouse_launches_nothing(corpus_data, mirror_root):
    settings = settings_for(corpus_data, BEIAN_SOURCE=str(mirror_root))
    defs, instance = build_definitions(settings), dagster_instance(settings)
    runs_before = len(instance.get_run_records())

    automation = dg.evaluate_automation_conditions(defs=defs, instance=instance)  # the daemon's first tick
    assert automation.total_requested == 0, [r.key for r in automation.results if r.true_subset.size]

    tick = first_tick(defs, instance)
    assert list(tick.run_requests or []) == [], tick.run_requests
    assert tick.cursor  # the next tick compares with this one
    again = first_tick(defs, instance, tick.cursor)
    assert list(again.run_requests or []) == []

    automation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=automation.cursor)
    assert automation.total_requested == 0, [r.key for r in automation.results if r.true_subset.size]
    assert len(instance.get_run_records()) == runs_before


def test_importing_the_definitions_builds_nothing_and_sets_no_environment_variable(project_root):
    code = ("import os, sys; before = dict(os.environ); import orchestration.definitions as d; "
            "assert dict(os.environ) == before, set(os.environ) ^ set(before); "
            "assert 'orchestration.dbt' not in sys.modules and 'dagster_dbt' not in sys.modules; "
            "assert callable(d.defs)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEIAN_", "DBT_", "DAGSTER_"))}
    done = subprocess.run([sys.executable, "-c", code], cwd=project_root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
