"""HTTP headers for the dashboard's own server: no other site may frame it (clickjacking)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

FRAME_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
}


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
