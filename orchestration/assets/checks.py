"""Checks that read the marts: every difference between the lists and the statistics notices
has a reviewed, named cause; and each series' newest list is recent enough."""


from datetime import date

import dagster as dg
import pandas as pd

from ..resources import BeianResource, WarehouseResource
from ..vocabulary import MARTS_SCHEMA, STALE_BATCHES, UNEXPLAINED_FIGURES, UNREVIEWED_FINDINGS

RECONCILIATION = dg.AssetKey([MARTS_SCHEMA, "fct_reconciliation"])
FINDINGS = dg.AssetKey([MARTS_SCHEMA, "fct_reconciliation_findings"])


def unexplained(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reconciliation rows without a reviewed cause, and findings nobody has reviewed."""
    rows = con.execute("""
        select as_of, tier, measure, stated_value, lists_value, difference, comparison, causes
        from marts.fct_reconciliation where status = 'unexplained' order by as_of, tier, measure""").df()
    findings = con.execute("""
        select finding_key, detail, attachment_url, table_index, row_index
        from marts.fct_reconciliation_findings where not is_known order by finding_key""").df()
    return rows, findings


@dg.asset_check(
    asset=RECONCILIATION,
    additional_deps=[FINDINGS],
    description="Passes when every difference between the gen-AI lists and the statistics "
                "notices has a known, named cause (seeds/known_reconciliation_findings.csv); "
                "fails listing the new differences and the rows behind them.",
)
def differences_have_known_causes(duckdb: WarehouseResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        rows, findings = unexplained(con)
        explained = con.execute("select count(*) from marts.fct_reconciliation "
                                "where status = 'explained'").fetchone()[0]

    def table(frame: pd.DataFrame) -> dg.MetadataValue:
        return dg.MetadataValue.md(frame.to_markdown(index=False) if len(frame) else "(none)")

    return dg.AssetCheckResult(
        passed=rows.empty and findings.empty,
        metadata={"explained_differences": int(explained), UNEXPLAINED_FIGURES: table(rows),
                  UNREVIEWED_FINDINGS: table(findings)},
    )


BATCHES = dg.AssetKey([MARTS_SCHEMA, "dim_batch"])


def list_ages(con, today: date) -> pd.DataFrame:
    """Per series, its newest list and how many days old it is (publication date, else the
    first day after the list's month, for living-page lists that carry no date)."""
    return con.execute("""
        select series, max(list_label) as newest_list,
               max(coalesce(published_on, cast(list_month + interval 1 month as date))) as newest_date,
               date_diff('day', max(coalesce(published_on, cast(list_month + interval 1 month as date))), ?) as age_days
        from marts.dim_batch where last_error is null group by 1 order by 1""", [today]).df()


def source_as_of(scan: dict | None) -> date | None:
    """A replayed web archive is judged as of its capture time, not today."""
    value = (scan or {}).get("as_of")
    return date.fromisoformat(value) if value else None


def freshness_verdict(ages: pd.DataFrame, warn_days: int, fail_days: int,
                      as_of: date | None = None) -> tuple[bool, dg.AssetCheckSeverity, list[str]]:
    when = f" as of {as_of.isoformat()}" if as_of else ""
    stale = [f"{r.series}: newest list {r.newest_list} ({r.newest_date:%Y-%m-%d}) is {r.age_days} days old{when}"
             for r in ages.itertuples() if r.age_days > warn_days]
    failing = any(r.age_days > fail_days for r in ages.itertuples())
    return not stale, dg.AssetCheckSeverity.ERROR if failing else dg.AssetCheckSeverity.WARN, stale


@dg.asset_check(
    asset=BATCHES,
    description="The newest list of every series is recent: the CAC publishes about every two "
                "months, so warn past BEIAN_FRESHNESS_WARN_DAYS (70) and fail past "
                "BEIAN_FRESHNESS_FAIL_DAYS (100). Either the source stopped, or beian stopped "
                "seeing it. A replayed web archive is judged as of its capture time.",
)
def newest_list_is_recent(beian: BeianResource, duckdb: WarehouseResource) -> dg.AssetCheckResult:
    settings = beian.settings()
    as_of = source_as_of(beian.catalog().latest_scan())
    with duckdb.get_connection() as con:
        ages = list_ages(con, as_of or date.today())
    passed, severity, stale = freshness_verdict(ages, settings.freshness_warn_days,
                                                settings.freshness_fail_days, as_of)
    return dg.AssetCheckResult(passed=passed, severity=severity, metadata={
        STALE_BATCHES: dg.MetadataValue.json(stale),
        "as_of": (as_of or date.today()).isoformat(),
        "warn_days": settings.freshness_warn_days, "fail_days": settings.freshness_fail_days,
        "newest_by_series": dg.MetadataValue.md(ages.to_markdown(index=False) if len(ages) else "(none)"),
    })
