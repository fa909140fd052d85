"""Helpers for AppTest runs of the real app against its embedded emulator."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import runtime
from dashboard.config import load_settings
from dashboard.errors import PortalDeskError
from dashboard.ui.text import WORD_JOINER
from dashboard.worker import Worker
from scalekit_emulator import Emulator

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
TEXT_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "text",
    "code",
    "exception",
)


def listed() -> None:
    """What the worker's listing does for the app under test: every organization the emulator has
    now, in the history the pages read (AppTest runs no worker process). Settings that cannot work
    list nothing: the page under test says what is wrong with them."""
    try:
        config = load_settings(dotenv_path=None)
        history = runtime.store(config.database_url)
        orgs = runtime.gateway(config).list_organizations()
        history.listing.save(config.environment_host, orgs, dt.datetime.now(dt.UTC))
    except PortalDeskError:
        return


def open_page(
    page: str | None = None, *, org: str | None = None, timeout: float = 60, listing: bool = True
) -> AppTest:
    """Boot the app (first run on the default page, as a browser would), then switch pages. The
    history holds the organizations as the worker would have listed them (``listing``)."""
    if listing:
        listed()
    at = AppTest.from_file(APP, default_timeout=timeout)
    if page:
        at.switch_page(page)  # a deep link: the first run is that page's
    if org:
        at.query_params["org"] = org
    at.run()
    return at


def sweep() -> None:
    """What the worker does for the app under test (its history, its embedded emulator): list every
    organization and every status, once. AppTest runs no worker process."""
    config = load_settings(dotenv_path=None)
    worker = Worker(runtime.gateway(config), runtime.store(config.database_url), config.environment_host)
    try:
        worker.run_once()
    finally:
        worker.release()


def app_emulator() -> Emulator:
    """The emulator the app under test embeds (st.cache_resource is process-wide)."""
    return runtime.emulator_for(load_settings(dotenv_path=None))


def rendered_text(at: AppTest) -> str:
    """Everything a person could read on the page, for "never rendered" checks."""
    return "\n".join(str(getattr(e, "value", "")) for kind in TEXT_ELEMENTS for e in at.get(kind))


def read(markdown: str) -> str:
    """What a person reads of a message shown through md(): its backslash escapes and the word
    joiners that break autolinks are not seen."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def button(at: AppTest, label: str):
    matches = [b for b in at.get("button") + at.get("form_submit_button") if b.label == label]
    assert matches, f"no button labelled {label!r}"
    return matches[0]
