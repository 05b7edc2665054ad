"""What every chart of the report draws with: the marts it reads (``Marts``, ``NoData``), what
it returns (``Drawn``) and is declared as (``Chart``), and the labels, colours and layout the
charts share. The series' labels and colours are their SeriesSpec's (series.py)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import duckdb
import pandas as pd
import plotly.graph_objects as go

from ..series import SERIES
from ..vocabulary import MARTS_SCHEMA as MARTS
from ..vocabulary import SERIES_GENAI

# System fonts only (fonts-noto-cjk on Debian): a web font would be a remote request.
FONT_FAMILY = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
               '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')

SERIES_LABELS = {spec.name: spec.label for spec in SERIES.values()}
TIER_LABELS = {
    "national_filing": "备案 national filing",
    "local_registration": "登记 local registration",
    "filing": "备案 filing",
}
COLOURS = {  # the gen-AI tiers, and the series that have a colour of their own
    "national_filing": "#1f5fa8",
    "on_device": "#e08a00",
    "local_registration": "#2a9d63",
    **{spec.name: spec.colour for spec in SERIES.values() if spec.colour},
}


class NoData(Exception):
    """A chart has nothing to draw; the message, shown in its place, says why."""


@dataclass(frozen=True)
class Marts:
    """The connection and the row count of every table of ``marts`` that exists."""

    con: duckdb.DuckDBPyConnection
    rows: dict[str, int]

    def require(self, *tables: str) -> None:
        for table in tables:
            if table not in self.rows:
                raise NoData(f"No data: {MARTS}.{table} is missing")
            if self.rows[table] == 0:
                raise NoData(f"No data: {MARTS}.{table} is empty")

    def has(self, table: str) -> bool:
        return self.rows.get(table, 0) > 0

    def df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()


@dataclass(frozen=True)
class Drawn:
    """What a chart function returns: a headline figure and a plotly figure or an HTML table."""

    headline: str
    figure: go.Figure | None = None
    table_html: str | None = None
    note_html: str = ""


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    caption: str  # what it shows, and which marts and columns it reads
    sources: tuple[str, ...]  # marts that must exist and have rows
    draw: Callable[[Marts], Drawn]


def layout(fig: go.Figure, height: int, y_title: str = "", x_title: str = "") -> None:
    fig.update_layout(
        template="plotly_white", height=height, font=dict(family=FONT_FAMILY, size=12),
        hoverlabel=dict(font_family=FONT_FAMILY), margin=dict(l=60, r=30, t=30, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0),
        yaxis_title=y_title, xaxis_title=x_title)


def series_tier_label(series: str, tier: str | None) -> str:
    """A series' label; gen-AI's by tier."""
    if series == SERIES_GENAI:
        return f"生成式 {TIER_LABELS.get(tier or '', tier or '')}"
    return SERIES_LABELS.get(series, series)


def series_tier_groups() -> list[tuple[str, str]]:
    """The groups series_tier_label makes, with their colours: each series with a colour of
    its own, then the gen-AI tiers."""
    return [*((spec.label, spec.colour) for spec in SERIES.values() if spec.colour),
            *((f"生成式 {TIER_LABELS[tier]}", COLOURS[tier])
              for tier in ("national_filing", "local_registration"))]


def message_html(message: str, kind: str) -> str:
    return f'<div class="message {kind}" role="status">{html.escape(message)}</div>'


def hover_cells(frame: pd.DataFrame) -> list[list[str]]:
    """Hover values as text, NULL as empty (pandas' NA is not JSON), long text wrapped."""
    return [["" if pd.isna(value) else _wrap_hover(value) for value in row]
            for row in frame.itertuples(index=False)]


def _wrap_hover(value: object, width: int = 70) -> str:
    """Long causes broken over lines in a hover box."""
    words, lines, line = str(value).split(" "), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(html.escape(part) for part in lines)
