"""Where Portal Desk needs something Streamlit has no public API for: the one module that reaches
into ``streamlit.runtime``, so an upgrade has one place to check.

tests/test_streamlit_workarounds.py fails on the Streamlit version that changes any of these.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.secrets import secrets_singleton

# The logger that says "missing ScriptRunContext" when a cache is used outside a page run.
RUN_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def leave_legacy_multipage_mode() -> bool:
    """Leave the legacy multipage mode a ``pages/`` folder starts Streamlit in; True if it was on.

    The design card keeps the pages in ``pages/``, and ``st.navigation`` leaves that mode only
    once it runs; a server's first request for a page's URL runs that page alone before then.
    Streamlit has no setting for it (``st.navigation`` itself flips this class attribute)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


def merge_secrets(secrets: Mapping[str, Any]) -> None:
    """Add ``secrets`` to ``st.secrets`` once the server has started.

    ``st.App(secrets=…)`` is the public way, but it takes them when the app is built, before its
    lifespan runs; the local stack's sign-in secrets name the emulator's address, known only once
    the lifespan has started it. This is the call ``st.App`` itself makes with them."""
    secrets_singleton.merge_programmatic_secrets(secrets)


def quiet_missing_run_context() -> None:
    """The warm-up fills Streamlit's caches outside a page run, where Streamlit warns on every
    cached call that no run context exists: expected there, and noise in the server's log."""
    logging.getLogger(RUN_CONTEXT_LOGGER).setLevel(logging.ERROR)


def set_by_user(option: str) -> bool:
    """True if a config file, flag or environment variable set ``option``: ``st.get_option``
    cannot tell a default from the same value set on purpose."""
    return bool(config.is_manually_set(option))
