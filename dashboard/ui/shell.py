"""The app shell every page sits in: page config, navigation, and the shared sidebar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from .. import identity, runtime
from ..config import Settings
from ..errors import ConfigError, PortalDeskError
from ..gateway import ScalekitGateway
from ..history import History
from ..models import Operator
from ..permissions import can
from .feedback import show_error
from .notifications import email_switch
from .sidebar import environment_badge, operator_box
from .streamlit_workarounds import leave_legacy_multipage_mode
from .text import md

_CURRENT, _ENTERED, _SECRETS = "shell_current_page", "shell_entered_page", "shell_page_secrets"


class Services(NamedTuple):
    """Unpacks as ``config, gateway, history = services()``."""

    config: Settings
    gateway: ScalekitGateway
    history: History


def services() -> Services:
    """What the pages need from outside; if Scalekit or the history fails, say so and stop."""
    config = runtime.settings()
    try:
        gateway = runtime.gateway(config)
        return Services(config, gateway, runtime.history(config, gateway))
    except PortalDeskError as error:
        show_error(error)
        st.stop()


def history_services() -> tuple[Settings, History]:
    """For pages that read only the history (Activity, Issuance stats): they work while Scalekit
    is unreachable."""
    config = runtime.settings()
    try:
        return config, runtime.store(config.database_url)
    except PortalDeskError as error:
        show_error(error)
        st.stop()


def _pages(operator: Operator) -> list[StreamlitPage]:
    """The pages this operator may open; the pages check again themselves."""
    pages = [
        st.Page("pages/organizations.py", title="Organizations", icon=":material/apartment:", default=True),
        st.Page("pages/share_link.py", title="Share link", icon=":material/share:"),
        st.Page("pages/portal_preview.py", title="Portal preview", icon=":material/preview:"),
        st.Page("pages/issuance_stats.py", title="Issuance stats", icon=":material/query_stats:"),
    ]
    # Not listed for those who may not read it, but still there: a rep who types /activity is told
    # why and who can, rather than landing on Organizations.
    shown: Literal["visible", "hidden"] = "visible" if can(operator, "activity") else "hidden"
    pages.append(st.Page("pages/activity.py", title="Activity", icon=":material/history:", visibility=shown))
    return pages


def draw_shell() -> StreamlitPage:
    """Page config, sidebar and navigation; returns the page the URL asks for."""
    # An emoji favicon is drawn in the page; a :material/…: one would be fetched from Google.
    st.set_page_config(page_title="Portal Desk", page_icon="🔐", layout="wide")
    # A fresh server's first visit to "/" runs here in the legacy mode too: the sidebar's widgets
    # would get ids the next run does not share, and a name typed meanwhile would be dropped.
    ensure_app_shell()
    try:
        config = runtime.settings()
    except ConfigError as error:
        problem = str(error)

        def settings_screen() -> None:
            st.title("Portal Desk")
            st.error(md(problem, None), icon=":material/settings_alert:")

        return _only(settings_screen, "Settings")
    environment_badge(config, None if config.uses_emulator else runtime.scalekit_problem(config))
    if identity.sign_in_configured() and not st.user.get("is_logged_in"):
        return _only(_sign_in_screen, "Sign in")
    try:
        history: History | None = runtime.store(config.database_url)
    except PortalDeskError:
        history = None  # the page says what is wrong with it
    operator = operator_box(config, history)
    with st.sidebar:
        email_switch(config, history, operator)
    page = st.navigation(_pages(operator))
    if not operator.known:  # said in the main area too: on a phone the sidebar starts closed
        st.info(operator.to_act or "", icon=":material/person_alert:")
    # Remember whether this run entered the page from elsewhere (or from a fresh browser load).
    st.session_state[_ENTERED] = st.session_state.get(_CURRENT) != page.url_path
    st.session_state[_CURRENT] = page.url_path
    _forget_other_pages_secrets(page.url_path)
    return page


# Every page's address, so a bookmarked /share_link?org=… lands on the sign-in screen too (rather
# than on "page not found"), and the browser keeps the address for after the sign-in.
_PAGE_PATHS = ("share_link", "portal_preview", "issuance_stats", "activity")


def _sign_in_screen() -> None:
    st.title("Portal Desk")
    st.markdown(
        "Sign in to see your customers' organizations and invitations. Portal Desk shows nothing "
        "to anyone who is not signed in: they hold customers' names, IT admins' emails and notes."
    )
    st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")


def _only(screen: Callable[[], None], title: str) -> StreamlitPage:
    """One screen and nothing else, at every address: with sign-in configured, a signed-out
    visitor gets the sign-in screen (no page list, no organization, invitation, email or note);
    settings that cannot load get what is wrong with them (not Streamlit's list of files)."""
    pages = [st.Page(screen, title=title, url_path="sign_in", default=True)]
    pages += [st.Page(screen, title=title, url_path=path) for path in _PAGE_PATHS]
    page = st.navigation(pages, position="hidden")
    st.session_state[_CURRENT] = None  # whatever page comes after the sign-in is entered afresh
    _forget_other_pages_secrets("")
    return page


def forget_on_leave(key: str) -> None:
    """The session-state ``key`` holds a credential of the current page: drop it as soon as a run
    shows any other page."""
    owned = st.session_state.setdefault(_SECRETS, {})
    owned.setdefault(st.session_state.get(_CURRENT, ""), set()).add(key)


def _forget_other_pages_secrets(current: str) -> None:
    for page, keys in st.session_state.get(_SECRETS, {}).items():
        if page != current:
            for key in keys:
                st.session_state.pop(key, None)


def entered_page() -> bool:
    """True on the first run of a page after the rep came to it (a reload counts: new session)."""
    return bool(st.session_state.get(_ENTERED, True))


def ensure_app_shell() -> None:
    """Rerun through ``streamlit_app.py`` if Streamlit ran this page on its own.

    Because the project has a ``pages/`` folder (the design card asks for one), Streamlit starts
    in its legacy multipage mode and stays there until some run calls ``st.navigation``. If the
    first request after the server starts is for a page's URL (a bookmarked ``/share_link?org=``),
    that page runs alone: no page config, no sidebar, navigation built from file names, and
    widgets keyed to a page identity the next run will not share. Streamlit has no public switch
    for this, so leave that mode and rerun before any widget exists. It only ever happens on a
    session's first run, a page load, so there is no click or input to lose.
    """
    if leave_legacy_multipage_mode():
        st.rerun()
