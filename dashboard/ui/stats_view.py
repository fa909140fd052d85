"""The Issuance stats page's widgets: the filter bar (kept in the URL), the figures in one
block, the charts, the table's columns."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import charts
from ..history.funnel import Funnel
from ..history.issued import StatsFilter
from ..history.stats import Choices, Kpis
from ..models import FEATURE_LABELS, KIND_LABELS, LINK_KINDS, Operator
from ..permissions import can
from ..stats_view_state import StatsView, read_view, view_params
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
# A multiselect of thousands of organizations cost the browser seconds at every load (a million
# rows over 8,000 organizations: 7.1 s a warm load, 4.3 s with 200 offered), and nobody scrolls it.
ORG_CHOICES = 300
KEYS = {"dates": "stats_dates", "reps": "stats_reps", "orgs": "stats_orgs", "kinds": "stats_kinds",
        "features": "stats_features", "split": "stats_by", "table": "stats_table"}  # fmt: skip


def offered_organizations(orgs: dict[str, str], chosen: list[str]) -> list[str]:
    """The organization filter's options: the ORG_CHOICES issued to most recently (``orgs`` comes
    in that order) and every one already chosen, by name."""
    kept = [*itertools.islice(orgs, ORG_CHOICES), *(oid for oid in chosen if oid in orgs)]
    return sorted(dict.fromkeys(kept), key=lambda oid: (orgs[oid].casefold(), oid))


def _seed(choices: Choices, today: dt.date) -> None:
    """Widgets start from the URL's view the first time they are drawn in a session (or after a
    page switch dropped them); from then on they are the truth and the URL follows them."""
    view = read_view(st.query_params.get_all, choices.reps, choices.organizations, today)
    seeds = {
        "dates": (view.start, view.end),
        "reps": list(view.reps),
        "orgs": list(view.organizations),
        "kinds": list(view.kinds),
        "features": list(view.features),
        "split": view.split,
        "table": view.table,
    }
    for name, value in seeds.items():
        st.session_state.setdefault(KEYS[name], value)


def keep_in_url(view: StatsView, today: dt.date) -> None:
    wanted = view_params(view, today)
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    if current != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)


def filter_bar(
    environment: str, choices: Choices, operator: Operator, today: dt.date
) -> tuple[StatsFilter, StatsView]:
    """The filters, as the wanted StatsFilter (reporting.scope narrows it to what the operator may
    see), and the view they make (the page keeps it in the URL once every widget is drawn)."""
    _seed(choices, today)
    # Two rows of three: at 1,280 px beside the sidebar, five in a row cut their values short.
    when, rep, org = st.columns(3)
    kind, feature, split = st.columns(3)
    picked = when.date_input("Issued between", key=KEYS["dates"], max_value=today, format="YYYY-MM-DD")
    days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, dt.date)]
    start, end = (days[0], days[-1]) if days else (today, today)  # mid-selection: one day chosen
    names = choices.names
    if can(operator, "stats_all"):
        chosen_reps = tuple(
            rep.multiselect(
                "Rep",
                choices.reps,
                format_func=lambda email: plain(charts.rep_label(email, names), 80),
                placeholder="Everyone",
                key=KEYS["reps"],
            )
        )
    else:
        shown = operator.display_name or charts.rep_label(operator.name or "", names)
        rep.text_input("Rep", value=plain(shown, 80), disabled=True, help="A rep sees their own work.")
        chosen_reps = ()
    orgs = choices.organizations
    offered = offered_organizations(orgs, st.session_state.get(KEYS["orgs"]) or [])
    view = StatsView(
        start=start,
        end=end,
        reps=chosen_reps,
        organizations=tuple(
            org.multiselect(
                "Organization",
                offered,
                format_func=lambda oid: plain(orgs[oid], 80),
                placeholder="All",
                key=KEYS["orgs"],
                help=None
                if len(orgs) <= ORG_CHOICES
                else f"The {ORG_CHOICES} organizations issued to most recently, of {len(orgs):,}. A link "
                "to a view may name any of them (?organization=org_…).",
            )
        ),
        kinds=tuple(
            kind.multiselect(
                "Kind",
                LINK_KINDS,
                format_func=lambda k: KIND_LABELS[k],
                placeholder="Not previews",
                help="Previews (the reps' own portal sessions) count only when picked.",
                key=KEYS["kinds"],
            )
        ),
        features=tuple(
            feature.multiselect(
                "Feature",
                list(FEATURE_LABELS),
                format_func=lambda name: FEATURE_LABELS[name],
                placeholder="Any",
                key=KEYS["features"],
            )
        ),
        split=split.segmented_control("Split the chart by", ["kind", "feature"], key=KEYS["split"]) or "kind",
        table=bool(st.session_state.get(KEYS["table"])),
    )
    wanted = StatsFilter(
        environment=environment,
        start=dt.datetime.combine(start, dt.time(), dt.UTC),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
        reps=view.reps,
        organizations=view.organizations,
        kinds=view.kinds,
        features=view.features,
    )
    return wanted, view


def table_toggle() -> bool:
    return st.toggle("Show the issued items", key=KEYS["table"])


def _pct(part: int, whole: int) -> str:
    return f" · {part / whole:.0%}" if whole else ""


def figures(kpis: Kpis, funnel: Funnel) -> str:
    """Every figure of the page in one Markdown block (one element for the browser to lay out):
    the invitation funnel with its median times, then everything issued."""
    to_open = charts.say_duration(
        None if funnel.median_hours_to_open is None else funnel.median_hours_to_open * 3600
    )
    to_sso = charts.say_duration(
        None if funnel.median_days_open_to_sso is None else funnel.median_days_open_to_sso * 86400
    )
    rate = f" · {kpis.conversion_rate:.0%} of reached" if kpis.conversion_rate is not None else ""
    return "\n".join(
        [
            "| Invitations issued | Opened | SSO enabled after | Median issue → first open "
            "| Median first open → SSO |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| **{funnel.issued:,}** | **{funnel.opened:,}**{_pct(funnel.opened, funnel.issued)} "
            f"| **{funnel.sso_enabled:,}**{_pct(funnel.sso_enabled, funnel.issued)} | {to_open} | {to_sso} |",
            "",
            "| Issued (all kinds) | Organizations reached | Open now | Revoked | Expired unopened "
            "| Organizations with SSO after |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| **{kpis.issued:,}** | {kpis.organizations_reached:,} | {kpis.active_now:,} "
            f"| {kpis.revoked:,} | {kpis.expired_unopened:,} | **{kpis.converted:,}**{rate} |",
            "",
            ":gray[SSO counts when the customer enabled it after the first open (not a rep's preview); "
            "previews count only when picked in Kind.]",
        ]
    )


CHARTS: dict[str, Callable[..., Any]] = {
    "items_over_time": charts.items_over_time,
    "per_rep": charts.per_rep,
    "top_organizations": charts.top_organizations,
    "status_breakdown": charts.status_breakdown,
}


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(name: str, frame: pd.DataFrame, *args: object) -> dict[str, Any]:
    return charts.spec(CHARTS[name](frame, *args))


def chart(where: DeltaGenerator, name: str, frame: pd.DataFrame, *args: object) -> None:
    """One of the page's charts, drawn as SVG (its numbers are text a screen reader and a test
    can find). Its Vega-Lite is made once per chart and data: a later visit, or a filter change
    that leaves a chart's numbers alone, draws it without building it again."""
    spec = _spec(name, frame, *args) | {"usermeta": {"embedOptions": {"renderer": "svg"}}}
    # Vega-Lite stretches single and layered views only (a concatenation warns in the console).
    where.vega_lite_chart(spec=spec, width="content" if "hconcat" in spec else "stretch")
