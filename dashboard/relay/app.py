"""The relay's web surface (Starlette): ``GET /i/<token>`` shows the interstitial, ``POST`` opens.

A GET never mints: mail scanners and chat unfurlers fetch links, and each mint would use up a
one-minute link and count a false open. Only the button's POST mints a fresh portal link and
answers 303 to it. Every response forbids caching, referrers and framing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import invitations
from ..gateway import ScalekitGateway
from ..history import History
from . import pages
from .limits import PER_CLIENT_OPENS, PER_CLIENT_PAGES, PER_TOKEN, RateLimiter

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class SecureHeaders:
    """Adds SECURITY_HEADERS to every response, the framework's own 404 and 405 included."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - the ASGI signature
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_secured(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_secured)


@dataclass(frozen=True)
class RelayContext:
    """What the relay needs, and nothing more: Scalekit, the history, and what to tell people."""

    gateway: ScalekitGateway
    history: History
    environment: str  # the history's name for this Scalekit environment
    support_contact: str = "your account team"
    brand: str = "Admin portal"


def create_app(context: RelayContext, limiter: RateLimiter | None = None) -> Starlette:
    limiter = limiter or RateLimiter()

    def outcome_page(outcome: str, detail: str = "", retry_after: float | None = None) -> Response:
        status, title, text = pages.OUTCOME_PAGES[outcome]
        html = pages.problem(
            title, text.format(detail=detail or "A feature"), context.support_contact, context.brand
        )
        response = HTMLResponse(html, status_code=status)
        if retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(retry_after))
        return response

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def show(request: Request) -> Response:
        wait = limiter.hit(PER_CLIENT_PAGES, client(request))
        if wait:
            return outcome_page("rate_limited", retry_after=wait)
        now = dt.datetime.now(dt.UTC)
        seen = invitations.look_up(context.history, request.path_params["token"], context.environment, now)
        if seen.outcome != "portal" or seen.invitation is None:
            return outcome_page(seen.outcome)
        return HTMLResponse(pages.interstitial(seen.invitation, context.brand, now))

    def open_(request: Request) -> Response:
        token = request.path_params["token"]
        wait = max(limiter.hit(PER_CLIENT_OPENS, client(request)), limiter.hit(PER_TOKEN, token))
        if wait:
            return outcome_page("rate_limited", retry_after=wait)
        opened = invitations.open_invitation(
            context.gateway, context.history, token, environment=context.environment
        )
        if opened.outcome != "portal" or opened.location is None:
            retry = 60 if opened.outcome == "unavailable" else None
            return outcome_page(opened.outcome, opened.detail, retry_after=retry)
        return RedirectResponse(opened.location, status_code=303)

    def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/i/{token}", show, methods=["GET"]),
            Route("/i/{token}", open_, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        middleware=[Middleware(SecureHeaders)],
    )
