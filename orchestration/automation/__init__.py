"""When things run, in one room: partitions, sensors, schedules, automation conditions, freshness."""

import warnings

import dagster as dg

# single-run backfills, pools and map_resolved_asset_specs are beta/preview in dagster 1.13:
# chosen deliberately, so their notices would only bury the run's own messages
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
