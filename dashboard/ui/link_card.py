"""The card that shows a freshly issued link, once."""

from __future__ import annotations

import streamlit as st

from .. import messages
from ..formatting import absolute, countdown, md_escape
from ..links import IssuedLink


def issued_link_card(issued: IssuedLink) -> None:
    name = md_escape(issued.issuance.organization_name)
    with st.container(border=True):
        st.success(f"Admin portal link for **{name}** is ready.", icon=":material/link:")
        st.code(issued.link.location, language=None, wrap_lines=True)
        st.caption("Copy it now: Portal Desk shows a link once and never stores it.")
        st.markdown(f"**Expires** {absolute(issued.link.expires_at)} · {countdown(issued.link.expires_at)}")
        if issued.short_lived:
            st.info(
                "Scalekit issued a short-lived link: it is for immediate use (open it now, or "
                "share it on a live call), not for email.",
                icon=":material/timer:",
            )
        st.warning(
            f"This link is a credential. Anyone who has it can view and change {name}'s SSO "
            "and SCIM settings. Send it only to the customer's IT admin, and revoke it if it "
            "reaches anyone else.",
            icon=":material/key:",
        )
        email, chat = st.tabs(["Email", "Chat"])
        with email:
            to = issued.issuance.recipient_email or "no recipient set"
            st.markdown(
                f"**To:** {md_escape(to)}  \n**Subject:** {md_escape(messages.email_subject(issued))}"
            )
            st.link_button("Open email draft", messages.mailto_url(issued), icon=":material/mail:")
            st.code(messages.email_body(issued), language=None, wrap_lines=True)
        with chat:
            st.code(messages.chat_message(issued), language=None, wrap_lines=True)
