"""The report's charts: each a function from the marts to a Plotly figure (or a table), with
its title, caption and the marts it reads. ``report`` draws them and writes the page; what
they draw with (marts, labels, colours, layout) is in ``drawing``."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..vocabulary import SERIES_ALGORITHM_RECOMMENDATION, SERIES_DEEP_SYNTHESIS
from .drawing import (
    COLOURS, MARTS, SERIES_LABELS, TIER_LABELS, Chart, Drawn, Marts, NoData, hover_cells, layout,
    message_html, series_tier_groups, series_tier_label,
)

# Rows "What's new" shows per series, change type and tier of the latest list; the rest are counted.
WHATS_NEW_ROWS_PER_KIND = 6
CHANGE_LABELS = {"new": "新增 new", "changed": "变更 changed", "cancelled": "注销 cancelled"}
UNKNOWN_PROVINCE = "未知 unknown"
STATUS_SYMBOLS = {"match": "circle-open", "explained": "diamond", "unexplained": "x"}


def cumulative_registrations(marts: Marts) -> Drawn:
    """Cumulative 备案 and 登记 by list, with the CAC's stated totals as markers."""
    by_list = marts.df(f"""
        WITH per_list AS (
            SELECT tier, list_label,
                   count(*) AS rows,
                   count(*) FILTER (WHERE service_kind = 'on_device') AS on_device_rows,
                   max(serial) FILTER (WHERE service_kind IS DISTINCT FROM 'on_device') AS max_serial,
                   coalesce(max(registered_on), max(list_month)) AS through
            FROM {MARTS}.fct_registrations
            GROUP BY tier, list_label)
        SELECT *, CAST(sum(rows) OVER (PARTITION BY tier ORDER BY list_label) AS BIGINT) AS cumulative
        FROM per_list ORDER BY tier, list_label""")
    by_date = marts.df(f"""
        SELECT tier, registered_on, count(*) AS n FROM {MARTS}.fct_registrations
        WHERE registered_on IS NOT NULL GROUP BY tier, registered_on ORDER BY tier, registered_on""")
    stated = pd.DataFrame()
    if marts.has("fct_reconciliation"):
        stated = marts.df(f"""
            SELECT as_of, tier, measure, period_label, stated_value, lists_value, difference,
                   status, coalesce(causes, '') AS causes
            FROM {MARTS}.fct_reconciliation WHERE stated_value IS NOT NULL ORDER BY as_of, tier, measure""")

    fig = go.Figure()
    headline_parts = []
    for tier in ("national_filing", "local_registration"):
        rows = by_list[by_list.tier == tier]
        if rows.empty:
            continue
        label = TIER_LABELS[tier].split(" ")[0]
        fig.add_trace(go.Scatter(
            x=rows.through, y=rows.cumulative, mode="lines+markers", line_shape="hv",
            name=f"{TIER_LABELS[tier]} (lists)", line_color=COLOURS[tier], marker_size=5, legendrank=1,
            customdata=hover_cells(rows[["list_label", "rows", "max_serial", "on_device_rows"]]),
            hovertemplate=("list %{customdata[0]} (latest date %{x|%Y-%m-%d})<br>"
                           "cumulative %{y}, new in list %{customdata[1]}<br>"
                           "max 序号 %{customdata[2]}, on-device %{customdata[3]}<extra></extra>")))
        dated = by_date[by_date.tier == tier]
        fig.add_trace(go.Scatter(
            x=dated.registered_on, y=dated.n.cumsum(), mode="lines", line_shape="hv",
            line=dict(color=COLOURS[tier], width=1, dash="dot"), visible="legendonly", legendrank=3,
            name=f"{label} by registration date",
            hovertemplate="%{x|%Y-%m-%d}: %{y} registered by this date<extra></extra>"))
        latest = rows.iloc[-1]
        part = f"{label} {int(latest.cumulative):,} listed"
        tier_stated = (stated[(stated.tier == tier) & (stated.measure == "cumulative")]
                       if len(stated) else stated)
        if len(tier_stated):
            last = tier_stated.iloc[-1]
            part += f" / {int(last.stated_value):,} stated ({last.as_of:%Y-%m-%d})"
            # One trace per status, so the legend says what each marker shape means.
            for status, points in tier_stated.groupby("status", sort=False):
                fig.add_trace(go.Scatter(
                    x=points.as_of, y=points.stated_value, mode="markers",
                    name=f"{label} stated by the CAC: {status}", legendrank=2,
                    marker=dict(color=COLOURS[tier] if status != "unexplained" else "#c4464a",
                                size=12, line_width=2, symbol=STATUS_SYMBOLS.get(status, "x")),
                    customdata=hover_cells(points[["lists_value", "difference", "status", "causes"]]),
                    hovertemplate=("stated %{y} as of %{x|%Y-%m-%d}<br>lists give %{customdata[0]}"
                                   " (difference %{customdata[1]})<br>status: %{customdata[2]}"
                                   "<br>%{customdata[3]}<extra></extra>")))
        headline_parts.append(part)
    layout(fig, height=460, y_title="累计 cumulative 备案 / 登记")

    note = ""
    if len(stated):
        gaps = stated[~stated.status.isin(["match", "not_stated"])]
        counts = stated.status.value_counts()
        items = "".join(
            f"<li>{row.as_of:%Y-%m-%d} {html.escape(TIER_LABELS.get(row.tier, row.tier))}, "
            f"{html.escape(row.measure)}: stated {row.stated_value}, lists {row.lists_value} — "
            f"<b>{html.escape(row.status)}</b>: {html.escape(row.causes or '(no cause named)')}</li>"
            for row in gaps.itertuples())
        summary = ", ".join(f"{n} {html.escape(status)}" for status, n in counts.items())
        note = (f'<div class="note"><p>Stated figures in marts.fct_reconciliation: {summary}.</p>'
                + (f"<ul>{items}</ul>" if items else "") + "</div>")
    else:
        note = message_html("No stated figures: marts.fct_reconciliation is missing or empty", "no-data")
    return Drawn("; ".join(headline_parts), figure=fig, note_html=note)


def new_per_list(marts: Marts) -> Drawn:
    """New gen-AI registrations per list by tier, on-device services on their own."""
    counts = marts.df(f"""
        SELECT list_label,
               CASE WHEN service_kind = 'on_device' THEN 'on_device' ELSE tier END AS kind,
               count(*) AS n
        FROM {MARTS}.fct_registrations GROUP BY ALL ORDER BY list_label""")
    lists = sorted(counts.list_label.unique())
    fig = go.Figure()
    kinds = {"national_filing": "备案 national filing (general)", "on_device": "备案 端侧 on-device",
             "local_registration": "登记 local registration"}
    for kind, name in kinds.items():
        rows = counts[counts.kind == kind].set_index("list_label").reindex(lists, fill_value=0)
        fig.add_trace(go.Bar(
            x=lists, y=rows.n, name=name, marker_color=COLOURS[kind],
            marker_pattern_shape="/" if kind == "on_device" else "",
            hovertemplate=f"{name}<br>list %{{x}}: %{{y}} new<extra></extra>"))
    on_device = int(counts.loc[counts.kind == "on_device", "n"].sum())
    if on_device == 0:
        fig.add_annotation(text="No on-device (端侧) services in these lists", xref="paper",
                           yref="paper", x=0.01, y=0.98, showarrow=False, align="left",
                           font=dict(color=COLOURS["on_device"]))
    layout(fig, height=420, y_title="新增 new registrations", x_title="清单 list")
    fig.update_layout(barmode="group", xaxis_type="category")
    latest = counts[counts.list_label == lists[-1]].set_index("kind").n
    headline = (f"list {lists[-1]}: {int(latest.get('national_filing', 0))} 备案, "
                f"{int(latest.get('on_device', 0))} on-device, "
                f"{int(latest.get('local_registration', 0))} 登记 new; {on_device} on-device in all")
    return Drawn(headline, figure=fig)


def deep_synthesis_roles(marts: Marts) -> Drawn:
    counts = marts.df(f"""
        SELECT batch_no, list_label, coalesce(role, '未注明 not stated') AS role, count(*) AS n
        FROM {MARTS}.fct_filings WHERE series = ?
        GROUP BY ALL ORDER BY list_label, batch_no""", [SERIES_DEEP_SYNTHESIS])
    if counts.empty:
        raise NoData(f"No data: {MARTS}.fct_filings has no {SERIES_DEEP_SYNTHESIS} rows")
    counts["batch"] = [f"第{int(b)}批 {label}" if pd.notna(b) else f"? {label}"
                       for b, label in zip(counts.batch_no, counts.list_label)]
    batches = list(dict.fromkeys(counts.batch))
    fig = go.Figure()
    role_colours = {"服务提供者": "#7b4fb0", "服务技术支持者": "#c9a6e8"}
    for role in sorted(counts.role.unique(), key=lambda r: (r not in role_colours, r)):
        rows = counts[counts.role == role].groupby("batch").n.sum().reindex(batches, fill_value=0)
        fig.add_trace(go.Bar(x=batches, y=rows.values, name=role, marker_color=role_colours.get(role),
                             hovertemplate=f"{role}<br>%{{x}}: %{{y}}<extra></extra>"))
    layout(fig, height=420, y_title="备案 filings (rows in the batch)", x_title="批次 batch")
    fig.update_layout(barmode="stack", xaxis_type="category")
    last = counts[counts.batch == batches[-1]]
    by_role = ", ".join(f"{int(n)} {role}" for role, n in last.groupby("role").n.sum().items())
    return Drawn(f"{batches[-1]}: {int(last.n.sum())} filings ({by_role})", figure=fig)


def algorithm_categories(marts: Marts) -> Drawn:
    counts = marts.df(f"""
        SELECT list_label, coalesce(algorithm_category, '未注明 not stated') AS category, count(*) AS n
        FROM {MARTS}.fct_filings WHERE series = ?
        GROUP BY ALL ORDER BY list_label""", [SERIES_ALGORITHM_RECOMMENDATION])
    if counts.empty:
        raise NoData(f"No data: {MARTS}.fct_filings has no {SERIES_ALGORITHM_RECOMMENDATION} rows")
    lists = sorted(counts.list_label.unique())
    totals = counts.groupby("category").n.sum().sort_values(ascending=False)
    fig = go.Figure()
    for category in totals.index:
        rows = counts[counts.category == category].set_index("list_label").n.reindex(lists, fill_value=0)
        fig.add_trace(go.Bar(x=lists, y=rows.values, name=category,
                             hovertemplate=f"{category}<br>list %{{x}}: %{{y}}<extra></extra>"))
    layout(fig, height=420, y_title="备案 filings (rows in the list)", x_title="清单 list")
    fig.update_layout(barmode="stack", xaxis_type="category")
    headline = (f"{int(totals.sum()):,} filings in {len(lists)} lists; most {totals.index[0]} "
                f"({int(totals.iloc[0]):,})")
    return Drawn(headline, figure=fig)


def filings_by_province(marts: Marts) -> Drawn:
    counts = marts.df(f"""
        SELECT coalesce(province, ?) AS province, series, tier, count(*) AS n
        FROM {MARTS}.fct_registrations_all_series WHERE is_new GROUP BY ALL""", [UNKNOWN_PROVINCE])
    if counts.empty:
        raise NoData(f"No data: {MARTS}.fct_registrations_all_series has no rows with is_new")
    counts["group"] = [series_tier_label(s, t) for s, t in zip(counts.series, counts.tier)]
    totals = counts.groupby("province").n.sum().sort_values()
    fig = go.Figure()
    for group, colour in series_tier_groups():
        rows = counts[counts.group == group].groupby("province").n.sum().reindex(totals.index, fill_value=0)
        if rows.sum() == 0:
            continue
        fig.add_trace(go.Bar(y=totals.index, x=rows.values, name=group, orientation="h",
                             marker_color=colour,
                             hovertemplate=f"{group}<br>%{{y}}: %{{x}}<extra></extra>"))
    layout(fig, height=max(360, 22 * len(totals) + 120), x_title="备案/登记 filings and registrations")
    fig.update_layout(barmode="stack", yaxis=dict(dtick=1))
    top, total = totals.index[-1], int(totals.sum())
    provinces = len([name for name in totals.index if name not in {"国资委", UNKNOWN_PROVINCE}])
    return Drawn(f"{top} first: {int(totals.iloc[-1]):,} of {total:,} filings "
                 f"({totals.iloc[-1] / total:.0%}); {provinces} provinces", figure=fig)


def top_filers(marts: Marts) -> Drawn:
    top = marts.df(f"""
        SELECT entity_name, coalesce(is_central_soe, false) AS is_central_soe, total_filings,
               deep_synthesis_filings, algorithm_recommendation_filings, genai_national_filings,
               genai_on_device_filings, genai_local_registrations
        FROM {MARTS}.fct_entity_profile
        ORDER BY total_filings DESC, entity_name LIMIT 20""")
    labels = [f"{name}（央企）" if soe else name
              for name, soe in zip(top.entity_name, top.is_central_soe)]
    labels = labels[::-1]  # largest on top
    columns = [*((f"{name}_filings", SERIES_LABELS[name], COLOURS[name])  # fct_entity_profile's columns
                 for name in (SERIES_DEEP_SYNTHESIS, SERIES_ALGORITHM_RECOMMENDATION)),
               ("genai_national_filings", "生成式 备案 national", COLOURS["national_filing"]),
               ("genai_on_device_filings", "生成式 端侧 on-device", COLOURS["on_device"]),
               ("genai_local_registrations", "生成式 登记 local", COLOURS["local_registration"])]
    fig = go.Figure()
    for column, name, colour in columns:
        values = top[column].fillna(0).astype(int).tolist()[::-1]
        if sum(values) == 0:
            continue
        fig.add_trace(go.Bar(y=labels, x=values, name=name, orientation="h", marker_color=colour,
                             hovertemplate=f"{name}<br>%{{y}}: %{{x}}<extra></extra>"))
    layout(fig, height=22 * len(top) + 160, x_title="备案/登记 filings and registrations")
    fig.update_layout(barmode="stack", yaxis=dict(dtick=1))
    first = top.iloc[0]
    return Drawn(f"{first.entity_name}: {int(first.total_filings)} filings", figure=fig)


def active_filings(marts: Marts) -> Drawn:
    months = marts.df(f"""
        SELECT period_month,
               CAST(sum(cancelled) AS BIGINT) AS cancelled,
               CAST(sum(cumulative_filed) AS BIGINT) AS cumulative_filed,
               CAST(sum(cumulative_cancelled) AS BIGINT) AS cumulative_cancelled,
               CAST(sum(active) AS BIGINT) AS active
        FROM {MARTS}.fct_active_filings_by_series_period GROUP BY period_month ORDER BY period_month""")
    months = months[months.cumulative_filed.cumsum() > 0]  # the mart starts before the first list
    if months.empty:
        raise NoData(f"No data: {MARTS}.fct_active_filings_by_series_period has no filings")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=months.period_month, y=months.cumulative_filed, name="累计备案 filed",
                             line_color="#1f5fa8", hovertemplate="%{x|%Y-%m}: %{y} filed<extra></extra>"))
    fig.add_trace(go.Scatter(x=months.period_month, y=months.active, name="有效 active",
                             line=dict(color="#2a9d63", dash="dash"),
                             hovertemplate="%{x|%Y-%m}: %{y} active<extra></extra>"))
    fig.add_trace(go.Bar(x=months.period_month, y=months.cancelled, name="注销 cancelled in month",
                         marker_color="#c4464a", opacity=0.6,
                         hovertemplate="%{x|%Y-%m}: %{y} cancelled<extra></extra>"), secondary_y=True)
    fig.add_trace(go.Scatter(x=months.period_month, y=months.cumulative_cancelled,
                             name="累计注销 cancelled", line=dict(color="#c4464a", width=1.5),
                             hovertemplate="%{x|%Y-%m}: %{y} cancelled so far<extra></extra>"),
                  secondary_y=True)
    layout(fig, height=420, y_title="备案 filings (all series and tiers)")
    fig.update_yaxes(rangemode="tozero")
    # Own ticks on the right axis (the template would sync them to the left axis' grid).
    fig.update_yaxes(title_text="注销 cancelled", secondary_y=True, showgrid=False, tickmode="auto",
                     tickformat=",d")
    last = months.iloc[-1]
    return Drawn(f"{int(last.active):,} active of {int(last.cumulative_filed):,} filed, "
                 f"{int(last.cumulative_cancelled):,} cancelled ({last.period_month:%Y-%m})", figure=fig)


def whats_new(marts: Marts) -> Drawn:
    changes = marts.df(f"""
        WITH latest AS (
            SELECT series, max(list_label) AS list_label FROM {MARTS}.fct_list_changes GROUP BY series)
        SELECT c.series, c.list_label, c.tier, c.service_kind, c.change_type, c.filing_number,
               c.name, c.filer, c.changed_columns, c.cancelled_on
        FROM {MARTS}.fct_list_changes c JOIN latest USING (series, list_label)
        WHERE c.change_type IN ('new', 'changed', 'cancelled')
        ORDER BY c.series, CASE c.change_type WHEN 'cancelled' THEN 0 WHEN 'changed' THEN 1 ELSE 2 END,
                 CASE c.tier WHEN 'national_filing' THEN 0 ELSE 1 END, c.tier, c.filing_number""")
    if changes.empty:
        raise NoData(f"No data: {MARTS}.fct_list_changes has no new, changed or cancelled filings "
                     "in the latest lists")
    order = [s for s in SERIES_LABELS if s in set(changes.series)] + sorted(
        set(changes.series) - set(SERIES_LABELS))
    summary_rows, detail_rows, headline_parts = [], [], []
    for series in order:
        rows = changes[changes.series == series]
        label = rows.list_label.iloc[0]
        counts = rows.change_type.value_counts()
        counted = ", ".join(f"{int(counts.get(kind, 0)):,} {kind}" for kind in CHANGE_LABELS)
        headline_parts.append(f"{series} {label}: {counted}")
        by_tier = "; ".join(
            f"{html.escape(TIER_LABELS.get(tier, tier))}: {int(n):,}"
            for tier, n in rows[rows.change_type == "new"].tier.value_counts().sort_index().items())
        summary_rows.append(
            f"<tr><td>{html.escape(SERIES_LABELS.get(series, series))}</td><td>{html.escape(label)}</td>"
            + "".join(f'<td class="num">{int(counts.get(kind, 0)):,}</td>' for kind in CHANGE_LABELS)
            + f"<td>{by_tier}</td></tr>")
        # A few of each kind of change and tier, so a large batch cannot hide a small one.
        shown = rows.groupby(["change_type", "tier"], sort=False, dropna=False).head(WHATS_NEW_ROWS_PER_KIND)
        for row in shown.itertuples():
            detail = (row.changed_columns if row.change_type == "changed"
                      else f"{row.cancelled_on:%Y-%m-%d}" if row.change_type == "cancelled"
                      and pd.notna(row.cancelled_on) else "")
            kind = TIER_LABELS.get(row.tier, row.tier)
            if row.service_kind == "on_device":
                kind += " 端侧 on-device"
            detail_rows.append("<tr>" + "".join(
                f"<td>{html.escape(str(value) if pd.notna(value) else '')}</td>" for value in (
                    SERIES_LABELS.get(series, series), label, CHANGE_LABELS.get(row.change_type),
                    kind, row.filing_number, row.name, row.filer, detail)) + "</tr>")
        hidden = len(rows) - len(shown)
        if hidden:
            more = rows.drop(shown.index).change_type.value_counts()
            what = ", ".join(f"{int(n):,} {kind}" for kind, n in more.items())
            detail_rows.append(f'<tr class="more"><td colspan="8">… and {hidden:,} more in '
                               f"{html.escape(series)} {html.escape(label)} ({what}): "
                               "marts.fct_list_changes has them all</td></tr>")
    table = (
        '<table class="summary"><thead><tr><th>series 系列</th><th>latest list 最新清单</th>'
        + "".join(f"<th>{html.escape(text)}</th>" for text in CHANGE_LABELS.values())
        + "<th>new by tier</th></tr></thead><tbody>" + "".join(summary_rows) + "</tbody></table>"
        '<table class="changes"><thead><tr><th>series</th><th>list</th><th>change</th><th>tier</th>'
        "<th>number 备案号</th><th>name 名称</th><th>filer 备案单位</th><th>detail</th></tr></thead>"
        "<tbody>" + "".join(detail_rows) + "</tbody></table>")
    return Drawn("; ".join(headline_parts), table_html=table)


CHARTS: tuple[Chart, ...] = (
    Chart("cumulative_registrations", "累计备案与登记 Cumulative gen-AI filings and registrations",
          "Gen-AI services filed nationally (备案) and apps registered locally (登记), cumulative "
          "through each list (at the list's latest registration date), against the totals the CAC's "
          "statistics notices state (markers: ○ match, ◇ explained, × unexplained; hover for causes). "
          "The dotted lines, off by default, count by registration date instead. "
          "Reads marts.fct_registrations (tier, list_label, registered_on, serial, service_kind) and "
          "marts.fct_reconciliation (as_of, stated_value, lists_value, status, causes).",
          ("fct_registrations",), cumulative_registrations),
    Chart("new_per_list", "每期新增 New gen-AI registrations per list",
          "Registrations first published by each gen-AI list, by tier; on-device (端侧) services, "
          "national filings in a table of their own, hatched. "
          "Reads marts.fct_registrations (list_label, tier, service_kind).",
          ("fct_registrations",), new_per_list),
    Chart("deep_synthesis_roles", "深度合成 Deep-synthesis filings per batch, by role",
          "Rows of each deep-synthesis batch (第N批), split by 角色: 服务提供者 (service provider) "
          "and 服务技术支持者 (technical supporter). "
          "Reads marts.fct_filings (series, batch_no, list_label, role).",
          ("fct_filings",), deep_synthesis_roles),
    Chart("algorithm_categories", "算法推荐 Algorithm-recommendation filings per list, by category",
          "Rows of each algorithm-recommendation list by 算法类别 as printed (检索过滤类 was later "
          "split into 信息检索类 and 内容过滤类). "
          "Reads marts.fct_filings (series, list_label, algorithm_category).",
          ("fct_filings",), algorithm_categories),
    Chart("filings_by_province", "属地 Filings by province, all series",
          "Each filing or registration counted once (its first appearance), by province (国资委 for "
          "central SOEs) and series. "
          "Reads marts.fct_registrations_all_series (province, series, tier, is_new).",
          ("fct_registrations_all_series",), filings_by_province),
    Chart("top_filers", "备案主体 The top 20 filers, all series",
          "Filers with the most filings and registrations across every series and tier (央企: a "
          "central SOE; ties at the 20th place broken by name). Reads marts.fct_entity_profile "
          "(entity_name, total_filings and the per-series counts, is_central_soe).",
          ("fct_entity_profile",), top_filers),
    Chart("active_filings", "注销与有效 Filed, cancelled and active filings",
          "All series and tiers together, by month: filings listed so far, those cancelled (注销, right "
          "axis) and those still active. Reads marts.fct_active_filings_by_series_period (period_month, "
          "cancelled, cumulative_filed, cumulative_cancelled, active).",
          ("fct_active_filings_by_series_period",), active_filings),
    Chart("whats_new", "最新清单 What's new in the latest list",
          "New, changed and cancelled filings of the latest list of each series (cancellations since "
          "the series' previous list); a few rows each, the rest counted. Reads marts.fct_list_changes.",
          ("fct_list_changes",), whats_new),
)
