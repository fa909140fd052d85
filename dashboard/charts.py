"""Altair charts of the issuance statistics: DataFrames in, charts out (no Streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd

STATUS_COLORS = alt.Scale(domain=["active", "expired", "revoked"], range=["#2e9e5b", "#9aa3b5", "#d6455d"])


def links_over_time(frame: pd.DataFrame, grain: str, by: str) -> alt.Chart:
    label = "Week (UTC)" if grain == "week" else "Day (UTC)"
    # The time unit sets each bar's width: a whole week, or a whole day.
    unit = "yearweek" if grain == "week" else "yearmonthdate"
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title=label, timeUnit=unit),
            y=alt.Y("sum(links):Q", title="Links issued"),
            color=alt.Color("group:N", title="Kind" if by == "kind" else "Features"),
            tooltip=[
                alt.Tooltip("period:T", title=label),
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("sum(links):Q", title="Links"),
            ],
        )
        .properties(height=280)
    )


def per_rep(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("links:Q", title="Links issued"),
            y=alt.Y("rep:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            tooltip=["rep:N", "links:Q", alt.Tooltip("organizations:Q", title="Organizations reached")],
        )
        .properties(height=max(120, 26 * len(frame)))
    )


def top_organizations(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar(color="#5b5bd6")
        .encode(
            x=alt.X("links:Q", title="Links issued"),
            y=alt.Y("organization:N", sort="-x", title=None, axis=alt.Axis(labelLimit=240)),
            tooltip=["organization:N", "organization_id:N", "links:Q"],
        )
        .properties(height=max(120, 26 * len(frame)))
    )


def status_breakdown(frame: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta("links:Q"),
            color=alt.Color("status:N", scale=STATUS_COLORS, title="Status"),
            tooltip=["status:N", "links:Q"],
        )
        .properties(height=240)
    )
