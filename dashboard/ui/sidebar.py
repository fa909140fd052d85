"""The sidebar every page shares: which Scalekit environment this dashboard is talking to."""

from __future__ import annotations

import streamlit as st

from ..config import Settings


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
