"""When things run, in one room: partitions, sensors, schedules, automation conditions, freshness."""

import os
import warnings

import dagster as dg


def export_run_env() -> None:
    """Set when the Definitions are built, never at import. A run over many list partitions
    then plans one event per asset, not one per partition (Dagster's SQLite event log writes
    each event on its own: thousands of them cost minutes)."""
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")


# single-run backfills and pools are beta/preview in dagster 1.13:
# chosen deliberately, so their notices would only bury the run's own messages
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
