"""The app shell every page sits in: page config, navigation, and the shared sidebar."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from .. import runtime
from ..config import ConfigError
from .sidebar import environment_badge, operator_box


def _pages() -> list[StreamlitPage]:
    return [
        st.Page("pages/organizations.py", title="Organizations", icon=":material/apartment:", default=True),
        st.Page("pages/share_link.py", title="Share link", icon=":material/share:"),
    ]


def draw_shell() -> StreamlitPage:
    """Page config, sidebar and navigation; returns the page the URL asks for."""
    st.set_page_config(page_title="Portal Desk", page_icon=":material/admin_panel_settings:", layout="wide")
    try:
        config = runtime.settings()
    except ConfigError as error:
        st.title("Portal Desk")
        st.error(str(error), icon=":material/settings_alert:")
        st.stop()
    environment_badge(config)
    operator_box(config)
    return st.navigation(_pages())


def ensure_app_shell() -> None:
    """Draw the shell around this page if Streamlit ran the page on its own.

    Because the project has a ``pages/`` folder (the design card asks for one), Streamlit starts
    in its legacy multipage mode and stays there until some run calls ``st.navigation``. If the
    first request after the server starts is for a page's URL (a bookmarked ``/share_link?org=``),
    that page runs alone: no page config, no sidebar, and navigation built from file names.
    Streamlit has no public switch for this, so leave that mode and draw the shell here; the
    page body then continues in the same run, so no click or input of this run is lost.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        draw_shell()
