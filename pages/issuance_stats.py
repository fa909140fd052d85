"""Issuance stats: invitations issued, opened, and turned into working SSO; per rep and over time."""

import datetime as dt

import streamlit as st

from dashboard import identity, reporting, runtime
from dashboard.errors import PortalDeskError
from dashboard.permissions import can, reason
from dashboard.ui.feedback import show_error
from dashboard.ui.shell import ensure_app_shell
from dashboard.ui.stats_view import TABLE_CONFIG, chart, filter_bar, funnel_row, kpi_row
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
    environments, reps, orgs = runtime.stats_choices(config.database_url, env)
    if set(environments) - {env}:
        options = sorted(set(environments) | {env})
        env = st.selectbox(
            "Environment",
            options,
            index=options.index(env),
            help="Only this environment's history is counted; demo rows are filed under 'emulator'.",
        )
        _, reps, orgs = runtime.stats_choices(config.database_url, env)
except PortalDeskError as error:
    show_error(error)
    st.stop()

wanted, start, end = filter_bar(env, reps, orgs, operator, today)
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
kpis, funnel, table = report.kpis, report.funnel, report.newest

if not kpis.issued:
    st.info(
        "Nothing was issued in this range with these filters. Widen the dates or clear a filter; invitations "
        "appear here as soon as reps create them on the Share link page.",
        icon=":material/query_stats:",
    )
    st.stop()

st.subheader("Invitation funnel")
funnel_row(funnel)
st.subheader("Everything issued")
kpi_row(kpis)

# The table is sent before the charts (it stays below them): the browser fetches and lays out
# the grid while the charts are drawn, instead of after.
charts_area = st.container()
st.markdown("**Issued items**")
st.caption(
    f"Newest {len(table):,} of {kpis.issued:,}. The CSV has all of them. No link or invitation that could "
    "open a portal is ever stored, so none is exported: invitations are named by reference."
)
st.dataframe(table, hide_index=True, column_config=TABLE_CONFIG)
no_export = reason(operator, "export")
st.download_button(
    "Download CSV",
    data=lambda: reporting.issued_csv(history, operator, flt),  # made, and recorded, on the click
    file_name=f"portal-desk-{start}-{end}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    disabled=bool(no_export),
    help=no_export,
)

with charts_area:
    grain_col, by_col = st.columns(2)
    short = flt.days() <= 31
    grain = (
        grain_col.segmented_control(
            "Per", ["day", "week"], default="day" if short else "week", key=f"grain-{short}"
        )
        or "week"
    )
    by = by_col.segmented_control("Split by", ["kind", "feature"], default="kind", key="stats_by") or "kind"
    try:
        over_time = runtime.stats_per_period(config.database_url, flt, grain, by, version)
        chart(st.container(), "items_over_time", over_time, grain, by, start, end)
    except PortalDeskError as error:
        show_error(error)
    funnel_col, orgs_col = st.columns(2)
    funnel_col.markdown("**Funnel per rep** (invitations)")
    if report.funnel_by_rep.empty:
        funnel_col.caption("No invitation in this selection.")
    else:
        chart(funnel_col, "funnel_by_rep", report.funnel_by_rep)
    orgs_col.markdown("**Top organizations**")
    chart(orgs_col, "top_organizations", report.top_organizations)
    rep_col, status_col = st.columns([2, 1])
    rep_col.markdown("**Issued per rep**")
    chart(rep_col, "per_rep", report.per_rep)
    status_col.markdown("**Status**")
    chart(status_col, "status_breakdown", report.status)
