"""The gen-AI statistics notices, parsed into the figures they state."""

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from ..parsers.statistics import parse_statistics_notice
from ..schemas.statistics import StatisticsNoticeModel

COLUMNS = list(StatisticsNoticeModel.to_schema().columns)


def statistics_frame(notices: list[dict]) -> tuple[pd.DataFrame, list[str]]:
    """One row per statistics notice; the notices whose figures could not be read."""
    rows, unreadable = [], []
    for notice in notices:
        figures = parse_statistics_notice(notice["body_text"], title=notice["title"])
        if figures is None:
            unreadable.append(f"{notice['notice_url']}: no 截至…累计 figures found in the text")
            continue
        rows.append({
            "notice_url": notice["notice_url"], "notice_title": notice["title"],
            "published_on": notice["published_on"], "page_sha256": notice["page_sha256"],
            **figures.__dict__,
        })
    return pd.DataFrame(rows, columns=COLUMNS), unreadable


@dg.asset(
    group_name="validate",
    kinds={"python", "pandera"},
    description="Figures stated by the gen-AI statistics notices (截至…累计有N款…完成备案, "
                "M款…完成登记, 新增…), validated by StatisticsNoticeModel.",
    check_specs=[dg.AssetCheckSpec("every_notice_parsed", asset="genai_statistics",
                                   description="Every statistics notice yields its figures, "
                                               "and the figures pass the pandera model.")],
)
def genai_statistics(context: dg.AssetExecutionContext, notice_pages: dict):
    frame, unreadable = statistics_frame(notice_pages["statistics_notices"])
    problems = list(unreadable)
    try:
        frame = StatisticsNoticeModel.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:  # report; keep nothing unvalidated
        problems.append(str(exc))
        frame = frame.iloc[0:0]
    yield dg.Output(frame, metadata={
        "notices": len(frame),
        "figures": dg.MetadataValue.md(frame.drop(columns=["notice_title", "page_sha256"])
                                       .to_markdown(index=False) if len(frame) else "(none)"),
    })
    yield dg.AssetCheckResult(check_name="every_notice_parsed", passed=not problems,
                              metadata={"problems": dg.MetadataValue.json(problems)})
