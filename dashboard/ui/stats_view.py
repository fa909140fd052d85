"""The Issuance stats page's widgets: the filter bar, the funnel and KPI rows, the table's columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import charts
from ..history.funnel import Funnel
from ..history.issued import StatsFilter
from ..history.stats import Kpis
from ..models import FEATURE_LABELS, KIND_LABELS, LINK_KINDS, Operator
from ..permissions import can
from .text import plain

WHEN = "D MMM YYYY, HH:mm"
TABLE_CONFIG: dict[str, Any] = {
    "issued_at": st.column_config.DatetimeColumn("Issued", format=WHEN),
    "reference": "Reference",
    "kind": "Kind",
    "organization_name": "Organization",
    "organization_id": "Organization id",
    "features": "Features",
    "issued_by": "Issued by",
    "recipient_email": "Recipient",
    "note": "Note",
    "expires_at": st.column_config.DatetimeColumn("Expires", format=WHEN),
    "opens": st.column_config.NumberColumn("Opens", format="%d"),
    "first_opened_at": st.column_config.DatetimeColumn("First opened", format=WHEN),
    "revoked_at": st.column_config.DatetimeColumn("Revoked", format=WHEN),
    "revoked_by": "Revoked by",
}


def hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def filter_bar(
    environment: str, reps: list[str], orgs: dict[str, str], operator: Operator, today: dt.date
) -> tuple[StatsFilter, dt.date, dt.date]:
    """The filters, as the wanted StatsFilter (reporting.scope narrows it to what the operator may
    see), and the chosen first and last day."""
    when, rep, org, kind, feature = st.columns([2.2, 2, 2, 1.6, 1.6])
    picked = when.date_input("Issued between", (today - dt.timedelta(days=90), today), max_value=today)
    days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, dt.date)]
    start, end = (days[0], days[-1]) if days else (today, today)  # mid-selection: one day chosen
    if can(operator, "stats_all"):
        chosen_reps = tuple(rep.multiselect("Rep", reps, placeholder="Everyone"))
    else:
        rep.text_input(
            "Rep", value=plain(operator.name or "", 80), disabled=True, help="A rep sees their own work."
        )
        chosen_reps = ()
    wanted = StatsFilter(
        environment=environment,
        start=dt.datetime.combine(start, dt.time(), dt.UTC),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
        reps=chosen_reps,
        organizations=tuple(
            org.multiselect("Organization", list(orgs), format_func=lambda oid: orgs[oid], placeholder="All")
        ),
        kinds=tuple(
            kind.multiselect(
                "Kind",
                LINK_KINDS,
                format_func=lambda kind: KIND_LABELS[kind],
                placeholder="All but previews",
                help="Previews (the reps' own portal sessions) count only when picked.",
            )
        ),
        features=tuple(
            feature.multiselect(
                "Feature",
                list(FEATURE_LABELS),
                format_func=lambda name: FEATURE_LABELS[name],
                placeholder="Any",
            )
        ),
    )
    return wanted, start, end


def funnel_row(funnel: Funnel) -> None:
    steps = st.columns(5)
    steps[0].metric("Invitations issued", f"{funnel.issued:,}")
    steps[1].metric(
        "Opened",
        f"{funnel.opened:,}",
        f"{funnel.rate(funnel.opened) or 0:.0%} of issued",
        delta_color="off",
        delta_arrow="off",
    )
    steps[2].metric(
        "SSO enabled after",
        f"{funnel.sso_enabled:,}",
        f"{funnel.rate(funnel.sso_enabled) or 0:.0%} of issued",
        delta_color="off",
        delta_arrow="off",
        help="By the customer: SSO a rep switched on in the Portal preview is not counted.",
    )
    steps[3].metric("Median issue → first open", hours(funnel.median_hours_to_open))
    steps[4].metric(
        "Median first open → SSO",
        hours(None if funnel.median_days_open_to_sso is None else funnel.median_days_open_to_sso * 24),
    )


def kpi_row(kpis: Kpis) -> None:
    row = st.columns(6)
    row[0].metric("Issued", f"{kpis.issued:,}", help="Invitations, direct links (and previews when picked)")
    row[1].metric("Organizations reached", f"{kpis.organizations_reached:,}")
    row[2].metric("Open now", f"{kpis.active_now:,}", help="Not expired, not revoked")
    row[3].metric("Revoked", f"{kpis.revoked:,}")
    row[4].metric("Expired unopened", f"{kpis.expired_unopened:,}")
    rate = f"{kpis.conversion_rate:.0%}" if kpis.conversion_rate is not None else "—"
    row[5].metric(
        "SSO after",
        f"{kpis.converted:,}",
        f"{rate} of reached",
        delta_color="off",
        delta_arrow="off",
        help="Organizations reached whose SSO was enabled afterwards; median "
        f"{kpis.median_days_to_sso or 0:.1f} days from the first open (or issue) to SSO enabled",
    )


CHARTS: dict[str, Callable[..., Any]] = {
    "items_over_time": charts.items_over_time,
    "funnel_by_rep": charts.funnel_by_rep,
    "top_organizations": charts.top_organizations,
    "per_rep": charts.per_rep,
    "status_breakdown": charts.status_breakdown,
}


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(name: str, frame: pd.DataFrame, *args: object) -> dict[str, Any]:
    return charts.spec(CHARTS[name](frame, *args))


def chart(where: DeltaGenerator, name: str, frame: pd.DataFrame, *args: object) -> None:
    """One of the page's charts. Its Vega-Lite is made once per chart and data: a later visit, or
    a filter change that leaves a chart's numbers alone, draws it without building it again."""
    where.vega_lite_chart(spec=_spec(name, frame, *args), width="stretch")
