"""The project's words, each named once: series, raw tables, asset keys, asset groups and the
metadata keys of failed checks. The ground floor: it imports nothing from the project (nor
Dagster), so parsers, schemas, assets, the CLI and the tests can all import from here.

A new series needs its name here (``SERIES_…``); everything else about it (parser, pandera
model, raw table, label, colour) is declared with its ``SeriesSpec`` in ``series.py``.
"""

from __future__ import annotations

# ------------------------------------------------------------------------------ series
# What classify_series (parsers/notice_pages.py) calls a notice; the list series have a
# SeriesSpec in series.py, the statistics notices are read from the notice pages themselves.
SERIES_DEEP_SYNTHESIS = "deep_synthesis"
SERIES_ALGORITHM_RECOMMENDATION = "algorithm_recommendation"
SERIES_GENAI = "genai"
SERIES_GENAI_STATISTICS = "genai_statistics"
SERIES_CANCELLATION = "cancellation"

# ------------------------------------------------------------------------------ tables
RAW_SCHEMA = "raw"  # what the pipeline loads; dbt reads it as its sources
MARTS_SCHEMA = "marts"  # what dbt builds for readers
LISTS_TABLE = "lists"  # one row per list: where it came from, and how its load went
QUARANTINE_TABLE = "quarantine"  # rows pandera refused, with the reasons
SKIPPED_ROWS_TABLE = "skipped_rows"  # non-data rows (inner headers), kept for the record
STATISTICS_TABLE = SERIES_GENAI_STATISTICS  # the figures the statistics notices state
PROVINCES_TABLE = "provinces"
DISTRICTS_TABLE = "districts"

# ------------------------------------------------------------------------------ asset keys
# As key paths, so that this module needs no Dagster: dg.AssetKey(path) makes the key.
NOTICE_PAGES = ("notice_pages",)
LIST_FILES = ("list_files",)
LIST_ROWS = ("list_rows",)
LIST_LOAD = ("list_load",)
RAW_LISTS = (RAW_SCHEMA, LISTS_TABLE)
RAW_QUARANTINE = (RAW_SCHEMA, QUARANTINE_TABLE)
RAW_SKIPPED_ROWS = (RAW_SCHEMA, SKIPPED_ROWS_TABLE)
RAW_STATISTICS = (RAW_SCHEMA, STATISTICS_TABLE)
RAW_PROVINCES = (RAW_SCHEMA, PROVINCES_TABLE)
RAW_DISTRICTS = (RAW_SCHEMA, DISTRICTS_TABLE)
PUBLISHED_WAREHOUSE = ("published_warehouse",)
BI_EXPORTS = ("bi", "exports")
BI_DBT_DOCS = ("bi", "dbt_docs")
BI_REPORT = ("bi", "report")
BI_WAREHOUSE_V1 = ("bi", "warehouse_v1")
BI_DATASETTE = ("bi", "datasette")


def raw_table_key(table: str) -> tuple[str, str]:
    """The asset key path of a raw table, e.g. a series' own (SeriesSpec.raw_table)."""
    return (RAW_SCHEMA, table)


# ------------------------------------------------------------------------------ asset groups
GROUP_INGEST = "ingest"
GROUP_VALIDATE = "validate"
GROUP_WAREHOUSE = "warehouse"
GROUP_PUBLISH = "publish"
DBT_LAYERS = ("staging", "intermediate", "marts")  # dbt_project/models/<layer>
DBT_REFERENCE_LAYER = "reference"  # the seeds


def dbt_group(layer: str) -> str:
    return f"dbt_{layer}"


# ------------------------------------------------------------------------------ check metadata
# Written by the asset checks, read back by the CLI's summary (cli.py) of a run's failed checks.
FAILED_LISTS = "failed"  # {list key: error}: lists that failed to fetch or to load
UNREADABLE_LISTS = "unreadable"  # {list key: error}: lists the parser could not read
LIST_FAILURE_KEYS = (FAILED_LISTS, UNREADABLE_LISTS)
PAGE_ERRORS = "errors"
UNBALANCED_LISTS = "unbalanced"
FAILED_OR_UNBALANCED = "failed_or_unbalanced"
RAW_TABLE_PROBLEMS = "problems"
STALE_BATCHES = "stale"
UNREVIEWED_FINDINGS = "unreviewed_findings"
UNEXPLAINED_FIGURES = "unexplained_figures"
ROWS_FAILING_BY_CHECK = "rows_failing_by_check"
EXTRA_COLUMNS = "extra_columns"
# the detail the CLI prints for a failed check: the first of these its metadata has
CHECK_DETAIL_KEYS = (PAGE_ERRORS, UNBALANCED_LISTS, STALE_BATCHES, FAILED_OR_UNBALANCED,
                     RAW_TABLE_PROBLEMS, UNREVIEWED_FINDINGS, UNEXPLAINED_FIGURES,
                     ROWS_FAILING_BY_CHECK, EXTRA_COLUMNS)
