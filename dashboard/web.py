"""The dashboard's own web server, around Streamlit's: frame headers, the local stack's start and
stop, and the warm-up that spares the first visit the server's cold start (see ``server.py``)."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from starlette.datastructures import MutableHeaders
from streamlit import config as streamlit_config
from streamlit.runtime.secrets import secrets_singleton

from . import local_stack as stack_module
from .config import load_settings
from .errors import ConfigError
from .identity import sign_in_configured
from .warmup import warm_up

FRAME_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}
DATA = Path("data")  # git-ignored, beside the default history database


class FrameGuard:
    """Adds FRAME_HEADERS to every HTTP response of the dashboard."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - the ASGI signature
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_guarded(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(FRAME_HEADERS)
            await send(message)

        await self.app(scope, receive, send_guarded)


def dashboard_url() -> str:
    """The address Streamlit prints for the dashboard, so sign-in returns to the host the person
    opened (a session cookie set on 127.0.0.1 is not sent to localhost)."""
    get, manual = streamlit_config.get_option, streamlit_config.is_manually_set
    host = "localhost"
    if manual("browser.serverAddress"):
        host = get("browser.serverAddress")
    elif manual("server.address") and get("server.address") not in ("0.0.0.0", "::"):
        host = get("server.address")
    return f"http://{host}:{get('server.port')}"


@asynccontextmanager
async def local_stack(app: Any) -> AsyncIterator[None]:
    """On the emulator (no Scalekit credentials): start it in its own process and, unless
    ``[auth]`` is configured already or DASHBOARD_SIGN_IN=off, sign-in against it. Settings that
    cannot load start nothing: every page then says what is wrong with them."""
    try:
        config = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
    except ConfigError:
        config = None
    if config is None or not config.uses_emulator or config.emulator_env_file:
        await anyio.to_thread.run_sync(warm_up)
        yield
        return
    want_sign_in = config.sign_in and not sign_in_configured()
    try:
        stack = await anyio.to_thread.run_sync(
            lambda: stack_module.start(
                config, dashboard_url=dashboard_url(), folder=DATA, sign_in=want_sign_in
            )
        )
    except ConfigError as error:  # the pages then run on an emulator inside this process, no sign-in
        print(f"Portal Desk: {error} Falling back to an emulator inside the server.", file=sys.stderr)
        yield
        return
    os.environ[stack_module.ENV_FILE_VARIABLE] = str(stack.env_file.resolve())
    if stack.secrets:
        secrets_singleton.merge_programmatic_secrets(stack.secrets)
    await anyio.to_thread.run_sync(warm_up)
    try:
        yield
    finally:
        os.environ.pop(stack_module.ENV_FILE_VARIABLE, None)
        stack.stop()
