"""An organization's history timeline, a page at a time."""

from __future__ import annotations

import streamlit as st

from ..errors import PortalDeskError
from ..formatting import absolute
from ..history import History
from ..organizations import timeline_page
from .feedback import show_error
from .text import md


def timeline(history: History, env: str, org_id: str) -> None:
    key = f"timeline-page-{org_id}"
    try:
        page = timeline_page(history, env, org_id, page=st.session_state.get(key, 1))
    except PortalDeskError as error:
        show_error(error)
        return
    if not page.total:
        st.caption("Portal Desk has no history for this organization yet.")
        return
    for entry in page.entries:
        who = f" · {md(entry.who)}" if entry.who else ""
        st.markdown(f"**{absolute(entry.when)}** · {md(entry.what, 300)}{who}")
    if page.pages > 1:
        newer, where, older = st.columns([1, 2, 1], vertical_alignment="center")
        if newer.button("Newer", icon=":material/chevron_left:", disabled=page.page == 1, key=f"{key}-newer"):
            st.session_state[key] = page.page - 1
            st.rerun()
        where.caption(f"Page {page.page} of {page.pages} · {page.total:,} entries")
        if older.button(
            "Older", icon=":material/chevron_right:", disabled=page.page == page.pages, key=f"{key}-older"
        ):
            st.session_state[key] = page.page + 1
            st.rerun()
