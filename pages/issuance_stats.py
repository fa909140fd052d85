"""Issuance stats: invitations issued, opened, and turned into working SSO; per rep and over time."""

import dataclasses
import datetime as dt

import streamlit as st

from dashboard import identity, reporting, runtime
from dashboard.errors import PortalDeskError
from dashboard.permissions import can, reason
from dashboard.ui.feedback import show_error
from dashboard.ui.shell import ensure_app_shell
from dashboard.ui.stats_view import (
    TABLE_CONFIG,
    chart,
    figures,
    filter_bar,
    keep_in_url,
    table_toggle,
)
from dashboard.ui.text import md

ensure_app_shell()

st.title("Issuance stats")
config = runtime.settings()
operator = identity.current(config)
if not can(operator, "stats_all") and (refused := reason(operator, "invite")):
    st.info(f"{refused} Reps see their own work here, managers the whole team's.", icon=":material/lock:")
    st.stop()
try:
    history = runtime.store(config.database_url)
except PortalDeskError as error:
    show_error(error)
    st.stop()
try:
    runtime.history(config, runtime.gateway(config))  # on the emulator: the demo history, once
except PortalDeskError as error:
    # The stats come from the local history alone: Scalekit being down doesn't stop them.
    st.caption(
        f"Scalekit is out of reach ({md(error, None)}); the figures below come from the local history."
    )
today = dt.datetime.now(dt.UTC).date()

env = config.environment_host
try:
    choices = runtime.stats_choices(config.database_url, env)
    if set(choices.environments) - {env}:
        options = sorted(set(choices.environments) | {env})
        env = st.selectbox(
            "Environment",
            options,
            index=options.index(env),
            help="Only this environment's history is counted; demo rows are filed under 'emulator'.",
        )
        choices = runtime.stats_choices(config.database_url, env)
except PortalDeskError as error:
    show_error(error)
    st.stop()

wanted, view = filter_bar(env, choices, operator, today)
try:
    flt = reporting.scope(operator, wanted)
except PortalDeskError as error:
    show_error(error)
    st.stop()
try:
    version = reporting.stats_version(history)
    report = runtime.stats_report(config.database_url, flt, version)
except PortalDeskError as error:
    show_error(error)
    st.stop()
names = choices.names | (
    {operator.name: operator.display_name} if operator.name and operator.display_name else {}
)

if not report.kpis.issued:
    keep_in_url(view, today)
    st.info(
        "Nothing was issued in this range with these filters. Widen the dates or clear a filter; invitations "
        "appear here as soon as reps create them on the Share link page.",
        icon=":material/query_stats:",
    )
    st.stop()

# One element per question (the browser lays out each one): the figures, issues over time, the
# reps, the organizations and the statuses; the rows only when asked for.
st.markdown(figures(report.kpis, report.funnel))
by = view.split
try:
    grain = "day" if flt.days() <= 31 else "week"
    over_time = runtime.stats_per_period(config.database_url, flt, grain, by, version)
    chart(st.container(), "items_over_time", over_time, grain, by, view.start, view.end)
except PortalDeskError as error:
    show_error(error)
chart(st.container(), "per_rep", report.funnel_by_rep, report.per_rep, names)
orgs_col, status_col = st.columns([3, 2])
chart(orgs_col, "top_organizations", report.top_organizations)
chart(status_col, "status_breakdown", report.status)

toggle_col, csv_col = st.columns([3, 1], vertical_alignment="center")
with toggle_col:
    show_table = table_toggle()
keep_in_url(dataclasses.replace(view, table=show_table), today)
no_export = reason(operator, "export")
csv_col.download_button(
    "Download CSV",
    data=lambda: reporting.issued_csv(history, operator, flt),  # made, and recorded, on the click
    file_name=f"portal-desk-{view.start}-{view.end}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    disabled=bool(no_export),
    help=no_export,
)
if show_table:
    st.caption(
        f"Newest {len(report.newest):,} of {report.kpis.issued:,}. The CSV has all of them. No link or "
        "invitation that could open a portal is ever stored, so none is exported: invitations are named "
        "by reference."
    )
    st.dataframe(report.newest, hide_index=True, column_config=TABLE_CONFIG)
