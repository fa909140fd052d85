"""Issuance stats: invitations issued, opened, and turned into working SSO; per rep and over time."""

import datetime as dt

import streamlit as st

from dashboard import charts, runtime
from dashboard.errors import PortalDeskError
from dashboard.history.stats import IssuanceStats, StatsFilter
from dashboard.models import FEATURE_LABELS, KIND_LABELS, LINK_KINDS
from dashboard.ui.feedback import show_error
from dashboard.ui.shell import ensure_app_shell
from dashboard.ui.text import md

ensure_app_shell()

WHEN = "D MMM YYYY, HH:mm"
TABLE_CONFIG = {
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


st.title("Issuance stats")
config = runtime.settings()
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
stats = IssuanceStats(history)
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

when, rep, org, kind, feature = st.columns([2.2, 2, 2, 1.6, 1.6])
picked = when.date_input("Issued between", (today - dt.timedelta(days=90), today), max_value=today)
start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (picked, picked)
flt = StatsFilter(
    environment=env,
    start=dt.datetime.combine(start, dt.time(), dt.UTC),
    end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
    reps=tuple(rep.multiselect("Rep", reps, placeholder="Everyone")),
    organizations=tuple(org.multiselect("Organization", list(orgs), format_func=orgs.get, placeholder="All")),
    kinds=tuple(
        kind.multiselect(
            "Kind",
            LINK_KINDS,
            format_func=KIND_LABELS.get,
            placeholder="All but previews",
            help="Previews (the reps' own portal sessions) count only when picked.",
        )
    ),
    features=tuple(
        feature.multiselect(
            "Feature", list(FEATURE_LABELS), format_func=FEATURE_LABELS.get, placeholder="Any"
        )
    ),
)
now = dt.datetime.now(dt.UTC)
try:
    kpis, funnel = stats.kpis(flt, now), stats.funnel_totals(flt)
except PortalDeskError as error:
    show_error(error)
    st.stop()

if not kpis.issued:
    st.info(
        "Nothing was issued in this range with these filters. Widen the dates or clear a filter; invitations "
        "appear here as soon as reps create them on the Share link page.",
        icon=":material/query_stats:",
    )
    st.stop()

st.subheader("Invitation funnel")
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
)
steps[3].metric("Median issue → first open", hours(funnel.median_hours_to_open))
steps[4].metric(
    "Median first open → SSO",
    hours(None if funnel.median_days_open_to_sso is None else funnel.median_days_open_to_sso * 24),
)

st.subheader("Everything issued")
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
    st.altair_chart(
        charts.items_over_time(stats.per_period(flt, grain, by), grain, by, start, end), width="stretch"
    )
    funnel_col, orgs_col = st.columns(2)
    funnel_col.markdown("**Funnel per rep** (invitations)")
    per_rep_funnel = stats.funnel(flt, by_rep=True)
    if per_rep_funnel.empty:
        funnel_col.caption("No invitation in this selection.")
    else:
        funnel_col.altair_chart(charts.funnel_by_rep(per_rep_funnel), width="stretch")
    orgs_col.markdown("**Top organizations**")
    orgs_col.altair_chart(charts.top_organizations(stats.top_organizations(flt)), width="stretch")
    rep_col, status_col = st.columns([2, 1])
    rep_col.markdown("**Issued per rep**")
    rep_col.altair_chart(charts.per_rep(stats.per_rep(flt)), width="stretch")
    status_col.markdown("**Status**")
    status_col.altair_chart(charts.status_breakdown(stats.status_breakdown(kpis, funnel)), width="stretch")
    table = stats.rows(flt, limit=1000)
except PortalDeskError as error:
    show_error(error)
    st.stop()

st.markdown("**Issued items**")
st.caption(
    f"Newest {len(table):,} of {kpis.issued:,}. The CSV has all of them. No link or invitation that could "
    "open a portal is ever stored, so none is exported: invitations are named by reference."
)
st.dataframe(table, hide_index=True, column_config=TABLE_CONFIG)
st.download_button(
    "Download CSV",
    data=lambda: stats.csv(flt),
    file_name=f"portal-desk-{start}-{end}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
