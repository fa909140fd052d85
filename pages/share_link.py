"""Share link: send a customer's IT admin an admin portal link, and revoke links."""

import streamlit as st

from dashboard import identity, links
from dashboard.errors import PortalDeskError
from dashboard.ui.active_links import organization_links, show_flash
from dashboard.ui.feedback import show_error
from dashboard.ui.link_card import issued_link_card
from dashboard.ui.pickers import choose_organization
from dashboard.ui.shell import ensure_app_shell, services

ensure_app_shell()

st.title("Share link")
st.caption(
    "Send a customer's IT admin a link to Scalekit's admin portal, where they configure "
    "SSO and directory sync themselves."
)

config, gateway, store = services()
operator = identity.current(config)
org = choose_organization(gateway)
if not operator.known:
    st.info(
        "Issuing and revoking are disabled until Portal Desk knows who you are: enter your name "
        "in the sidebar.",
        icon=":material/badge:",
    )

scope = org.id if org else "none"  # fresh defaults whenever another organization is chosen
with st.form(f"issue-{scope}"):
    st.markdown("**Features the link opens**")
    left, right = st.columns(2)
    enabled = org.enabled_features if org else ()
    sso = left.checkbox("SSO", value=("sso" in enabled) or not enabled)
    dir_sync = right.checkbox("Directory sync (SCIM)", value="dir_sync" in enabled)
    email = st.text_input("Recipient email (optional)", placeholder="it-admin@customer.com")
    note = st.text_input(
        "Note or ticket (optional)", placeholder="e.g. SUP-1234, kickoff call", max_chars=links.NOTE_MAX
    )
    submitted = st.form_submit_button(
        "Generate link", type="primary", icon=":material/add_link:", disabled=not operator.known
    )

if submitted:
    try:
        issued = links.issue_link(
            gateway,
            store,
            environment=config.environment_host,
            organization=org,
            features=[name for name, on in (("sso", sso), ("dir_sync", dir_sync)) if on],
            operator=operator.name,
            recipient_email=email,
            note=note,
        )
    except PortalDeskError as error:
        show_error(error)
    else:
        issued_link_card(issued)  # shown this once: the location lives in no state, file or log

if org is not None:
    st.subheader("Active links")
    show_flash()
    organization_links(gateway, store, environment=config.environment_host, org=org, operator=operator)
