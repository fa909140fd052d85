"""The relay's web surface (Starlette): ``GET /i/<token>`` shows the interstitial, ``POST`` opens.

A GET never mints: mail scanners and chat unfurlers fetch links, and each mint would use up a
one-minute link and count a false open. Only the button's POST mints a fresh portal link and
answers 303 to it. Every response, errors included, is one of the relay's own pages and forbids
caching, referrers and framing; no URL is ever built from the request's Host header.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import PortalDeskError
from ..gateway import ScalekitGateway
from ..headers import AddHeaders
from ..history import History
from ..models import Outcome
from . import opening, pages
from .limits import RateLimiter
from .logs import install as install_log_filters
from .logs import redact

log = logging.getLogger("dashboard.relay")
T = TypeVar("T")

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
}
RETRY_AFTER_S = 60
# Threads that open and show invitations, at most as many as the history keeps connections
# (pool_size in history/database.py): a thread never waits for a connection, and fewer threads
# hand the GIL and the write queue round faster. Forty (Starlette's default) made each open wait
# longer for both than it spent working; eight served more opens per second at 20 to 50 openers.
THREADS = 8


@dataclass(frozen=True)
class RelayContext:
    """What the relay needs, and nothing more: Scalekit, the history, and what to tell people."""

    gateway: ScalekitGateway
    history: History
    environment: str  # the history's name for this Scalekit environment
    support_contact: str = "your account team"
    brand: str = "Admin portal"


class LastResort:
    """An unexpected error becomes the relay's own 500 page (inside AddHeaders, so it has every
    header) with a short reference; the log holds the same reference with the traceback. Starlette's
    own handler would answer a bare "Internal Server Error" and log the traceback again."""

    def __init__(self, app: ASGIApp, context: RelayContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            reference = "ERR-" + secrets.token_hex(4).upper()
            log.exception("Relay error %s on %s %s", reference, scope["method"], redact(scope["path"]))
            if started:
                raise
            page = pages.outcome_page("error", self.context.support_contact, self.context.brand, reference)
            await page(scope, receive, send)


def create_app(
    context: RelayContext, limiter: RateLimiter | None = None, threads: int = THREADS
) -> Starlette:
    limiter = limiter or RateLimiter()
    install_log_filters()
    workers = anyio.CapacityLimiter(threads)

    async def in_thread(function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs), limiter=workers)

    def outcome_page(outcome: str, detail: str = "", retry_after: float | None = None) -> Response:
        response = pages.outcome_page(outcome, context.support_contact, context.brand, detail)
        if retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(retry_after))
        return response

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    # Async endpoints: a refused request is answered on the event loop at once (the limiter takes
    # microseconds); only an allowed one waits for a thread, the history and Scalekit.
    async def show(request: Request) -> Response:
        wait = limiter.page(client(request))
        if wait:
            return outcome_page("rate_limited", retry_after=wait)
        now = dt.datetime.now(dt.UTC)
        seen = await in_thread(
            opening.preview,
            context.gateway,
            context.history,
            request.path_params["token"],
            context.environment,
            now,
        )
        if seen.outcome != Outcome.PORTAL or seen.invitation is None:
            return outcome_page(seen.outcome, seen.detail)
        return HTMLResponse(pages.interstitial(seen, context.brand, now))

    async def open_(request: Request) -> Response:
        wait = limiter.open(client(request), request.path_params["token"])
        if wait:
            return outcome_page("rate_limited", retry_after=wait)
        opened = await in_thread(
            opening.open_invitation,
            context.gateway,
            context.history,
            request.path_params["token"],
            environment=context.environment,
        )
        if opened.outcome != Outcome.PORTAL or opened.location is None:
            retry = RETRY_AFTER_S if opened.outcome == Outcome.UNAVAILABLE else None
            return outcome_page(opened.outcome, opened.detail, retry_after=retry)
        return RedirectResponse(opened.location, status_code=303)

    def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    def favicon(request: Request) -> Response:
        return Response(pages.FAVICON, media_type="image/svg+xml")

    def expected(request: Request, error: Exception) -> Response:
        """The history busy or unreachable, or Scalekit failing where no outcome covers it: a
        sentence in the log (no traceback: nothing is broken in the relay) and a 503 page."""
        log.warning("Relay could not answer %s %s: %s", request.method, redact(request.url.path), error)
        return outcome_page("unavailable", retry_after=RETRY_AFTER_S)

    def http_error(request: Request, error: Exception) -> Response:
        """The framework's 404 and 405 as the relay's pages (a mistyped link, a stray method)."""
        status = error.status_code if isinstance(error, HTTPException) else 500
        response = outcome_page("unknown" if status == 404 else "not_allowed")
        response.status_code = status
        if isinstance(error, HTTPException) and error.headers:
            response.headers.update(error.headers)
        return response

    app = Starlette(
        routes=[
            Route("/i/{token}", show, methods=["GET"]),
            Route("/i/{token}", open_, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
            Route("/favicon.ico", favicon, methods=["GET"]),
        ],
        middleware=[
            Middleware(AddHeaders, headers=SECURITY_HEADERS),
            Middleware(LastResort, context=context),
        ],
        exception_handlers={PortalDeskError: expected, HTTPException: http_error},
    )
    # A slash redirect would send the token back to whatever Host the request named, over http.
    app.router.redirect_slashes = False
    return app
