"""The dashboard's own web server, around Streamlit's: frame headers, the local stack's start and
stop, and the warm-up that spares the first visit the server's cold start (see ``server.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import streamlit as st

from . import local_stack as stack_module
from .config import load_settings
from .errors import ConfigError
from .identity import sign_in_configured
from .ui.streamlit_workarounds import merge_secrets, set_by_user
from .warmup import warm_up

FRAME_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}
DATA = Path("data")  # git-ignored, beside the default history database


def dashboard_url() -> str:
    """The address Streamlit prints for the dashboard, so sign-in returns to the host the person
    opened (a session cookie set on 127.0.0.1 is not sent to localhost)."""
    get, manual = st.get_option, set_by_user
    host = "localhost"
    if manual("browser.serverAddress"):
        host = get("browser.serverAddress")
    elif manual("server.address") and get("server.address") not in ("0.0.0.0", "::"):
        host = get("server.address")
    return f"http://{host}:{get('server.port')}"


@asynccontextmanager
async def local_stack(app: Any) -> AsyncIterator[None]:
    """What ``make run`` starts beside the server, each in its own process, stopped with it:

    - on the emulator (no Scalekit credentials), the emulator and, unless ``[auth]`` is
      configured already or DASHBOARD_SIGN_IN=off, sign-in against it;
    - on the emulator, the relay the invitations point to;
    - the worker, which does all background work (DASHBOARD_WORKER=off where workers run apart).

    Settings that cannot load start nothing: every page then says what is wrong with them."""
    try:
        config = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
    except ConfigError:
        config = None
    stack: stack_module.LocalStack | None = None
    if config is not None and config.uses_emulator and not config.emulator_env_file:
        want_sign_in = config.sign_in and not sign_in_configured()
        try:
            stack = await anyio.to_thread.run_sync(
                lambda: stack_module.start(
                    config,
                    dashboard_url=dashboard_url(),
                    folder=DATA,
                    sign_in=want_sign_in,
                    state_file=stack_module.state_file_for(config),
                )
            )
        except ConfigError as error:  # the pages then run on an emulator inside this process
            print(f"Portal Desk: {error} Falling back to an emulator inside the server.", file=sys.stderr)
        else:
            stack_module.STARTED.env_file = str(stack.env_file.resolve())
            if stack.secrets:
                merge_secrets(stack.secrets)
    relay: subprocess.Popen[bytes] | None = None
    relay_url: str | None = None
    if stack is not None and config is not None and not config.relay_url:
        try:
            relay, relay_url = await anyio.to_thread.run_sync(
                lambda: stack_module.start_relay(stack.env_file)
            )
        except ConfigError as error:  # the pages then run the relay inside this process
            print(f"Portal Desk: {error}", file=sys.stderr)
        else:
            stack_module.STARTED.relay_url = relay_url  # the pages' settings: invitations point there
    worker = None
    if (
        config is not None
        and config.run_worker
        and (stack is not None or not config.uses_emulator or config.emulator_env_file)
    ):
        env_file = stack.env_file if stack is not None else None
        worker = stack_module.start_worker(env_file, relay_url)
    await anyio.to_thread.run_sync(warm_up)
    try:
        yield
    finally:
        if worker is not None:
            stack_module.stop_process(worker)
        stack_module.STARTED.clear()
        if relay is not None:
            stack_module.stop_process(relay)
        if stack is not None:
            stack.stop()
