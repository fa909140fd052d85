"""Tells Streamlit's frontend where its server is, so a deep-linked page load asks nothing of the
page's own path.

Loaded at ``/share_link``, the frontend cannot tell a page's address from a server mounted under
a path, so it first asks ``/share_link/_stcore/health`` and ``/share_link/_stcore/host-config``
(two 404s in the console on every such load) before falling back to ``/``. Its only setting for
this is ``window.__streamlit.BACKEND_BASE_URL``, read once as the bundle starts; Streamlit has no
server option to write it, so this middleware writes it into the one HTML document Streamlit
serves (at every page address), ahead of the bundle. ``tests/browser/test_console_browser.py``
fails if the frontend stops reading it.
"""

from __future__ import annotations

import json

import streamlit as st
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_HEAD = b"<head>"


def backend_script(base_path: str) -> bytes:
    """The inline script: the server's address in the browser's own origin (whatever host name
    the person opened), under ``server.baseUrlPath``."""
    path = "/" + base_path.strip("/") + ("/" if base_path.strip("/") else "")
    return (
        "<script>window.__streamlit = Object.assign({}, window.__streamlit, "
        f"{{BACKEND_BASE_URL: new URL({json.dumps(path)}, window.location.origin).href}});</script>"
    ).encode()


class BackendAddress:
    """Writes :func:`backend_script` at the top of every HTML document the app serves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _wants_html(scope):
            return await self.app(scope, receive, send)
        # The document is small: ask for it uncompressed, so it can be edited on the way out.
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        start: Message | None = None
        body = bytearray()

        async def edit(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] != 200 or not headers.get("content-type", "").startswith("text/html"):
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            edited = bytes(body).replace(_HEAD, _HEAD + backend_script(_base_path()), 1)
            MutableHeaders(scope=start)["content-length"] = str(len(edited))
            await send(start)
            await send({"type": "http.response.body", "body": edited})

        await self.app(scope, receive, edit)


def _wants_html(scope: Scope) -> bool:
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/html" in accept


def _base_path() -> str:
    return str(st.get_option("server.baseUrlPath") or "")
