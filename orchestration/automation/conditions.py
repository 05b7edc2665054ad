"""Declarative automation and freshness, applied in one place.

- dbt models, the reference tables and everything published rebuild when their inputs change,
  and not otherwise: ``eager``, without its wait for missing upstream partitions (each list is
  a partition of every raw table, but only its own series' table ever gets it).
- The list partitions are not automated: the new_publications sensor requests exactly the new
  ones, and the daily schedule refreshes them all.
- The published warehouse warns when it has not been refreshed for 2 days, and fails at 7.
"""


from datetime import timedelta

import dagster as dg

from ..vocabulary import (
    DBT_LAYERS, DBT_REFERENCE_LAYER, GROUP_PUBLISH, PUBLISHED_WAREHOUSE, RAW_DISTRICTS, RAW_PROVINCES,
    dbt_group,
)

EAGER = dg.AutomationCondition.eager().without(~dg.AutomationCondition.any_deps_missing())
AUTOMATED_GROUPS = (*(dbt_group(layer) for layer in (*DBT_LAYERS, DBT_REFERENCE_LAYER)), GROUP_PUBLISH)
PUBLISHED_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=7),
                                                     warn_window=timedelta(days=2))


def automated(selection: dg.AssetSelection) -> dg.AssetSelection:
    return selection & (dg.AssetSelection.groups(*AUTOMATED_GROUPS)
                        | dg.AssetSelection.keys(dg.AssetKey(RAW_PROVINCES), dg.AssetKey(RAW_DISTRICTS)))


def with_policies(spec: dg.AssetSpec) -> dg.AssetSpec:
    """One asset's automation condition and freshness policy."""
    spec = spec.replace_attributes(automation_condition=EAGER)
    if spec.key == dg.AssetKey(PUBLISHED_WAREHOUSE):
        spec = spec.replace_attributes(freshness_policy=PUBLISHED_FRESHNESS)
    return spec


def apply_automation(defs: dg.Definitions) -> dg.Definitions:
    return defs.map_resolved_asset_specs(func=with_policies, selection=automated(dg.AssetSelection.all()))


# The daemon evaluates the conditions; on by default, so `make dev` keeps the marts current.
automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation", target=dg.AssetSelection.all(), default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30, emit_backfills=False,
    run_tags={"beian/trigger": "automation"},
    description="Rebuilds the marts, exports and the published warehouse when the raw tables "
                "they read change (eager), and nothing otherwise.")
