"""The list partitions follow the list catalogue."""

import dagster as dg

from orchestration.automation.partitions import LISTS, drop_unknown_lists, register_lists


def test_partitions_the_catalogue_does_not_hold_are_dropped_and_new_ones_added():
    instance = dg.DagsterInstance.ephemeral()
    assert register_lists(instance, ["deep_synthesis/2026-01", "genai/2026-04"]) == [
        "deep_synthesis/2026-01", "genai/2026-04"]
    assert register_lists(instance, ["genai/2026-04", "cancellation/2025-09"]) == ["cancellation/2025-09"]
    # a data folder whose catalogue was replaced: it holds two of the three lists
    assert drop_unknown_lists(instance, {"genai/2026-04", "cancellation/2025-09"}) == ["deep_synthesis/2026-01"]
    assert instance.get_dynamic_partitions(LISTS.name) == ["genai/2026-04", "cancellation/2025-09"]
    assert drop_unknown_lists(instance, {"genai/2026-04", "cancellation/2025-09"}) == []
