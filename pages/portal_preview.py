"""Portal preview: Scalekit's admin portal embedded exactly as a product would embed it."""

import datetime as dt

import streamlit as st

from dashboard import identity, links, preview, runtime
from dashboard.errors import PortalDeskError
from dashboard.models import FEATURE_LABELS, SsoState
from dashboard.organizations import sso_state
from dashboard.permissions import reason
from dashboard.ui.feedback import show_error
from dashboard.ui.pickers import choose_organization
from dashboard.ui.portal_frame import admin_portal
from dashboard.ui.shell import ensure_app_shell, entered_page, forget_on_leave, services
from dashboard.ui.text import md

ensure_app_shell()
STATE = "portal_preview"

st.title("Portal preview")
st.caption(
    "What the customer's IT admin sees when a product embeds Scalekit's admin portal. Every "
    "page load generates a fresh single-use link."
)
config, gateway, history = services()
operator = identity.current(config)
if config.preview_org:
    st.caption("The demo organization (DASHBOARD_PREVIEW_ORG) is chosen first: preview there when you can.")
org = choose_organization(gateway, preferred=config.preview_org)
left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    features = st.segmented_control(
        "Features",
        list(FEATURE_LABELS),
        format_func=lambda name: FEATURE_LABELS[name],
        selection_mode="multi",
        default=list(org.enabled_features) if org else list(FEATURE_LABELS),
        key="features",  # in the address, with the organization and the height: a reload keeps them
        bind="query-params",
    )
height = right.slider(
    "Height (px)", preview.MIN_HEIGHT, 1200, 700, step=50, key="height", bind="query-params"
)
if org is None:
    st.info("Choose an organization to preview its admin portal.", icon=":material/preview:")
    st.stop()
refused = reason(operator, "preview")
if refused:
    st.info(f"{refused} A preview opens a portal link in your name.", icon=":material/badge:")
    st.stop()
demo = org.id == config.preview_org
if not demo:
    st.warning(
        f"This is {md(org.display_name, 120)}'s live admin portal, not a copy. What you change here changes "
        "their SSO and directory settings for real, and is recorded as your doing, never as the customer's.",
        icon=":material/warning:",
    )
try:
    detail = runtime.organization_detail(gateway, org.id, config.call_timeout_s)
    # Connections that did not arrive: whether SSO is live is unknown, so ask as if it were.
    sso_on = detail.lacks("connections") is not None or sso_state(detail.connections)[0] == SsoState.ENABLED
except PortalDeskError as error:
    show_error(error)
    st.stop()
confirmed = st.session_state.setdefault("preview_confirmed", set())
if sso_on and not demo and org.id not in confirmed:
    st.error(
        f"SSO is enabled for {md(org.display_name, 120)}: their people sign in through it today. A wrong "
        "click in the portal can break their sign-in.",
        icon=":material/gpp_bad:",
    )
    if st.button("I understand: open their live portal", type="primary", icon=":material/lock_open:"):
        confirmed.add(org.id)
        st.rerun()
    st.stop()

wanted = (org.id, tuple(f for f in FEATURE_LABELS if f in (features or [])))
current = st.session_state.get(STATE)
if entered_page() or current is None or current.key != wanted:
    try:
        issued = links.start_preview(
            gateway,
            history,
            environment=config.environment_host,
            organization=org,
            features=wanted[1],
            operator=operator,
        )
    except PortalDeskError as error:
        st.session_state.pop(STATE, None)
        show_error(error)
        st.stop()
    current = st.session_state[STATE] = preview.PreviewSession(key=wanted, link=issued.link)
forget_on_leave(STATE)  # the link is a credential: it leaves memory with the page

link = current.link
portal, feed = st.columns([3, 1])
with portal:
    mounted = admin_portal(
        link_id=link.id, src=link.location, origin=preview.origin_of(link.location), height=height
    )
if mounted.spent:  # the browser framed this single-use link already: a fresh one, not an error page
    st.session_state.pop(STATE, None)
    st.rerun()
try:
    fresh = current.take(
        mounted.events, history, org_id=org.id, environment=config.environment_host, actor=operator.name or ""
    )
    if any(event.event_type in preview.STATUS_EVENTS for event in fresh):
        # The worker polls this organization (a link was minted for it); its detail is stale now.
        runtime.forget_detail()
except PortalDeskError as error:
    show_error(error)

with feed:
    st.markdown("**Portal events**")
    st.caption(f"Accepted only from {md(preview.origin_of(link.location))}")
    for event in reversed(current.events):
        with st.container(border=True):
            st.markdown(f"`{event.event_type}`  \n{md(event.message, 300)}")
            st.caption(event.received_at.astimezone(dt.UTC).strftime("%H:%M:%S UTC"))
    if not current.events:
        st.caption("No events yet: enable SSO or directory sync in the portal.")
    if current.budget.dropped:
        st.caption(f"{current.budget.dropped:,} more events were ignored: too many, too fast.")
    if current.ended:
        st.warning(md(current.ended), icon=":material/timer_off:")  # may carry the portal's code
        if st.button("Start a new session", type="primary", icon=":material/restart_alt:"):
            st.session_state.pop(STATE, None)
            st.rerun()

with st.expander("Embed it in your product"):
    st.code(preview.iframe_snippet(height), language="html")
    st.code(preview.SERVER_SNIPPET, language="python")
