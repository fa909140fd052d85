"""Activity: who did what in Portal Desk, when, to which organization (managers and admins)."""

import datetime as dt

import streamlit as st

from dashboard import activity, identity, reporting
from dashboard.errors import PortalDeskError
from dashboard.models import ACTIVITY_LABELS, is_organization_id
from dashboard.permissions import reason
from dashboard.ui.feedback import show_error
from dashboard.ui.notifications import notification_list
from dashboard.ui.shell import ensure_app_shell, history_services

ensure_app_shell()

st.title("Activity")
config, history = history_services()  # the history alone: works while Scalekit is down
operator = identity.current(config)
env = config.environment_host
if refused := reason(operator, "activity"):
    st.info(refused, icon=":material/lock:")
    st.stop()
st.caption(
    "Every action taken in Portal Desk, by whom and in which role: sign-ins, invitations, portal links, "
    "previews, organization changes and exports. Links and invitation URLs are never recorded."
)

# Every filter (and the tab) is in the address: a reload keeps the view, and a manager can send it.
actions_tab, told_tab = st.tabs(["Actions", "Notifications"], key="view", bind="query-params")
with told_tab:  # drawn first: the actions below may stop the page early
    notification_list(history, operator, env)
with actions_tab:
    today = dt.datetime.now(dt.UTC).date()
    when, who, what, where = st.columns([2.6, 2, 2, 1.8])
    picked = when.date_input(
        "Between",
        (today - dt.timedelta(days=30), today),
        max_value=today,
        key="between",
        bind="query-params",
    )
    days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, dt.date)]
    start, end = (days[0], days[-1]) if days else (today, today)
    try:
        people = activity.actors(history, operator, env)
    except PortalDeskError as error:
        show_error(error)
        st.stop()
    actors = who.multiselect("Who", people, placeholder="Everyone", key="who", bind="query-params")
    actions = what.multiselect(
        "Action",
        list(ACTIVITY_LABELS),
        format_func=lambda key: ACTIVITY_LABELS[key],
        placeholder="Any",
        key="action",
        bind="query-params",
    )
    typed_org = where.text_input(
        "Organization id", placeholder="org_…", max_chars=64, key="organization", bind="query-params"
    ).strip()
    org_id = typed_org if is_organization_id(typed_org) else None
    if typed_org and org_id is None:
        where.caption("Not an organization id (org_…): every organization is shown.")
    where_filter = activity.ActivityFilter(
        start=dt.datetime.combine(start, dt.time(), dt.UTC),
        end=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC),
        actors=tuple(actors),
        actions=tuple(actions),
        organization_id=org_id,
    )
    try:
        rows = activity.search(history, operator, env, where_filter, limit=5000)
    except PortalDeskError as error:
        show_error(error)
        st.stop()

    if not rows:
        st.info("Nothing was done in this range with these filters.", icon=":material/history:")
        st.stop()
    shown = activity.table(rows)
    st.caption(f"{len(rows):,} actions, newest first" + (" (the newest 5,000)" if len(rows) == 5000 else ""))
    st.dataframe(
        shown,
        hide_index=True,
        height=min(38 + 35 * len(rows), 640),
        column_config={
            "When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm:ss"),
            "Details": st.column_config.TextColumn(width="large"),
        },
    )
    no_export = reason(operator, "export")
    st.download_button(
        "Download CSV",
        data=lambda: reporting.activity_csv(history, operator, env, rows),  # made, and recorded, on the click
        file_name=f"portal-desk-activity-{start}-{end}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=bool(no_export),
        help=no_export,
    )
