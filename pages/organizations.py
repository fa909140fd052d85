"""Organizations: find any customer and see its SSO/SCIM onboarding state at a glance."""

import datetime as dt

import streamlit as st

from dashboard import identity, organizations, runtime
from dashboard.errors import PortalDeskError
from dashboard.models import REGION_LABELS, REGIONS, is_organization_id
from dashboard.permissions import reason
from dashboard.ui.feedback import show_error, show_flash
from dashboard.ui.org_detail import organization_detail_view
from dashboard.ui.org_table import ListView, filter_controls, live_tables, regions
from dashboard.ui.shell import ensure_app_shell, services

ensure_app_shell()

config, gateway, history = services()
env = config.environment_host
operator = identity.current(config)

if selected := st.query_params.get("org"):
    if is_organization_id(selected):
        organization_detail_view(gateway, history, config, selected, operator)
        st.stop()
    st.warning(
        "The address names an organization id that is not valid, so it was ignored. Pick the organization "
        "from the list.",
        icon=":material/search_off:",
    )

st.title("Organizations")
show_flash()  # e.g. "… was deleted", after the detail view
search, refresh, create = st.columns([5, 1.4, 2], vertical_alignment="bottom")
query = search.text_input(
    "Search", placeholder="Name, organization id or external id", key="q", bind="query-params"
)
if refresh.button(
    "Refresh", icon=":material/refresh:", help="List the organizations and their statuses again"
):
    try:
        asked = runtime.refresh_listings(config, history)
    except PortalDeskError as error:
        show_error(error)
    else:
        if not asked:
            st.warning(
                "Portal Desk's worker is not running, so nothing can be refreshed. Start it: `make worker`."
            )

no_create = reason(operator, "create_organization")
with (
    create.popover(
        "New organization",
        icon=":material/add_business:",
        width="stretch",
        disabled=bool(no_create),
        help=no_create,
    ),
    st.form("new-organization", clear_on_submit=False),
):
    name = st.text_input("Display name", max_chars=200)
    external_id = st.text_input("External id (optional)", help="Your CRM's id; unique in the environment")
    region = st.selectbox("Region", REGIONS, format_func=REGION_LABELS.__getitem__)
    if st.form_submit_button("Create", type="primary"):
        try:
            org = organizations.create(
                gateway,
                history,
                operator,
                environment=env,
                display_name=name,
                external_id=external_id,
                region=region,
            )
        except PortalDeskError as error:
            show_error(error)
        else:
            runtime.forget_detail()
            st.query_params["org"] = org.id
            st.rerun()

try:
    board = runtime.board(config, history)
    matches = None
    if query.strip():
        found = runtime.search_organizations(gateway, query, list(board.organizations))
        matches = tuple(org.id for org in found)
except PortalDeskError as error:
    show_error(error)
    st.stop()

me = operator.name if operator.known else None
filters = filter_controls(regions(board), me)
if "organizations_since" not in st.session_state:  # once per visit: later changes are marked
    now = dt.datetime.now(dt.UTC)
    st.session_state["organizations_since"] = organizations.last_visit(history, operator, env, now)
    st.session_state["organizations_opened_at"] = now
live_tables(
    ListView(
        config=config,
        history=history,
        since=st.session_state["organizations_since"],
        opened_at=st.session_state["organizations_opened_at"],
        matches=matches,
        operator=operator,
    ),
    filters,
)
