"""How failures reach the user (one short sentence, never a traceback), and the app-wide messages
an action leaves for the run after it."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator

import streamlit as st

from ..errors import BadCredentials, PortalDeskError, RateLimited, TimedOut, Unavailable
from .text import md

log = logging.getLogger("portal_desk")

_ICONS = {
    BadCredentials: ":material/key_off:",
    RateLimited: ":material/hourglass_top:",
    TimedOut: ":material/timer_off:",
    Unavailable: ":material/cloud_off:",
}


def show_error(error: PortalDeskError) -> None:
    icon = next((i for kind, i in _ICONS.items() if isinstance(error, kind)), ":material/error:")
    # A sentence may carry outside text (an id from the address, Scalekit's own words).
    st.error(md(error, None), icon=icon)


def report_unexpected(what: str) -> str:
    """Log the exception being handled with its traceback, under a short reference the person who
    met it can quote; the page shows the reference, never the traceback (it names server paths)."""
    reference = secrets.token_hex(4)
    log.exception("%s (reference %s)", what, reference)
    return reference


def show_unexpected(reference: str) -> None:
    st.error(
        f"Something went wrong on Portal Desk's side, and it is not your doing (reference {reference}). "
        "Try again; if it happens again, give that reference to whoever runs Portal Desk: the server "
        "log has the details under it.",
        icon=":material/report:",
    )


@contextlib.contextmanager
def last_resort(what: str) -> Iterator[None]:
    """Around a fragment's body: Streamlit shows a fragment's exception itself (with its traceback),
    so the app's own last resort never sees it. The same sentence and reference here instead."""
    try:
        yield
    except Exception:  # control-flow exceptions (rerun, stop) are BaseException: they pass
        show_unexpected(report_unexpected(what))


FLASH_KEY = "app_flash"


def flash(kind: str, text: str) -> None:
    """A message that survives the rerun an action ends with, shown by the next ``show_flash()``.
    ``text`` is plain text (shown through ``md()``), so an organization's name or an error's words
    can go in as they are."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    show_message(*st.session_state.pop(FLASH_KEY, (None, None)))


def show_message(kind: str | None, text: str | None) -> None:
    """A success or an error in plain text; nothing for any other ``kind``."""
    if kind == "success":
        st.success(md(text, None), icon=":material/check_circle:")
    elif kind == "error":
        st.error(md(text, None), icon=":material/error:")
