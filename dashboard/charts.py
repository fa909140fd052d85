"""Altair charts of the issuance statistics: DataFrames in, charts out (no Streamlit here).

Every bar carries its number, so a manager reading a screenshot in a review needs no tooltip.
:func:`spec` turns a chart into the Vega-Lite the browser draws; the tests check every chart
against Vega-Lite's schema once, so the page need not on every run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import altair as alt
import pandas as pd

STATUS_COLORS = alt.Scale(
    domain=["active, not opened", "active, opened", "expired", "revoked"],
    range=["#5b5bd6", "#2e9e5b", "#9aa3b5", "#d6455d"],
)
FUNNEL_STEPS = ("Issued", "Opened", "SSO enabled")
COUNT = alt.Axis(format="d", tickMinStep=1)  # counts: whole numbers only, never 0.5 of an invitation
FUNNEL_COLORS = alt.Scale(domain=list(FUNNEL_STEPS), range=["#5b5bd6", "#2e9e5b", "#e08a1e"])


def _labelled_bars(base: alt.Chart, x: str, *, color: str | None = None) -> alt.LayerChart:
    bars = base.mark_bar(color=color) if color else base.mark_bar()
    labels = base.mark_text(align="left", dx=3, color="#1f2430").encode(text=alt.Text(x))
    return alt.LayerChart(layer=[bars, labels])


def items_over_time(frame: pd.DataFrame, grain: str, by: str, start: dt.date, end: dt.date) -> alt.LayerChart:
    """Stacked bars per day or week, the total on top; the x axis spans exactly the range asked."""
    label = "Week (UTC)" if grain == "week" else "Day (UTC)"
    unit: Literal["yearweek", "yearmonthdate"] = "yearweek" if grain == "week" else "yearmonthdate"
    domain = [pd.Timestamp(start).isoformat(), (pd.Timestamp(end) + pd.Timedelta(days=1)).isoformat()]
    x = alt.X("period:T", title=label, timeUnit=unit, scale=alt.Scale(domain=domain))
    base = alt.Chart(frame)
    bars = base.mark_bar().encode(
        x=x,
        y=alt.Y("sum(items):Q", title="Issued", axis=COUNT),
        color=alt.Color("group:N", title="Kind" if by == "kind" else "Features"),
        tooltip=[
            alt.Tooltip("period:T", title=label),
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("sum(items):Q", title="Issued"),
        ],
    )
    totals = base.mark_text(dy=-6, color="#1f2430").encode(
        x=x, y=alt.Y("sum(items):Q"), text=alt.Text("sum(items):Q")
    )
    return alt.LayerChart(layer=[bars, totals]).properties(height=280)


def per_rep(frame: pd.DataFrame) -> alt.LayerChart:
    base = alt.Chart(frame).encode(
        x=alt.X("items:Q", title="Issued", axis=COUNT),
        y=alt.Y("rep:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
        tooltip=[
            "rep:N",
            alt.Tooltip("items:Q", title="Issued"),
            alt.Tooltip("organizations:Q", title="Organizations"),
        ],
    )
    return _labelled_bars(base, "items:Q").properties(height=max(140, 36 * len(frame)))


def top_organizations(frame: pd.DataFrame) -> alt.LayerChart:
    base = alt.Chart(frame).encode(
        x=alt.X("items:Q", title="Issued", axis=COUNT),
        y=alt.Y("organization:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
        tooltip=["organization:N", "organization_id:N", alt.Tooltip("items:Q", title="Issued")],
    )
    return _labelled_bars(base, "items:Q", color="#5b5bd6").properties(height=max(140, 30 * len(frame)))


def status_breakdown(frame: pd.DataFrame) -> alt.Chart:
    """Each issued item in exactly one slice (revoked, else expired, else active and opened or
    not), so the slices add up to the items issued. Only invitations count their opens: an
    active link is "not opened". Mints that never became a link are not issued items."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta("items:Q"),
            color=alt.Color("status:N", scale=STATUS_COLORS, title="Status"),
            tooltip=["status:N", alt.Tooltip("items:Q", title="Items")],
        )
        .properties(height=240)
    )
    return chart


def funnel_by_rep(frame: pd.DataFrame) -> alt.LayerChart:
    """Per rep, three bars side by side: invitations issued, opened, and followed by SSO."""
    long = frame.rename(columns={"issued": "Issued", "opened": "Opened", "sso_enabled": "SSO enabled"}).melt(
        id_vars=["rep"], value_vars=list(FUNNEL_STEPS), var_name="step", value_name="invitations"
    )
    base = alt.Chart(long).encode(
        y=alt.Y("rep:N", title=None, sort=list(frame["rep"]), axis=alt.Axis(labelLimit=240)),
        yOffset=alt.YOffset("step:N", sort=list(FUNNEL_STEPS)),
        x=alt.X("invitations:Q", title="Invitations", axis=COUNT),
        color=alt.Color("step:N", scale=FUNNEL_COLORS, sort=list(FUNNEL_STEPS), title=None),
        tooltip=["rep:N", "step:N", "invitations:Q"],
    )
    labels = base.mark_text(align="left", dx=3, color="#1f2430").encode(text="invitations:Q")
    return alt.LayerChart(layer=[base.mark_bar(), labels]).properties(height=max(140, 60 * len(frame)))


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite specification, its data inline. Unvalidated: Altair's schema check
    costs more than building the chart, and these charts are fixed code the tests validate."""
    return chart.to_dict(validate=False)
