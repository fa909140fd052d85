"""Share link: invite a customer's IT admin into the admin portal, or open it now on a call."""

import streamlit as st

from dashboard import identity, invitations, links, runtime
from dashboard.errors import PortalDeskError
from dashboard.messages import sender_for
from dashboard.models import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS, MIN_INVITATION_DAYS
from dashboard.permissions import reason
from dashboard.ui.direct_link import direct_link_card
from dashboard.ui.feedback import show_error, show_flash
from dashboard.ui.invitation_card import issued_invitation_card
from dashboard.ui.invitation_list import WILL_NOT_EMAIL, InvitationDesk, deliver, invitation_list
from dashboard.ui.pickers import choose_organization, feature_boxes, follow_organization
from dashboard.ui.shell import ensure_app_shell, services

ensure_app_shell()

st.title("Share link")
st.caption(
    "Invite a customer's IT admin into Scalekit's admin portal, where they set up SSO and directory "
    "sync themselves. An invitation works for days; every open starts a fresh portal session."
)

config, gateway, history = services()
operator = identity.current(config)
desk = InvitationDesk(
    gateway=gateway,
    history=history,
    environment=config.environment_host,
    relay_url=runtime.relay_url(config, gateway, history),
    mailer=runtime.mailer(config),
    operator=operator,
)
sender = sender_for(operator)  # signs the emails; the customer's replies go to the rep
org = choose_organization(gateway)
refused = reason(operator, "invite")
if refused:
    st.info(refused, icon=":material/badge:")


scope = org.id if org else "none"
# The form keeps one identity whatever the organization, so what a rep typed survives the rerun
# that choosing one starts; its feature boxes take the new organization's defaults, once.
features_changed = follow_organization(org, "invite")
nothing_on = org is not None and not org.enabled_features
if nothing_on:
    st.warning(
        "Both admin portal features are switched off for this organization, so an invitation would open "
        "nothing. An admin can switch SSO or Directory sync on from the Organizations page.",
        icon=":material/block:",
    )
cannot_create = refused or ("Nothing to invite to: both features are switched off." if nothing_on else None)
invite, now_tab = st.tabs(["Invite the IT admin", "Open the portal now"])
with invite, st.form("invite"):
    st.markdown("**Features the portal opens**")
    features = feature_boxes(org, "invite")
    days = st.slider(
        "Works for (days)",
        MIN_INVITATION_DAYS,
        MAX_INVITATION_DAYS,
        value=DEFAULT_INVITATION_DAYS,
        key="invite-days",
    )
    email = st.text_input(
        "IT admin's email (optional)", placeholder="it-admin@customer.com", key="invite-email"
    )
    note = st.text_input(
        "Note or ticket (optional)",
        placeholder="e.g. SUP-1234, kickoff call",
        max_chars=invitations.NOTE_MAX,
        key="invite-note",
    )
    if desk.mailer is None:
        st.caption(f":material/unsubscribe: {WILL_NOT_EMAIL}")
    send_now = desk.mailer is not None and st.checkbox("Email the invitation to the IT admin now", value=True)
    if desk.relay_url is None:
        st.caption("Invitations need DASHBOARD_RELAY_URL, the relay's public address (see the README).")
    created = st.form_submit_button(
        "Create invitation",
        type="primary",
        icon=":material/mail:",
        disabled=bool(cannot_create) or desk.relay_url is None,
        help=cannot_create,
    )
if created and features_changed and org is not None:
    # The click came from a form still showing another organization's feature boxes.
    st.warning(
        "The organization changed as you clicked Create, so nothing was created: check the features "
        "above and click Create invitation again (what you typed is kept).",
        icon=":material/sync_problem:",
    )
elif created:
    try:
        issued = invitations.create(
            gateway,
            history,
            environment=desk.environment,
            relay_url=desk.relay_url,
            organization=org,
            features=features,
            days=days,
            operator=operator,
            recipient_email=email,
            note=note,
        )
    except PortalDeskError as error:
        show_error(error)
    else:
        note_text = deliver(desk, issued, send_now=send_now)  # never raises
        issued_invitation_card(issued, sender=sender, sent_note=note_text)  # the URL lives in no state

with now_tab:
    st.caption(
        "For a rep on a screen share with the customer: a direct link that opens once, within a minute. "
        "Not for email: by the time it is read, it has expired."
    )
    direct_features = feature_boxes(org, f"direct-{scope}")  # no typing here: fresh per organization
    no_direct = reason(operator, "direct_link")
    if st.button(
        "Open the portal now",
        icon=":material/open_in_new:",
        disabled=bool(no_direct) or org is None or nothing_on,
        help=no_direct,
    ):
        try:
            minted = links.open_now(
                gateway,
                history,
                environment=desk.environment,
                organization=org,
                features=direct_features,
                operator=operator,
            )
        except PortalDeskError as error:
            show_error(error)
        else:  # the card follows the link: opened here, or its minute over, it is no longer offered
            expires = minted.link.expires_at or minted.record.issued_at
            direct_link_card(minted.record.id, minted.link.location, expires)

if org is not None:
    st.subheader("Invitations")
    show_flash()
    invitation_list(desk, org)
