"""Keep every page inside the app shell that ``streamlit_app.py`` draws."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_app_shell() -> None:
    """Rerun through ``streamlit_app.py`` if Streamlit ran this page on its own.

    Because the project has a ``pages/`` folder (the design card asks for one), Streamlit starts
    in its legacy multipage mode and stays there until some run calls ``st.navigation``. If the
    first request after the server starts is for a page's URL (a bookmarked ``/share_link?org=``),
    that page runs alone: no page config, no sidebar, no navigation. Streamlit has no public
    switch for this, so flip its flag and rerun; the rerun executes the entry script, which calls
    ``st.navigation`` and lands on the same page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
