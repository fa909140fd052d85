"""Altair charts of the issuance statistics: DataFrames in, charts out (no Streamlit here).

One figure per question a manager asks in a review, each carrying its numbers: every bar and
slice is labelled with its count, reps are named as the directory names them (the email in the
tooltip), and durations read as people say them ("3 min", "2 h", "4 days"). :func:`spec` turns a
chart into the Vega-Lite the browser draws; the tests check every chart against Vega-Lite's
schema once, so the page need not on every run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import altair as alt
import pandas as pd

STATUS_COLORS = ["#5b5bd6", "#2e9e5b", "#9aa3b5", "#d6455d"]
FUNNEL_STEPS = ("Issued", "Opened", "SSO enabled")
COUNT = alt.Axis(format="d", tickMinStep=1)  # counts: whole numbers only, never 0.5 of an invitation
FUNNEL_COLORS = alt.Scale(domain=list(FUNNEL_STEPS), range=["#5b5bd6", "#2e9e5b", "#e08a1e"])
INK = "#1f2430"
REPS_SHOWN = 10  # the busiest; more would not fit a screen with their numbers


def say_duration(seconds: float | None) -> str:
    """A duration in the unit people say: "3 min", "2 h", "4 days" (never "0.0 h")."""
    if seconds is None or pd.isna(seconds):
        return "—"
    if seconds < 60:
        return "under 1 min"
    minutes = seconds / 60
    if minutes < 90:
        return f"{int(minutes + 0.5)} min"
    hours = minutes / 60
    if hours < 36:
        return f"{int(hours + 0.5)} h"
    days = int(hours / 24 + 0.5)
    return f"{days} days"


def rep_label(email: str, names: dict[str, str]) -> str:
    """A rep as people know them: the directory's display name, else the email."""
    name = (names.get(email) or "").strip()
    return name or email


def _labels(emails: pd.Series, names: dict[str, str]) -> pd.Series:
    """Display names, made unique: two reps with one name keep their emails beside it."""
    labels = emails.map(lambda email: rep_label(email, names))
    clash = labels.duplicated(keep=False)
    return labels.where(~clash, labels + " (" + emails + ")")


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
    totals = base.mark_text(dy=-6, color=INK).encode(
        x=x, y=alt.Y("sum(items):Q"), text=alt.Text("sum(items):Q")
    )
    return alt.LayerChart(layer=[bars, totals]).properties(height=260, title=f"Issued per {grain}, by {by}")


def per_rep(funnel: pd.DataFrame, items: pd.DataFrame, names: dict[str, str]) -> alt.HConcatChart:
    """Per rep, one row: their invitations issued, opened and followed by SSO (bars side by side,
    each with its count), then everything they issued and their median times, as text beside the
    bars. The busiest :data:`REPS_SHOWN` reps; the rest are in the table and the CSV."""
    frame = (
        items[["rep", "items"]]
        .merge(funnel, on="rep", how="outer")
        .fillna({"items": 0, "issued": 0, "opened": 0, "sso_enabled": 0})
    )
    frame = frame.sort_values(["items", "issued", "rep"], ascending=[False, False, True]).head(REPS_SHOWN)
    frame["who"] = _labels(frame["rep"], names)
    frame["to_open"] = [
        say_duration(h * 3600 if pd.notna(h) else None) for h in frame["median_hours_to_open"]
    ]
    frame["to_sso"] = [
        say_duration(d * 86400 if pd.notna(d) else None) for d in frame["median_days_open_to_sso"]
    ]
    frame["all_items"] = frame["items"].astype(int).map("{:,}".format)
    order = list(frame["who"])
    steps = frame.rename(columns={"issued": "Issued", "opened": "Opened", "sso_enabled": "SSO enabled"})
    long = steps.melt(
        id_vars=["who", "rep"], value_vars=list(FUNNEL_STEPS), var_name="step", value_name="invitations"
    )
    height = 22 * len(FUNNEL_STEPS) * max(len(frame), 1) + 8 * max(len(frame), 1)
    y = alt.Y("who:N", title=None, sort=order, axis=alt.Axis(labelLimit=200))
    base = alt.Chart(long).encode(
        y=y,
        yOffset=alt.YOffset("step:N", scale=alt.Scale(domain=list(FUNNEL_STEPS))),
        x=alt.X("invitations:Q", title="Invitations", axis=COUNT),
        color=alt.Color("step:N", scale=FUNNEL_COLORS, title=None, legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("who:N", title="Rep"),
            alt.Tooltip("rep:N", title="Email"),
            "step:N",
            "invitations:Q",
        ],
    )
    bars = alt.LayerChart(
        layer=[base.mark_bar(), base.mark_text(align="left", dx=3, color=INK).encode(text="invitations:Q")]
    ).properties(width=360, height=height)

    def column(field: str, title: str) -> alt.Chart:
        chart: alt.Chart = (
            alt.Chart(frame)
            .mark_text(align="right", color=INK)
            .encode(
                y=alt.Y("who:N", sort=order, title=None, axis=None),
                text=alt.Text(f"{field}:N"),
                tooltip=[alt.Tooltip("who:N", title="Rep"), alt.Tooltip("rep:N", title="Email")],
            )
            .properties(width=90, height=height, title=alt.TitleParams(title, fontSize=12, anchor="end"))
        )
        return chart

    joined: alt.HConcatChart = alt.hconcat(
        bars,
        column("all_items", "All issued"),
        column("to_open", "Issue → open"),
        column("to_sso", "Open → SSO"),
        spacing=8,
        title="Per rep: invitations issued, opened, SSO enabled; median times",
        # Sized by its parts: Streamlit's default ("fit") works for single and layered views only.
        autosize=alt.AutoSizeParams(type="pad"),
    ).configure_view(stroke=None)
    return joined


def top_organizations(frame: pd.DataFrame) -> alt.LayerChart:
    base = alt.Chart(frame).encode(
        x=alt.X("items:Q", title="Issued", axis=COUNT),
        y=alt.Y(
            "organization:N", sort=list(frame["organization"]), title=None, axis=alt.Axis(labelLimit=200)
        ),
        tooltip=["organization:N", "organization_id:N", alt.Tooltip("items:Q", title="Issued")],
    )
    labels = base.mark_text(align="left", dx=3, color=INK).encode(text=alt.Text("items:Q"))
    # A bar's room fixed (24 px) and the width fitted to the column: Streamlit's default "fit"
    # would squeeze ten bars into the status chart's height and drop their labels.
    return alt.LayerChart(layer=[base.mark_bar(color="#5b5bd6"), labels]).properties(
        height=24 * max(len(frame), 4),
        title="Top organizations",
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
    )


def status_breakdown(frame: pd.DataFrame) -> alt.LayerChart:
    """Each issued item in exactly one slice (revoked, else expired, else active and opened or
    not), so the slices add up to the items issued. Only invitations count their opens: an
    active link is "not opened". Mints that never became a link are not issued items. Each
    slice carries its count, and so does its legend entry."""
    shown = frame.assign(label=[f"{s} ({n:,})" for s, n in zip(frame["status"], frame["items"], strict=True)])
    colors = alt.Scale(domain=list(shown["label"]), range=STATUS_COLORS)
    base = alt.Chart(shown).encode(
        theta=alt.Theta("items:Q", stack=True),
        color=alt.Color("label:N", scale=colors, title="Status", legend=alt.Legend(orient="right")),
        tooltip=["status:N", alt.Tooltip("items:Q", title="Items")],
    )
    arcs = base.mark_arc(innerRadius=40, outerRadius=70)  # fits a third of the row beside its legend
    counts = base.transform_filter(alt.datum.items > 0).mark_text(radius=84, color=INK).encode(text="items:Q")
    return alt.LayerChart(layer=[arcs, counts]).properties(height=260, title="Status")


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart's Vega-Lite specification, its data inline. Unvalidated: Altair's schema check
    costs more than building the chart, and these charts are fixed code the tests validate."""
    return chart.to_dict(validate=False)
