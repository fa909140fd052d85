"""What the first visit would otherwise wait for, done while the server starts.

Importing the dashboard (pandas, Altair, the SDK's generated modules) and signing in to Scalekit
take a couple of seconds; listing every organization and a status round, more. A person who
opens the page after a restart should find them done or under way, so the server does them at
startup: the imports, the sign-in and the history's copies of the listing and the statuses before
it answers; a listing (on a first start) and a status round (when due) in the background.
"""

from __future__ import annotations

import logging
import threading
import time

from .errors import PortalDeskError

log = logging.getLogger("portal_desk")


def warm_up() -> threading.Thread | None:
    """Returns the background thread (for tests), or None when the settings cannot work (every
    page then says why)."""
    started = time.perf_counter()
    import pyarrow  # noqa: F401 - st.dataframe's first call would import it (0.4 s)
    import streamlit.dataframe_util  # noqa: F401

    from . import organizations, runtime
    from .ui import org_detail, org_table, shell  # noqa: F401 - imported now, not at the first visit

    # Streamlit's caches say, outside a page run, that no run context exists: expected here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    try:
        config = runtime.settings()
        gateway = runtime.gateway(config)
        history = runtime.history(config, gateway)
        env = config.environment_host
        # The history's copies, read now: after a restart the first visit finds them in memory.
        catalog = runtime.catalog(gateway)
        listed = catalog.listed
        board = runtime.status_board(gateway, history, env)
        first = organizations.first_wanted([], history, env)
    except PortalDeskError as error:
        log.warning("Portal Desk could not warm up: %s", error)
        return None

    def listing_and_round() -> None:
        try:
            if listed:  # the history's copy: every organization at once
                board.request([org.id for org in catalog.organizations()], first=first)
                return
            # A first listing ever: the status round starts on its first page, not after the last.
            began = board.begin(first=first)
            try:
                orgs = catalog.organizations(on_page=lambda page: board.feed([org.id for org in page]))
            finally:
                board.close()
            if not began:
                board.request([org.id for org in orgs], first=first)
        except PortalDeskError as error:
            log.warning("Portal Desk could not prefetch the organizations: %s", error)

    thread = threading.Thread(target=listing_and_round, daemon=True, name="warm-up")
    thread.start()
    print(f"Portal Desk: ready for the first visit in {time.perf_counter() - started:.1f} s", flush=True)
    return thread
