"""Notifications on the page: what the worker told (the Activity page), and a rep's own switch
for the emails (the sidebar)."""

from __future__ import annotations

import streamlit as st

from .. import notifications
from ..config import Settings
from ..errors import PortalDeskError
from ..history import History
from ..models import Operator
from .feedback import show_error
from .text import plain

_SWITCH = "notify_email_switch"


def notification_list(history: History, operator: Operator, environment: str) -> None:
    """The newest notifications, what each said and what became of it (managers and admins)."""
    try:
        found = notifications.recent(history, operator, environment)
    except PortalDeskError as error:
        show_error(error)
        return
    if not found:
        st.caption(
            "Nothing was told yet. The worker tells the team (DASHBOARD_NOTIFY_URLS) and each rep (by "
            "email) when an invitation is first opened, when SSO or directory sync goes live after an "
            "invitation, and when an unopened invitation is about to expire."
        )
        return
    shown = notifications.table(found)
    for column in ("Organization", "To", "Message", "Problem"):
        shown[column] = shown[column].map(lambda value: plain(value, 300))
    st.dataframe(
        shown,
        hide_index=True,
        height=min(38 + 35 * len(shown), 480),
        column_config={
            "When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm:ss"),
            "Message": st.column_config.TextColumn(width="large"),
        },
    )


def email_switch(config: Settings, history: History | None, operator: Operator) -> None:
    """A signed-in rep's own switch for the worker's emails; shown only where emails can go."""
    if history is None or not operator.known or config.smtp is None or operator.role == "viewer":
        return
    name = operator.name or ""
    try:
        wanted = notifications.email_wanted(history, name)
    except PortalDeskError:
        return  # the page itself says what is wrong with the history

    def changed() -> None:
        try:
            notifications.set_email_wanted(history, name, bool(st.session_state[_SWITCH]))
        except PortalDeskError as error:
            st.toast(plain(error, 300), icon=":material/error:")

    st.session_state[_SWITCH] = wanted
    st.toggle(
        "Email me when my customers act",
        key=_SWITCH,
        on_change=changed,
        help="Opens of your invitations, SSO going live, invitations about to expire unopened.",
    )
