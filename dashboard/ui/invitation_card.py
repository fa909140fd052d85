"""What a rep sees once, right after an invitation is created or its link replaced."""

from __future__ import annotations

import streamlit as st

from .. import messages
from ..formatting import absolute, countdown
from ..invitations import IssuedInvitation
from ..models import features_text
from .text import md


def issued_invitation_card(
    issued: IssuedInvitation, *, sender_name: str, sent_note: str | None = None
) -> None:
    """The invitation's URL, shown this once; the email draft and chat text that carry it."""
    invitation = issued.invitation
    name = md(invitation.organization_name)
    with st.container(border=True):
        st.success(
            f"Invitation **{invitation.reference}** for **{name}** is ready "
            f"({features_text(invitation.features)}).",
            icon=":material/mark_email_read:",
        )
        st.code(issued.url, language=None, wrap_lines=True)
        st.caption("Copy it now: Portal Desk shows it once and keeps only a fingerprint of it.")
        st.markdown(f"**Works until** {absolute(invitation.expires_at)} · {countdown(invitation.expires_at)}")
        if sent_note:
            st.info(sent_note, icon=":material/send:")
        st.warning(
            "This invitation is a credential. Anyone who has it can open the admin portal and change "
            f"{name}'s SSO and SCIM settings. Send it only to the customer's IT admin, and revoke it if "
            "it reaches anyone else. You will see here when it is opened.",
            icon=":material/key:",
        )
        email, chat = st.tabs(["Email", "Chat"])
        with email:
            subject, body = messages.invitation_email(invitation, issued.url, sender_name)
            to = invitation.recipient_email or "no recipient set"
            st.markdown(f"**To:** {md(to)}  \n**Subject:** {md(subject)}")
            st.link_button(
                "Open email draft",
                messages.mailto_url(invitation, issued.url, sender_name),
                icon=":material/mail:",
            )
            st.code(body, language=None, wrap_lines=True)
        with chat:
            st.code(messages.chat_message(invitation, issued.url), language=None, wrap_lines=True)
