"""How failures reach the user: one short sentence, never a traceback."""

from __future__ import annotations

import streamlit as st

from ..errors import BadCredentials, PortalDeskError, RateLimited, TimedOut, Unavailable
from .text import md

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
