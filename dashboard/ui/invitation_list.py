"""An organization's invitations, from the history (the source of truth): whether and when each
was opened and reminded, with Revoke (behind a confirmation), Send a reminder, Extend and Resend.

The list redraws itself every few seconds (a fragment: nothing else on the page reruns), so an
open on the relay, or a colleague's revoke, shows while the rep watches. Its own actions rerun
only the list, so what they say is kept for a while (``_note``) rather than for one run, and a
replaced URL stays until the rep has copied it or leaves the page."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import streamlit as st

from .. import invitations
from ..errors import PortalDeskError
from ..formatting import absolute, ago, countdown
from ..gateway import ScalekitGateway
from ..history import History
from ..invitations import IssuedInvitation
from ..mailer import Mailer
from ..messages import sender_for
from ..models import (
    DEFAULT_INVITATION_DAYS,
    MAX_INVITATION_DAYS,
    MIN_INVITATION_DAYS,
    Invitation,
    InvitationStatus,
    Operator,
    Organization,
    features_text,
)
from ..permissions import reason, revoking
from .feedback import last_resort, report_unexpected, show_error, show_message
from .invitation_card import issued_invitation_card
from .shell import forget_on_leave
from .text import md

NOTE_KEY = "invitations_note"  # what the list's own last action said, and until when
PENDING_KEY = "invitations_pending_revoke"
REISSUED_KEY = "invitations_reissued"  # a replaced URL: until copied, or the rep leaves the page
REMINDER_KEY = "invitations_reminder"  # a reminder to paste into a chat (no link in it)
REDRAW_S = 2.0  # how often an open list looks for opens and changes: one short query
NOTE_S = 20.0  # how long an action's message stays while the list redraws itself


@dataclass(frozen=True)
class InvitationDesk:
    """What the invitation widgets act with."""

    gateway: ScalekitGateway
    history: History
    environment: str
    relay_url: str | None
    mailer: Mailer | None
    operator: Operator


def _note(kind: str, text: str) -> None:
    """What one of the list's own actions says, shown by the list's redraws for ``NOTE_S``."""
    st.session_state[NOTE_KEY] = (kind, text, time.monotonic() + NOTE_S)


def _show_note() -> None:
    kind, text, until = st.session_state.get(NOTE_KEY, (None, None, 0.0))
    if time.monotonic() > until:
        st.session_state.pop(NOTE_KEY, None)
        return
    show_message(kind, text)


def _show_reissued(desk: InvitationDesk) -> None:
    """A replaced URL, kept (in this session's memory only, never stored) until the rep says it
    is copied or leaves the page: the list redraws every few seconds, one run would not do."""
    reissued = st.session_state.get(REISSUED_KEY)
    if reissued is None:
        return
    forget_on_leave(REISSUED_KEY)
    issued, note = reissued
    issued_invitation_card(issued, sender=sender_for(desk.operator), sent_note=note)
    st.button("I have copied it", key=f"reissued-done-{issued.invitation.id}", on_click=_drop_reissued)


def _drop_reissued() -> None:
    st.session_state.pop(REISSUED_KEY, None)


def _show_reminder() -> None:
    """A reminder for the rep to paste into a chat, kept until they say it is sent (it holds no
    link, so keeping it in the session is harmless)."""
    kept = st.session_state.get(REMINDER_KEY)
    if kept is None:
        return
    forget_on_leave(REMINDER_KEY)
    reference, text = kept
    with st.container(border=True):
        st.markdown(f"**Reminder for {md(reference)}**: paste it into your chat with the IT admin.")
        st.code(text, language=None, wrap_lines=True)
        st.caption("It points to the link they already have; the link itself is unchanged.")
        st.button("Done", key=f"reminder-done-{reference}", on_click=_drop_reminder)


def _drop_reminder() -> None:
    st.session_state.pop(REMINDER_KEY, None)


def status_line(item: Invitation, now: dt.datetime) -> str:
    """ "Opened 2× · last 3 hours ago", "Not opened yet", "Expired 2 days ago", "Revoked by …"."""
    status = item.status(now)
    if status == InvitationStatus.REVOKED:
        return f"Revoked {ago(item.revoked_at, now)} by {md(item.revoked_by or 'someone')}"
    opened = (
        f"Opened {item.open_count}× · last {ago(item.last_opened_at, now)}"
        if item.open_count
        else "Not opened"
    )
    if status == InvitationStatus.EXPIRED:
        return f"{opened} · expired {ago(item.expires_at, now)}"
    return f"{opened} · {countdown(item.expires_at, now)}"


def reminded_line(item: Invitation, now: dt.datetime) -> str:
    """A line more for the state column, "Reminded 2 times, last 3 hours ago by …" (Markdown, the
    name through md()); empty before the first reminder."""
    if not item.reminder_count:
        return ""
    times = "once" if item.reminder_count == 1 else f"{item.reminder_count} times"
    by = f" by {md(item.last_reminded_by)}" if item.last_reminded_by else ""
    return f"  \nReminded {times}, last {ago(item.last_reminded_at, now)}{by}"


WILL_NOT_EMAIL = (
    "The email will not be sent: no mail server is set up (set DASHBOARD_SMTP_URL and "
    "DASHBOARD_SMTP_FROM to send from here). The invitation comes with a draft to send yourself."
)
NO_MAIL_SERVER = (
    "Not emailed: no mail server is set up. Send the draft below from your own mail, or set "
    "DASHBOARD_SMTP_URL and DASHBOARD_SMTP_FROM to send invitations from here."
)


def deliver(desk: InvitationDesk, issued: IssuedInvitation, *, send_now: bool = True) -> str:
    """Email it when a mail server is configured, there is a recipient and the rep asked to; a
    plain sentence saying what became of the email. It never raises: the invitation is recorded
    already, and its URL must still reach the rep whatever goes wrong here."""
    if desk.mailer is None:
        return NO_MAIL_SERVER
    if not issued.invitation.recipient_email:
        return "Not emailed: no IT admin's email was given. Send the draft below yourself."
    if not send_now:
        return "Not emailed: you chose to send it yourself. Use the draft below."
    try:
        invitations.send(desk.history, desk.mailer, issued, operator=desk.operator)
    except PortalDeskError as error:
        return f"Not emailed: {error} Copy the link or the draft below instead."
    except Exception:  # recorded, logged with a reference; the card still shows the URL
        reference = report_unexpected(f"Emailing {issued.invitation.reference} failed")
        return (
            f"Not emailed: sending failed on Portal Desk's side (reference {reference}). "
            "Copy the link or the draft below instead."
        )
    return f"Emailed to {issued.invitation.recipient_email}."


def _revoke(desk: InvitationDesk, item: Invitation) -> None:
    try:
        invitations.revoke(
            desk.gateway,
            desk.history,
            environment=desk.environment,
            invitation_id=item.id,
            operator=desk.operator,
        )
    except PortalDeskError as error:
        _note("error", str(error))
    else:
        _note("success", f"{item.reference} is revoked: it no longer opens the admin portal.")


def _extend(desk: InvitationDesk, item: Invitation) -> None:
    days = int(st.session_state.get(f"extend-days-{item.id}", DEFAULT_INVITATION_DAYS))
    try:
        extended = invitations.extend(
            desk.history,
            environment=desk.environment,
            invitation_id=item.id,
            days=days,
            operator=desk.operator,
        )
    except PortalDeskError as error:
        _note("error", str(error))
    else:
        _note("success", f"{item.reference} now works until {absolute(extended.expires_at)}.")


def _remind(desk: InvitationDesk, item: Invitation) -> None:
    try:
        reminder = invitations.remind(
            desk.history,
            desk.mailer,
            environment=desk.environment,
            invitation_id=item.id,
            operator=desk.operator,
        )
    except PortalDeskError as error:
        _note("error", f"No reminder for {item.reference} was sent or recorded. {error}")
        return
    if reminder.channel == "email":
        to = reminder.recipient
        _note("success", f"Reminder for {item.reference} emailed to {to}; the link is unchanged.")
    else:
        st.session_state[REMINDER_KEY] = (item.reference, reminder.text)
        _note("success", f"Reminder for {item.reference} recorded; paste the text below into your chat.")


def _remind_help(desk: InvitationDesk, item: Invitation, now: dt.datetime) -> str:
    """What the reminder button will do, or why it cannot."""
    status = item.status(now)
    if status == "revoked":
        return "Revoked: there is no link left to remind of. Create a new invitation."
    if status == "expired":
        return "Expired: extend it first (the same link then works again)."
    how = (
        f"Emails {item.recipient_email} a reminder"
        if desk.mailer is not None and item.recipient_email
        else "Gives you a reminder to paste into a chat"
    )
    opened = " Already opened: it asks them to finish the setup." if item.open_count else ""
    return f"{how} that points to the link they have; the link does not change.{opened}"


def _resend(desk: InvitationDesk, item: Invitation) -> None:
    try:
        issued = invitations.replace_link(
            desk.history,
            environment=desk.environment,
            relay_url=desk.relay_url,
            invitation_id=item.id,
            operator=desk.operator,
        )
    except PortalDeskError as error:
        _note("error", str(error))
        return
    note = deliver(desk, issued)
    _note("success", f"{item.reference} has a new link; the previous one no longer works.")
    st.session_state[REISSUED_KEY] = (issued, note)


def _ask(item_id: int) -> None:
    st.session_state[PENDING_KEY] = item_id


def _forget() -> None:
    st.session_state.pop(PENDING_KEY, None)


@st.dialog("Revoke this invitation?", on_dismiss=_forget)
def _confirm(desk: InvitationDesk, item: Invitation) -> None:
    to = f" **{md(item.recipient_email)}** will need a new one." if item.recipient_email else ""
    st.markdown(
        f"**{item.reference}** for **{md(item.organization_name)}** stops opening the admin portal at "
        f"once, and a portal link it opened in the last minute is revoked too.{to}"
    )
    left, right = st.columns(2)
    if left.button("Revoke invitation", type="primary", key=f"confirm-revoke-{item.id}"):
        _forget()
        _revoke(desk, item)
        st.rerun()
    if right.button("Keep it", key=f"cancel-revoke-{item.id}"):
        _forget()
        st.rerun()


def invitation_list(desk: InvitationDesk, org: Organization, *, limit: int = 50) -> None:
    """The organization's invitations, newest first, each with its actions; redrawn every few
    seconds, so an open or a colleague's change shows without a reload."""

    @st.fragment(run_every=REDRAW_S)
    def live() -> None:
        with last_resort("The invitation list failed"):
            _show_note()
            _show_reissued(desk)
            _show_reminder()
            _items(desk, org, limit)

    live()


def _items(desk: InvitationDesk, org: Organization, limit: int) -> None:
    try:
        items = invitations.of_organization(desk.history, desk.environment, org.id, limit=limit)
    except PortalDeskError as error:
        show_error(error)
        return
    if not items:
        st.caption("No invitation yet. Create one above; you will see here when it is opened.")
        return
    now = dt.datetime.now(dt.UTC)
    for item in items:
        # Revoke, remind, extend and resend take the same right: the issuing rep's, or a manager's.
        may_change = reason(desk.operator, "invite") or reason(
            desk.operator, revoking(desk.operator, item.issued_by)
        )
        usable = item.usable(now)
        with st.container(border=True):
            info, state, actions = st.columns([5, 4, 2.4], vertical_alignment="center")
            to = f" → {md(item.recipient_email)}" if item.recipient_email else ""
            sent = f" · emailed {ago(item.sent_at, now)}" if item.sent_at else ""
            info.markdown(
                f"**{item.reference}** · {features_text(item.features)}  \nby {md(item.issued_by)} "
                f"{ago(item.issued_at, now)}{to}{sent}"
            )
            if item.note:
                info.caption(md(item.note))
            state.markdown(
                f"{status_line(item, now)}  \nWorks until {absolute(item.expires_at)}"
                f"{reminded_line(item, now)}"
            )
            actions.button(
                "Revoke",
                key=f"revoke-{item.id}",
                disabled=bool(may_change) or item.revoked_at is not None,
                help=may_change,
                icon=":material/link_off:",
                on_click=_ask,
                args=(item.id,),
                width="stretch",
            )
            actions.button(
                "Send a reminder",
                key=f"remind-{item.id}",
                disabled=bool(may_change) or not usable,
                help=may_change or _remind_help(desk, item, now),
                icon=":material/notifications:",
                on_click=_remind,
                args=(desk, item),
                width="stretch",
            )
            with actions.popover(
                "Extend or resend",
                disabled=bool(may_change) or item.revoked_at is not None,
                help=may_change,
                icon=":material/more_horiz:",
                width="stretch",
            ):
                st.number_input(
                    "Works for (days from now)",
                    min_value=MIN_INVITATION_DAYS,
                    max_value=MAX_INVITATION_DAYS,
                    value=DEFAULT_INVITATION_DAYS,
                    key=f"extend-days-{item.id}",
                )
                st.button(
                    "Extend",
                    key=f"extend-{item.id}",
                    disabled=bool(may_change),
                    help=may_change,
                    on_click=_extend,
                    args=(desk, item),
                    icon=":material/update:",
                )
                st.button(
                    "Resend with a new link",
                    key=f"resend-{item.id}",
                    disabled=bool(may_change) or not usable,
                    help=may_change
                    or "The current link stops working; the new one is shown once "
                    "(and emailed when a mail server is set up).",
                    on_click=_resend,
                    args=(desk, item),
                    icon=":material/forward_to_inbox:",
                )
    pending = next((i for i in items if i.id == st.session_state.get(PENDING_KEY)), None)
    if pending is not None and not reason(desk.operator, revoking(desk.operator, pending.issued_by)):
        _confirm(desk, pending)
