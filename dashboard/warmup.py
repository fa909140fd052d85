"""What the first visit would otherwise wait for, done while the server starts (before it
answers), in the server's own startup, not in a background thread.

Importing the dashboard (pandas, Altair, the SDK's generated modules), opening the history and
signing in to Scalekit take a couple of seconds; reading 10,000 organizations and their statuses
from the history, a few hundred milliseconds more. A person who opens the page after a restart
should find them done.
"""

from __future__ import annotations

import logging
import time

from .errors import PortalDeskError

log = logging.getLogger("portal_desk")


def warm_up() -> bool:
    """False when the settings cannot work (every page then says why)."""
    started = time.perf_counter()
    import pyarrow  # noqa: F401 - st.dataframe's first call would import it (0.4 s)

    from . import runtime
    from .ui import org_detail, org_table, shell  # noqa: F401 - imported now, not at the first visit
    from .ui.streamlit_workarounds import quiet_missing_run_context

    quiet_missing_run_context()
    try:
        config = runtime.settings()
        gateway = runtime.gateway(config)
        history = runtime.history(config, gateway)
        runtime.board(config, history)  # the history's copies, in memory for the first visit
    except PortalDeskError as error:
        log.warning("Portal Desk could not warm up: %s", error)
        return False
    print(f"Portal Desk: ready for the first visit in {time.perf_counter() - started:.1f} s", flush=True)
    return True
