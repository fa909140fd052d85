"""The identity provider on the portal port: plain HTTP on loopback, so a browser that does not
trust the emulator's CA signs in all the same (OAuth allows http for loopback addresses).

Routes, as a Scalekit environment names them: ``/.well-known/openid-configuration``,
``/oauth/authorize`` (GET: the chooser page; POST: the person picked), ``/oauth/token``,
``/userinfo``, ``/keys``, ``/oidc/logout``.
"""

from __future__ import annotations

import base64
import binascii
import html
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

from ..backends.identity import IdentityProvider, OidcError
from .base import BaseHandler, render_page

ROUTES = (
    "/.well-known/openid-configuration",
    "/oauth/authorize",
    "/oauth/token",
    "/userinfo",
    "/keys",
    "/oidc/logout",
)
_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def handles(path: str) -> bool:
    return path in ROUTES


def handle(handler: BaseHandler, provider: IdentityProvider, method: str) -> None:
    parts = urlsplit(handler.path)
    query = dict(parse_qsl(parts.query))
    try:
        if parts.path == "/.well-known/openid-configuration" and method == "GET":
            return handler._json(200, provider.discovery())
        if parts.path == "/keys" and method == "GET":
            return handler._json(200, provider.jwks())
        if parts.path == "/oauth/authorize":
            return _authorize(handler, provider, query) if method == "GET" else _chosen(handler, provider)
        if parts.path == "/oauth/token" and method == "POST":
            return _token(handler, provider)
        if parts.path == "/userinfo":
            return _userinfo(handler, provider)
        if parts.path == "/oidc/logout" and method == "GET":
            return _logout(handler, provider, query)
    except OidcError as error:
        return _error_page(handler, error)
    handler._json(405, {"error": "method_not_allowed"})


def _form(handler: BaseHandler) -> dict[str, str]:
    if not (handler.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        raise OidcError(
            "invalid_request", "The body must be application/x-www-form-urlencoded.", redirect=False
        )
    return dict(parse_qsl(handler._body().decode("utf-8", "replace")))


def _redirect(handler: BaseHandler, location: str) -> None:
    handler._send(302, b"", "text/plain", {"Location": location, "Referrer-Policy": "no-referrer"})


def _back_to_client(redirect_uri: str, params: dict[str, str]) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    if not query:
        return redirect_uri
    return redirect_uri + ("&" if urlsplit(redirect_uri).query else "?") + query


def _authorize(handler: BaseHandler, provider: IdentityProvider, query: dict[str, str]) -> None:
    try:
        request = provider.authorize(query)
    except OidcError as error:
        if not error.redirect:
            raise
        target = _back_to_client(
            query["redirect_uri"],
            {"error": error.error, "error_description": error.description, "state": query.get("state", "")},
        )
        return _redirect(handler, target)
    people = "".join(
        "<form method='post' action='/oauth/authorize' class='person'>"
        f"<input type='hidden' name='request' value='{html.escape(request.id)}'>"
        f"<input type='hidden' name='user' value='{html.escape(person.user_id)}'>"
        f"<button type='submit'><strong>{html.escape(person.name)}</strong>"
        f"<span class='muted'>{html.escape(person.email)} · {html.escape(', '.join(person.roles))}</span>"
        "</button></form>"
        for person in provider.staff.values()
    )
    body = (
        "<div class='card'><h1>Choose an account</h1>"
        f"<p class='muted'>to continue to <strong>{html.escape(request.client_id)}</strong>. This is the "
        "local Scalekit emulator: its staff directory is made up, and there is no password.</p>"
        f"{people}</div>"
        "<style>.person button{display:flex;flex-direction:column;align-items:flex-start;gap:2px;width:100%;"
        "padding:12px 14px;margin:8px 0;border:1px solid #e3e6ef;border-radius:8px;background:#fff;"
        "font:inherit;cursor:pointer;text-align:left}.person button:hover{border-color:#5b5bd6}</style>"
    )
    headers = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}
    handler._html(200, render_page("Sign in", "Scalekit emulator · Sign in", body), headers)


def _chosen(handler: BaseHandler, provider: IdentityProvider) -> None:
    form = _form(handler)
    request, code = provider.choose(form.get("request", ""), form.get("user", ""))
    _redirect(handler, _back_to_client(request.redirect_uri, {"code": code, "state": request.state}))


def _basic(handler: BaseHandler) -> tuple[str, str] | None:
    header = handler.headers.get("Authorization") or ""
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise OidcError(
            "invalid_client", "Malformed Basic credentials.", redirect=False, status=401
        ) from None
    return unquote_plus(user), unquote_plus(password)  # RFC 6749 §2.3.1: form-encoded, then joined


def _token(handler: BaseHandler, provider: IdentityProvider) -> None:
    try:
        form = _form(handler)
        client = provider.authenticate_client(_basic(handler), form)
        handler._json(200, provider.exchange(client, form), _NO_CACHE)
    except OidcError as error:
        handler._json(error.status, {"error": error.error, "error_description": error.description}, _NO_CACHE)


def _userinfo(handler: BaseHandler, provider: IdentityProvider) -> None:
    header = handler.headers.get("Authorization") or ""
    try:
        claims = provider.userinfo(header[7:] if header.startswith("Bearer ") else "")
    except OidcError as error:
        challenge = {"WWW-Authenticate": f'Bearer error="{error.error}"'}
        return handler._json(error.status, {"error": error.error}, challenge)
    handler._json(200, claims, _NO_CACHE)


def _logout(handler: BaseHandler, provider: IdentityProvider, query: dict[str, str]) -> None:
    target = provider.logout(query)
    if target is not None:
        return _redirect(handler, _back_to_client(target, {"state": query.get("state", "")}))
    body = "<div class='card'><h1>Signed out</h1><p class='muted'>You can close this tab.</p></div>"
    handler._html(200, render_page("Signed out", "Scalekit emulator", body))


def _error_page(handler: BaseHandler, error: OidcError) -> None:
    body = (
        f"<div class='card'><h1>Sign-in failed</h1><p>{html.escape(error.description)}</p>"
        f"<p class='muted'>Error: {html.escape(error.error)}</p></div>"
    )
    handler._html(error.status, render_page("Sign-in failed", "Scalekit emulator", body))
