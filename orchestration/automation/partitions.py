"""One partition per list: ``deep_synthesis/2026-01``, ``genai/2026-04``,
``cancellation/2025-09`` (series and list label; see catalog.partition_key)."""


import dagster as dg

LISTS = dg.DynamicPartitionsDefinition(name="lists")

# The run tag that names the scan a run was started from: its fetches are trusted, not repeated.
SCAN_TAG = "beian/scan_id"


def drop_unknown_lists(instance: dg.DagsterInstance, catalogued: set[str]) -> list[str]:
    """Remove the partitions of lists the catalogue does not hold (a data folder whose
    catalogue was deleted or replaced): no run can load them, and a run over every
    partition would fail on each. Their past runs stay in the event log."""
    stale = [k for k in instance.get_dynamic_partitions(LISTS.name) if k not in catalogued]
    for key in stale:
        instance.delete_dynamic_partition(LISTS.name, key)
    return stale


def unknown_lists(instance: dg.DagsterInstance, keys: list[str]) -> list[str]:
    """The keys that are no partition yet, in order, once each."""
    known = set(instance.get_dynamic_partitions(LISTS.name))
    return [k for k in dict.fromkeys(keys) if k not in known]


def register_lists(instance: dg.DagsterInstance, keys: list[str]) -> list[str]:
    """Add the partitions not known yet, in order; returns those added."""
    new = unknown_lists(instance, keys)
    if new:
        instance.add_dynamic_partitions(LISTS.name, new)
    return new


def range_tags(keys: list[str]) -> dict[str, str]:
    """Tags that make one run cover the partitions from the first to the last of ``keys``."""
    return {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
