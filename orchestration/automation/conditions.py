"""The named automation conditions and the freshness policy, declared on the assets they
govern (assets/warehouse.py, assets/publish.py, and the dbt translator in dbt.py).

- dbt models, the reference tables and everything published rebuild when their inputs change,
  and not otherwise: ``REBUILD_ON_CHANGE``, eager without its wait for missing upstream
  partitions (each list is a partition of every raw table, but only its own series' table
  ever gets it).
- The list partitions are not automated: the new_publications sensor requests exactly the new
  ones, and the daily schedule refreshes them all.
- The published warehouse warns when it has not been refreshed for 2 days, and fails at 7:
  ``PUBLISHED_FRESHNESS``.
"""


from datetime import timedelta

import dagster as dg

REBUILD_ON_CHANGE = dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing())
PUBLISHED_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=7),
                                                     warn_window=timedelta(days=2))


# The daemon evaluates the conditions; on by default, so `make dev` keeps the marts current.
automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation", target=dg.AssetSelection.all(), default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30, emit_backfills=False,
    run_tags={"beian/trigger": "automation"},
    description="Rebuilds the marts, exports and the published warehouse when the raw tables "
                "they read change (eager), and nothing otherwise.")
