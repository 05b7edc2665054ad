"""The warehouse load: each list in its own transaction, replacing any earlier load."""


import dataclasses

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from ..parsers.provinces import ALL_LOCALITIES
from ..series import SERIES
from ..warehouse import (
    RAW_SCHEMA, already_loaded, ensure_raw_schema, load_list, record_list_error, replace_table,
)

GROUP = "warehouse"
LISTS_KEY = dg.AssetKey([RAW_SCHEMA, "lists"])
QUARANTINE_KEY = dg.AssetKey([RAW_SCHEMA, "quarantine"])
PROVINCES_KEY = dg.AssetKey([RAW_SCHEMA, "provinces"])
SKIPPED_KEY = dg.AssetKey([RAW_SCHEMA, "skipped_rows"])
STATISTICS_KEY = dg.AssetKey([RAW_SCHEMA, "genai_statistics"])


def _series_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, SERIES[name].raw_table])


UPSTREAM = [*(f"validated_{name}" for name in SERIES), "genai_statistics"]


def _spec(key: dg.AssetKey, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(key, group_name=GROUP, kinds={"duckdb"}, description=description,
                        deps=UPSTREAM)


LOAD_SPECS = [
    _spec(LISTS_KEY, "One row per list (attachment): series, batch, label, hash, row counts, errors."),
    _spec(QUARANTINE_KEY, "Rows that failed validation, with the failed checks, the reason and "
                          "their provenance; nothing is dropped."),
    _spec(PROVINCES_KEY, "The province table (GB/T 2260 codes, names, pinyin prefixes)."),
    _spec(SKIPPED_KEY, "Rows of a list that are not data, kept with provenance: the second "
                       "header row inside a gen-AI table."),
    _spec(STATISTICS_KEY, "Figures stated by the gen-AI statistics notices: as-of date, "
                          "cumulative and new counts per tier."),
    *[_spec(_series_key(name), f"Accepted {name} rows, one per row of a list.") for name in SERIES],
]


def load_validated(con, validated: dict[str, dict]) -> pd.DataFrame:
    """Load every list of every series; returns one row per list with its outcome."""
    ensure_raw_schema(con)
    outcomes = []
    for name, payload in validated.items():
        spec, parsed, outcome = SERIES[name], payload["parsed"], payload["outcome"]
        for list_row in parsed.lists.to_dict("records"):
            url = list_row["attachment_url"]
            if already_loaded(con, url, list_row["sha256"], list_row["parser_version"]):
                outcomes.append({"series": name, "attachment_url": url, "outcome": "unchanged"})
                continue
            accepted = outcome.accepted[outcome.accepted.attachment_url == url] \
                if len(outcome.accepted) else outcome.accepted
            quarantined = outcome.quarantined[outcome.quarantined.attachment_url == url] \
                if len(outcome.quarantined) else outcome.quarantined
            skipped = parsed.skipped_rows[parsed.skipped_rows.attachment_url == url] \
                if len(parsed.skipped_rows) else None
            result = load_list(con, spec.raw_table, list_row, accepted, quarantined, skipped)
            outcomes.append({"series": name, **dataclasses.asdict(result)})
        for url, error in parsed.errors.items():
            record_list_error(con, {"attachment_url": url, "series": name}, error)
            outcomes.append({"series": name, "attachment_url": url, "outcome": "failed",
                             "error": error})
    replace_table(con, "provinces", pd.DataFrame([dataclasses.asdict(p) for p in ALL_LOCALITIES]))
    return pd.DataFrame(outcomes)


RECONCILE_SQL = " union all ".join(
    f"select attachment_url, count(*) as n from {RAW_SCHEMA}.{spec.raw_table} group by 1"
    for spec in SERIES.values()
)


def unbalanced_lists(con) -> pd.DataFrame:
    """Lists whose stored rows + quarantined rows differ from the rows extracted."""
    return con.execute(f"""
        with stored as ({RECONCILE_SQL}),
        quarantined as (select attachment_url, count(*) as n from {RAW_SCHEMA}.quarantine group by 1)
        select l.series, l.list_label, l.attachment_url, l.rows_extracted,
               coalesce(s.n, 0) as rows_stored, coalesce(q.n, 0) as rows_quarantined, l.last_error
        from {RAW_SCHEMA}.lists l
        left join stored s using (attachment_url)
        left join quarantined q using (attachment_url)
        where l.last_error is not null
           or l.rows_extracted is distinct from coalesce(s.n, 0) + coalesce(q.n, 0)
        order by 1, 2""").df()


@dg.multi_asset(
    specs=LOAD_SPECS,
    name="load_warehouse",
    ins={name: dg.AssetIn(name) for name in UPSTREAM},
    check_specs=[dg.AssetCheckSpec("every_list_reconciles", asset=LISTS_KEY, blocking=True,
                                   description="In DuckDB, per list: stored + quarantined = "
                                               "extracted, and no list failed to load.")],
)
def load_warehouse(context: dg.AssetExecutionContext, duckdb: DuckDBResource, **upstream):
    statistics = upstream.pop("genai_statistics")
    by_series = {key.removeprefix("validated_"): value for key, value in upstream.items()}
    with duckdb.get_connection() as con:
        outcomes = load_validated(con, by_series)
        replace_table(con, "genai_statistics", statistics)
        unbalanced = unbalanced_lists(con)
        totals = con.execute(f"select series, count(*), sum(rows_accepted), sum(rows_quarantined) "
                             f"from {RAW_SCHEMA}.lists group by 1 order by 1").fetchall()
    summary = outcomes.groupby("outcome").size().to_dict() if len(outcomes) else {}
    context.log.info(f"lists: {summary}")
    for spec in LOAD_SPECS:
        yield dg.MaterializeResult(asset_key=spec.key, metadata={
            "lists_by_outcome": dg.MetadataValue.json({str(k): int(v) for k, v in summary.items()}),
            "totals": dg.MetadataValue.json([list(map(str, row)) for row in totals]),
        })
    yield dg.AssetCheckResult(
        asset_key=LISTS_KEY, check_name="every_list_reconciles", passed=unbalanced.empty,
        metadata={"unbalanced": dg.MetadataValue.md(unbalanced.to_markdown(index=False)
                                                    if len(unbalanced) else "(none)")})
