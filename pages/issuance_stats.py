"""Issuance stats: how many admin portal links the team issued, and how many turned into SSO."""

import datetime as dt

import streamlit as st

from dashboard import charts, runtime
from dashboard.errors import PortalDeskError
from dashboard.models import FEATURE_LABELS, ISSUANCE_KINDS
from dashboard.stats import IssuanceStats, StatsFilter
from dashboard.ui.feedback import show_error
from dashboard.ui.shell import ensure_app_shell

ensure_app_shell()

WHEN = "D MMM YYYY, HH:mm"
TABLE_CONFIG = {
    "issued_at": st.column_config.DatetimeColumn("Issued", format=WHEN),
    "organization_name": "Organization",
    "organization_id": "Organization id",
    "features": "Features",
    "kind": "Kind",
    "issued_by": "Issued by",
    "recipient_email": "Recipient",
    "note": "Note",
    "expires_at": st.column_config.DatetimeColumn("Expires", format=WHEN),
    "revoked_at": st.column_config.DatetimeColumn("Revoked", format=WHEN),
    "revoked_by": "Revoked by",
    "link_id": "Link id",
}

st.title("Issuance stats")
config = runtime.settings()
try:
    gateway = runtime.gateway(config)
    store = runtime.history(config, gateway)
except PortalDeskError as error:
    # The stats come from the local history alone: Scalekit being down doesn't stop them.
    st.caption(f"Scalekit is out of reach ({error}); the figures below come from the local history.")
    try:
        store = runtime.store(config.database_url)
    except PortalDeskError as store_error:
        show_error(store_error)
        st.stop()
stats = IssuanceStats(store)
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
            help="Only this environment's links are counted; demo rows are filed under 'emulator'.",
        )
        _, reps, orgs = runtime.stats_choices(config.database_url, env)
except PortalDeskError as error:
    show_error(error)
    st.stop()

when, rep, org, kind, feature = st.columns([2.2, 2, 2, 1.4, 1.6])
picked = when.date_input("Issued between", (today - dt.timedelta(days=90), today), max_value=today)
start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (picked, picked)
flt = StatsFilter(
    environment=env,
    start=dt.datetime.combine(start, dt.time(), dt.UTC),
    end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
    reps=tuple(rep.multiselect("Rep", reps, placeholder="Everyone")),
    organizations=tuple(org.multiselect("Organization", list(orgs), format_func=orgs.get, placeholder="All")),
    kinds=tuple(kind.multiselect("Kind", ISSUANCE_KINDS, placeholder="Both")),
    features=tuple(
        feature.multiselect(
            "Feature", list(FEATURE_LABELS), format_func=FEATURE_LABELS.get, placeholder="Any"
        )
    ),
)
now = dt.datetime.now(dt.UTC)
try:
    kpis = stats.kpis(flt, now)
except PortalDeskError as error:
    show_error(error)
    st.stop()

if not kpis.links_issued:
    st.info(
        "No links were issued in this range with these filters. Widen the dates or clear a filter; "
        "links appear here as soon as reps issue them on the Share link or Portal preview pages.",
        icon=":material/query_stats:",
    )
    st.stop()

row1 = st.columns(4)
row1[0].metric("Links issued", f"{kpis.links_issued:,}")
row1[1].metric("Organizations reached", f"{kpis.organizations_reached:,}")
row1[2].metric("Active now", f"{kpis.active_now:,}")
row1[3].metric("Revoked", f"{kpis.revoked:,}")
row2 = st.columns(4)
row2[0].metric(
    "Expired unused", f"{kpis.expired_unused:,}", help="Expired while the organization's SSO was off"
)
rate = f"{kpis.conversion_rate:.0%}" if kpis.conversion_rate is not None else "—"
row2[1].metric(
    "SSO enabled after a link",
    f"{kpis.converted:,}",
    f"{rate} of organizations reached",
    delta_color="off",
    delta_arrow="off",
)
median = f"{kpis.median_days_to_sso:.1f} days" if kpis.median_days_to_sso is not None else "—"
row2[2].metric(
    "Median time to SSO", median, help="From an organization's first link in the range to SSO enabled"
)

grain_col, by_col = st.columns(2)
grain = grain_col.segmented_control("Per", ["day", "week"], default="week", key="stats_grain") or "week"
by = by_col.segmented_control("Split by", ["kind", "feature"], default="kind", key="stats_by") or "kind"
try:
    st.altair_chart(charts.links_over_time(stats.per_period(flt, grain, by), grain, by), width="stretch")
    left, middle, right = st.columns([2, 2, 1.4])
    left.markdown("**Per rep**")
    left.altair_chart(charts.per_rep(stats.per_rep(flt)), width="stretch")
    middle.markdown("**Top organizations**")
    middle.altair_chart(charts.top_organizations(stats.top_organizations(flt)), width="stretch")
    right.markdown("**Status**")
    right.altair_chart(charts.status_breakdown(stats.status_breakdown(kpis)), width="stretch")
    table = stats.rows(flt, limit=1000)
except PortalDeskError as error:
    show_error(error)
    st.stop()

st.markdown("**Links**")
st.caption(
    f"Newest {len(table):,} of {kpis.links_issued:,} links. The CSV has all of them; no link location "
    "is ever stored, so none is exported."
)
st.dataframe(table, hide_index=True, column_config=TABLE_CONFIG)
st.download_button(
    "Download CSV",
    data=lambda: stats.csv(flt),
    file_name=f"portal-links-{start}-{end}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
