"""Per series: parse the landed lists, then validate them with pandera.

Built from the registry in ``series.py`` so every series gets the same assets
and checks.
"""


import warnings

import dagster as dg
import pandas as pd
from dagster_pandera import pandera_schema_to_dagster_type

from ..resources import BeianResource
from ..schemas.split import ValidationOutcome, split_valid
from ..series import SERIES, ParsedSeries, SeriesSpec, parse_series

GROUP = "validate"


def reconcile_counts(parsed: ParsedSeries, outcome: ValidationOutcome) -> pd.DataFrame:
    """Per list: extracted rows against accepted + quarantined rows."""
    def per_list(frame: pd.DataFrame) -> pd.Series:
        if frame.empty:
            return pd.Series(dtype="int64")
        return frame.groupby("attachment_url").size()

    table = parsed.lists.set_index("attachment_url")[["list_label", "rows_extracted"]].copy()
    table["rows_accepted"] = per_list(outcome.accepted).reindex(table.index).fillna(0).astype(int)
    table["rows_quarantined"] = per_list(outcome.quarantined).reindex(table.index).fillna(0).astype(int)
    table["balanced"] = table.rows_extracted == table.rows_accepted + table.rows_quarantined
    return table.reset_index()


def _column_schema(spec: SeriesSpec) -> dg.TableSchema:
    """The pandera model as a Dagster table schema, so the UI lists columns and checks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.BetaWarning)
        return pandera_schema_to_dagster_type(spec.model).metadata["schema"].schema


def build_series_assets(spec: SeriesSpec) -> list:
    parsed_key = f"parsed_{spec.name}"
    validated_key = f"validated_{spec.name}"

    @dg.asset(name=parsed_key, group_name="parse", kinds={"python"},
              description=f"Rows extracted from every {spec.name} list, with provenance "
                          "(attachment, table, row). " + spec.description)
    def parsed(context: dg.AssetExecutionContext, landed_files: list[dict],
               beian: BeianResource) -> ParsedSeries:
        store = beian.raw_store()
        mine = [f for f in landed_files if f["series"] == spec.name]
        result = parse_series(spec, mine, store.read)
        for error in result.errors.values():
            context.log.error(error)
        context.add_output_metadata({
            "lists": len(result.lists),
            "rows": len(result.rows),
            "unreadable_lists": dg.MetadataValue.json(result.errors),
            "rows_per_list": dg.MetadataValue.md(
                result.lists[["list_label", "batch_no", "rows_extracted"]].to_markdown(index=False)
                if not result.lists.empty else "(none)"),
        })
        return result

    @dg.asset(
        name=validated_key, group_name=GROUP, kinds={"pandera"},
        ins={"parsed": dg.AssetIn(parsed_key)},
        description=f"{spec.name} rows checked by the pandera model {spec.model.__name__}; "
                    "failing rows are set aside for quarantine with their reasons.",
        metadata={"pandera_model": spec.model.__name__,
                  "dagster/column_schema": _column_schema(spec)},
        check_specs=[
            dg.AssetCheckSpec("pandera_schema", asset=validated_key,
                              description=f"Every row passes {spec.model.__name__}; warns with "
                                          "counts per failed check, fails on unreadable lists."),
            dg.AssetCheckSpec("rows_reconcile", asset=validated_key, blocking=True,
                              description="Per list, accepted + quarantined = extracted."),
        ],
    )
    def validated(context: dg.AssetExecutionContext, parsed: ParsedSeries):
        if parsed.rows.empty:
            outcome = ValidationOutcome(parsed.rows, parsed.rows)
        else:
            outcome = split_valid(parsed.rows, spec.model, spec.name, spec.flag_model)
        counts = reconcile_counts(parsed, outcome)
        yield dg.Output(
            {"outcome": outcome, "parsed": parsed},
            metadata={"rows_accepted": len(outcome.accepted),
                      "rows_quarantined": len(outcome.quarantined),
                      "rows_flagged_by_check": dg.MetadataValue.json(
                          {str(k): int(v) for k, v in outcome.flags_by_check.items()})},
        )
        clean = not outcome.failures_by_check and not outcome.schema_errors and not parsed.errors
        yield dg.AssetCheckResult(
            check_name="pandera_schema", passed=clean,
            severity=dg.AssetCheckSeverity.ERROR if (outcome.schema_errors or parsed.errors)
            else dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_failing_by_check": dg.MetadataValue.json(outcome.failures_by_check),
                "rows_flagged_by_check": dg.MetadataValue.json(
                    {str(k): int(v) for k, v in outcome.flags_by_check.items()}),
                "schema_errors": dg.MetadataValue.json(outcome.schema_errors),
                "unreadable_lists": dg.MetadataValue.json(parsed.errors),
                "quarantined_preview": dg.MetadataValue.md(
                    outcome.quarantined[["attachment_url", "row_index", "reason"]].head(20)
                    .to_markdown(index=False) if len(outcome.quarantined) else "(none)"),
            })
        unbalanced = counts[~counts.balanced]
        yield dg.AssetCheckResult(
            check_name="rows_reconcile", passed=unbalanced.empty,
            metadata={"lists": len(counts),
                      "unbalanced": dg.MetadataValue.md(unbalanced.to_markdown(index=False)
                                                        if len(unbalanced) else "(none)")})

    return [parsed, validated]


def all_series_assets() -> list:
    return [asset for spec in SERIES.values() for asset in build_series_assets(spec)]
