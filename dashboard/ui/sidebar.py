"""The sidebar every page shares: the Scalekit environment in use, and who is operating."""

from __future__ import annotations

import streamlit as st

from .. import identity
from ..config import Settings
from .text import md


def environment_badge(config: Settings) -> None:
    with st.sidebar:
        if config.uses_emulator:
            st.badge("Local emulator", icon=":material/science:", color="violet")
            st.caption(
                "Demo data from the bundled Scalekit emulator. "
                "Set SCALEKIT_* in `.env` to use a live environment."
            )
        else:
            st.badge(config.environment_label, icon=":material/cloud_done:", color="green")
            st.caption("Live Scalekit environment.")


def operator_box(config: Settings) -> None:
    """Who is issuing links: sign-in when configured, else DASHBOARD_OPERATOR, else a typed name."""
    with st.sidebar:
        st.divider()
        if identity.sign_in_configured():
            if st.user.is_logged_in:
                st.caption(f"Signed in as **{md(st.user.get('email') or '')}**")
                st.button("Sign out", on_click=st.logout, icon=":material/logout:")
            else:
                st.caption("Sign in to issue or revoke links.")
                st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
        elif config.operator:
            st.caption(f"Operating as **{md(config.operator)}** (DASHBOARD_OPERATOR)")
        else:
            # The typed name is copied into a plain session key: widget state is dropped whenever a
            # run doesn't draw the widget, and the name must outlive any page switch.
            st.text_input(
                "Your name or email",
                value=st.session_state.get(identity.TYPED_KEY, ""),
                key="operator_input",
                placeholder="ana@yourcompany.com",
                help="Recorded with every link you issue or revoke, for this browser session.",
                on_change=_remember_operator,
            )


def _remember_operator() -> None:
    st.session_state[identity.TYPED_KEY] = st.session_state["operator_input"].strip()
