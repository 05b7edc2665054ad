"""The reconciliation check: every difference between the lists and the statistics
notices must have a reviewed, named cause."""

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

RECONCILIATION = dg.AssetKey(["marts", "reconciliation"])
FINDINGS = dg.AssetKey(["marts", "reconciliation_findings"])


def unexplained(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reconciliation rows without a reviewed cause, and findings nobody has reviewed."""
    rows = con.execute("""
        select as_of, tier, measure, stated_value, lists_value, difference, comparison, causes
        from marts.reconciliation where status = 'unexplained' order by as_of, tier, measure""").df()
    findings = con.execute("""
        select finding_key, detail, attachment_url, table_index, row_index
        from marts.reconciliation_findings where not is_known order by finding_key""").df()
    return rows, findings


@dg.asset_check(
    asset=RECONCILIATION,
    additional_deps=[FINDINGS],
    description="Passes when every difference between the gen-AI lists and the statistics "
                "notices has a known, named cause (seeds/known_reconciliation_findings.csv); "
                "fails listing the new differences and the rows behind them.",
)
def differences_have_known_causes(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        rows, findings = unexplained(con)
        explained = con.execute("select count(*) from marts.reconciliation "
                                "where status = 'explained'").fetchone()[0]

    def table(frame: pd.DataFrame) -> dg.MetadataValue:
        return dg.MetadataValue.md(frame.to_markdown(index=False) if len(frame) else "(none)")

    return dg.AssetCheckResult(
        passed=rows.empty and findings.empty,
        metadata={"explained_differences": int(explained), "unexplained_figures": table(rows),
                  "unreviewed_findings": table(findings)},
    )
