"""A static HTML report of the marts: the registry in pictures, readable offline.

``build_report`` writes ``index.html`` and ``plotly.min.js`` (copied from the installed plotly
package, referenced by a relative path) into a folder built beside ``out_dir`` and swapped in
whole, so a reader never sees half a report and the page makes no request beyond its folder.

The charts themselves are in ``charts``. Each is drawn on its own: a missing or empty mart, or
a chart that fails, shows a message in that chart's place ("No data: marts.X is empty") and the
other charts are still drawn.
"""

from __future__ import annotations

import html
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import plotly.io as pio
import plotly.offline
from tabulate import tabulate

from .charts import CHARTS
from .drawing import FONT_FAMILY, MARTS, SERIES_LABELS, Chart, Marts, NoData, message_html
from .compat import quote_identifier, quote_literal
from .datasette_site import DEFAULT_PORT
from .folders import replaced_folder

logger = logging.getLogger(__name__)

INDEX = "index.html"
PLOTLY_JS = "plotly.min.js"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class ChartOutcome:
    name: str
    title: str
    status: str  # drawn, empty or failed
    headline: str
    body_html: str
    is_figure: bool


@dataclass(frozen=True)
class ReportResult:
    path: Path  # the index.html
    chart_count: int  # plotly figures drawn
    empty_charts: tuple[str, ...]  # chart names with no data (missing or empty marts)
    failed_charts: tuple[str, ...]  # chart names whose drawing raised
    bytes: int  # size of index.html
    data_as_of: str | None  # the newest list's label
    headlines: tuple[tuple[str, str], ...]  # (chart title, headline or message), in page order

    def summary_markdown(self) -> str:
        """Chart title -> one headline figure, as a markdown table (Dagster metadata preview)."""
        rows = [[_markdown_cell(title), _markdown_cell(headline)] for title, headline in self.headlines]
        return tabulate(rows, headers=["Chart", "Headline"], tablefmt="github")


def build_report(con: duckdb.DuckDBPyConnection, out_dir: Path,
                 now: datetime | None = None) -> ReportResult:
    """Write ``out_dir/index.html`` and ``out_dir/plotly.min.js``, replacing the folder whole.
    ``out_dir`` is the report's own folder: anything else in it is removed."""
    out_dir = Path(out_dir)
    generated_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    marts = Marts(con, mart_row_counts(con))
    outcomes = [draw_chart(chart, marts) for chart in CHARTS]
    as_of_label, as_of_html = data_as_of(marts)
    page = render_page(outcomes, as_of_html, marts, generated_at)

    with replaced_folder(out_dir) as staging:
        write_plotly_js(staging / PLOTLY_JS)
        (staging / INDEX).write_text(page, encoding="utf-8")
    index = out_dir / INDEX
    return ReportResult(
        path=index,
        chart_count=sum(1 for o in outcomes if o.status == "drawn" and o.is_figure),
        empty_charts=tuple(o.name for o in outcomes if o.status == "empty"),
        failed_charts=tuple(o.name for o in outcomes if o.status == "failed"),
        bytes=index.stat().st_size,
        data_as_of=as_of_label,
        headlines=tuple((o.title, o.headline) for o in outcomes),
    )


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? ORDER BY table_name", [MARTS]).fetchall()]
    if not tables:
        return {}
    union = " UNION ALL ".join(
        f"SELECT {quote_literal(name)} AS t, count(*) AS n FROM {MARTS}.{quote_identifier(name)}"
        for name in tables)
    return {name: int(n) for name, n in con.execute(union).fetchall()}


def draw_chart(chart: Chart, marts: Marts) -> ChartOutcome:
    """One chart, never raising: its figure or table, or a message in its place."""
    try:
        marts.require(*chart.sources)
        drawn = chart.draw(marts)
        if drawn.figure is not None:
            body = pio.to_html(drawn.figure, include_plotlyjs=False, full_html=False,
                               div_id=f"chart-{chart.name}", config=PLOTLY_CONFIG,
                               default_height=f"{drawn.figure.layout.height or 480}px")
        else:
            body = drawn.table_html or ""
    except NoData as no_data:
        logger.warning("report chart %s: %s", chart.name, no_data)
        return ChartOutcome(chart.name, chart.title, "empty", str(no_data),
                            message_html(str(no_data), "no-data"), is_figure=False)
    except Exception as error:  # one chart must never blank the page
        logger.exception("report chart %s failed", chart.name)
        message = f"This chart could not be drawn: {type(error).__name__}: {error}"
        return ChartOutcome(chart.name, chart.title, "failed", message.splitlines()[0],
                            message_html(message, "failed"), is_figure=False)
    return ChartOutcome(chart.name, chart.title, "drawn", drawn.headline, body + drawn.note_html,
                        is_figure=drawn.figure is not None)


# ---------------------------------------------------------------------------------------------
# The charts


def data_as_of(marts: Marts) -> tuple[str | None, str]:
    """The newest list's label, and a line naming the newest list of each series."""
    if not marts.has("dim_batch"):
        return None, html.escape(f"unknown ({MARTS}.dim_batch is missing or empty)")
    try:
        latest = marts.df(f"""
            SELECT series, arg_max(list_label, list_month) AS list_label,
                   arg_max(batch_no, list_month) AS batch_no
            FROM {MARTS}.dim_batch GROUP BY series ORDER BY series""")
    except duckdb.Error as error:
        logger.exception("report header: dim_batch")
        return None, html.escape(f"unknown ({type(error).__name__} reading {MARTS}.dim_batch)")
    parts = []
    rank = {series: index for index, series in enumerate(SERIES_LABELS)}
    for row in sorted(latest.itertuples(), key=lambda row: (rank.get(row.series, len(rank)), row.series)):
        batch = f" 第{int(row.batch_no)}批" if pd.notna(row.batch_no) else ""
        parts.append(f"{SERIES_LABELS.get(row.series, row.series)}{batch} {row.list_label}")
    newest = max(latest.list_label)
    return newest, f"<b>{html.escape(newest)}</b> (newest lists: {html.escape(' · '.join(parts))})"


def render_page(outcomes: list[ChartOutcome], as_of_html: str, marts: Marts,
                generated_at: datetime) -> str:
    read = sorted({table for chart in CHARTS for table in chart.sources} | {"dim_batch", "fct_reconciliation"})
    totals = " · ".join(
        f"{MARTS}.{table} {marts.rows[table]:,}" if table in marts.rows else f"{MARTS}.{table} missing"
        for table in read)
    nav = " ".join(f'<a href="#{o.name}">{html.escape(o.title.split(" ")[0])}</a>' for o in outcomes)
    sections = "\n".join(
        f'<section class="chart {o.status}" id="{o.name}" data-status="{o.status}">'
        f"<h2>{html.escape(o.title)}</h2>"
        f'<p class="caption">{html.escape(next(c.caption for c in CHARTS if c.name == o.name))}</p>'
        f"{o.body_html}</section>" for o in outcomes)
    return PAGE.format(
        font=FONT_FAMILY, plotly=PLOTLY_JS, as_of=as_of_html, totals=html.escape(totals), nav=nav,
        serve=f"http://127.0.0.1:{DEFAULT_PORT}/beian",
        sections=sections, generated=generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"))


PAGE = """<!doctype html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>beian: China's AI filing registry 中国人工智能备案</title>
<script src="{plotly}"></script>
<style>
body {{ font-family: {font}; margin: 0 auto; max-width: 1200px; padding: 0 16px; color: #222; }}
header {{ border-bottom: 1px solid #ddd; padding: 12px 0 8px; }}
h1 {{ font-size: 1.5em; margin: 0 0 6px; }}
h2 {{ font-size: 1.15em; margin: 0 0 4px; }}
.meta, .caption, footer {{ color: #555; font-size: 0.88em; margin: 3px 0; }}
nav a {{ margin-right: 10px; font-size: 0.88em; color: #1f5fa8; text-decoration: none; }}
section.chart {{ margin: 18px 0 26px; }}
.message {{ border: 1px dashed #b0b0b0; background: #fafafa; padding: 28px; text-align: center;
  font-size: 1.05em; color: #555; }}
.message.failed {{ border-color: #c4464a; color: #a02c30; }}
.note {{ font-size: 0.85em; color: #444; }} .note ul {{ margin: 2px 0; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 6px 0 12px; width: 100%; }}
th, td {{ border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f3f5f8; }} td.num {{ text-align: right; }}
table.changes td:nth-child(-n+2) {{ white-space: nowrap; }}
tr.more td {{ color: #666; font-style: italic; }}
footer {{ border-top: 1px solid #ddd; padding: 8px 0 16px; }}
</style>
</head>
<body>
<header>
<h1>beian · 中国人工智能备案与登记 China's AI filing registry</h1>
<p class="meta">Data as of 数据截至: {as_of}</p>
<p class="meta">Rows 行数: {totals}</p>
<p class="meta">Sources 来源: the filing lists and statistics notices published by the Cyberspace
Administration of China (国家互联网信息办公室) on cac.gov.cn and beian.cac.gov.cn; every count traces
to a cell of an original list file (provenance columns in the warehouse).</p>
<p class="meta" id="serve">Look it up 查询: while <code>make serve</code> (or <code>beian serve</code>) runs,
the registry is searchable at <a href="{serve}">{serve}</a>
(<a href="{serve}/lookup">is it registered and still valid?</a>,
<a href="{serve}/latest">what is new in the latest list</a>,
<a href="{serve}/filer">everything a filer has filed</a>), with a page per
filing number. The links stay on this machine; the page itself loads nothing remote.</p>
<nav>{nav}</nav>
</header>
<main>
{sections}
</main>
<footer>Generated 生成于 {generated} by beian from the marts of the published warehouse.</footer>
</body>
</html>
"""


def write_plotly_js(path: Path) -> None:
    """The installed plotly package's bundled plotly.js, byte for byte."""
    bundled = resources.files("plotly") / "package_data" / PLOTLY_JS
    if bundled.is_file():
        with resources.as_file(bundled) as source:
            shutil.copyfile(source, path)
    else:  # a plotly build laid out differently
        path.write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Helpers


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
