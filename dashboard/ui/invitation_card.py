"""What a rep sees once, right after an invitation is created or its link replaced."""

from __future__ import annotations

import streamlit as st

from .. import messages
from ..formatting import absolute, countdown
from ..invitations import IssuedInvitation
from ..mailer import Sender
from ..models import FEATURE_LABELS, features_text
from .feedback import report_unexpected, show_unexpected
from .text import md


def narrower_note(issued: IssuedInvitation) -> str | None:
    """ "Directory sync only: SSO is switched off for this organization", when it is narrower."""
    off = [FEATURE_LABELS[f] for f in issued.switched_off if f not in issued.invitation.features]
    if not off:
        return None
    verb = "is" if len(off) == 1 else "are"
    return (
        f"{features_text(issued.invitation.features)} only: {' and '.join(off)} {verb} switched off for "
        "this organization."
    )


def issued_invitation_card(issued: IssuedInvitation, *, sender: Sender, sent_note: str | None = None) -> None:
    """The invitation's URL, shown this once; the email draft and chat text that carry it.

    The URL is drawn first and alone: the invitation is recorded already, so whatever fails after
    it (a draft, a name that breaks something) must not take the URL with it."""
    invitation = issued.invitation
    with st.container(border=True):
        st.success(f"Invitation **{invitation.reference}** is ready.", icon=":material/mark_email_read:")
        st.code(issued.url, language=None, wrap_lines=True)
        st.caption("Copy it now: Portal Desk shows it once and keeps only a fingerprint of it.")
        try:
            _details(issued, sender, sent_note)
        except Exception:
            show_unexpected(report_unexpected(f"Drawing {invitation.reference}'s card failed"))


def _details(issued: IssuedInvitation, sender: Sender, sent_note: str | None) -> None:
    invitation = issued.invitation
    name = md(invitation.organization_name)
    st.markdown(
        f"For **{name}** ({features_text(invitation.features)}) · **works until** "
        f"{absolute(invitation.expires_at)} · {countdown(invitation.expires_at)}"
    )
    narrower = narrower_note(issued)
    if narrower:
        st.info(md(narrower, None), icon=":material/filter_alt:")
    if sent_note:
        icon = ":material/unsubscribe:" if sent_note.startswith("Not emailed") else ":material/send:"
        st.info(md(sent_note, None), icon=icon)
    st.warning(
        "This invitation is a credential. Anyone who has it can open the admin portal and change "
        f"{name}'s SSO and SCIM settings. Send it only to the customer's IT admin, and revoke it if "
        "it reaches anyone else. You will see here when it is opened.",
        icon=":material/key:",
    )
    email, chat = st.tabs(["Email", "Chat"])
    with email:
        subject, body = messages.invitation_email(invitation, issued.url, sender)
        to = invitation.recipient_email or "no recipient set"
        st.markdown(f"**To:** {md(to)}  \n**Subject:** {md(subject)}")
        st.link_button(
            "Open email draft",
            messages.mailto_url(invitation, issued.url, sender),
            icon=":material/mail:",
        )
        st.code(body, language=None, wrap_lines=True)
    with chat:
        st.code(messages.chat_message(invitation, issued.url), language=None, wrap_lines=True)
