"""The portal port (plain HTTP): the mock admin portal at ``/magicLink/<id>``, the API its page
calls, and the control API tests use (``/_emulator/...``)."""

from __future__ import annotations

import html
import json
import math
import secrets
from dataclasses import dataclass
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, urlsplit

from .backend import BackendError
from .faults import Fault
from .portal_backend import DIRECTORY_PROVIDERS, SSO_PROVIDERS, PortalSession
from .records import ConnectionRecord, DirectoryRecord
from .web import BaseHandler, render_page

COOKIE = "sk_portal_session"
PAGE = Template((Path(__file__).parent / "portal_page.html").read_text())
_STATUS = {
    "NOT_FOUND": 404,
    "FAILED_PRECONDITION": 409,
    "INVALID_ARGUMENT": 400,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
}


@dataclass(frozen=True)
class Branding:
    """Set per environment in Scalekit (Dashboard › Settings › Branding); applies to every portal."""

    name: str = "Portal Desk Demo"
    accent: str = "#5b5bd6"


def _sso_key(provider: str, protocol: str) -> str | None:
    if provider == "CUSTOM":
        return "oidc" if protocol == "OIDC" else "saml"
    return next((key for key, _, enum_name, _ in SSO_PROVIDERS if enum_name == provider), None)


def _directory_key(provider: str) -> str | None:
    return next((key for key, _, enum_name in DIRECTORY_PROVIDERS if enum_name == provider), None)


def connection_json(conn: ConnectionRecord | None) -> dict | None:
    if conn is None:
        return None
    label = next((p[1] for p in SSO_PROVIDERS if p[2] == conn.provider), conn.provider)
    return {
        "id": conn.id,
        "provider": conn.provider,
        "provider_label": label,
        "type": conn.type,
        "status": conn.status,
        "enabled": conn.enabled,
        "settings": conn.settings,
        "provider_key": _sso_key(conn.provider, conn.type),
    }


def directory_json(directory: DirectoryRecord | None, base_url: str) -> dict | None:
    if directory is None:
        return None
    return {
        "id": directory.id,
        "provider": directory.provider,
        "enabled": directory.enabled,
        "provider_key": _directory_key(directory.provider),
        "endpoint": base_url + directory.endpoint,
    }


def _script_json(payload: dict) -> str:
    """JSON that can sit inside <script>: no '<' (so no '</script>'), no '&'."""
    return json.dumps(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PortalHandler(BaseHandler):
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = urlsplit(self.path).path
        if path.startswith("/magicLink/"):
            return self._portal(path.removeprefix("/magicLink/"))
        if path == "/_emulator/status":
            return self._json(200, self.emulator.status())
        self._html(404, render_page("Not found", "Admin portal", "<div class='card'>Not found.</div>"))

    def _session_cookie(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        return cookie[COOKIE].value if COOKIE in cookie else None

    def _gone(self, exc: BackendError) -> None:
        status = HTTPStatus.NOT_FOUND if exc.code == "NOT_FOUND" else HTTPStatus.GONE
        message = "This portal link is not valid." if status == HTTPStatus.NOT_FOUND else exc.message
        body = (
            f"<div class='card'><h1>Link unavailable</h1><p>{html.escape(message)}</p>"
            "<p class='muted'>Ask your account team for a new admin portal link.</p></div>"
        )
        self._html(status, render_page("Link unavailable", "Admin portal", body))

    def _portal(self, link_id: str) -> None:
        emulator = self.emulator
        try:
            session, link, org, started = emulator.portal.open(link_id, self._session_cookie())
        except BackendError as exc:
            return self._gone(exc)
        remaining = (session.expires_at - emulator.backend.clock()).total_seconds()
        directories = emulator.backend.directories(org.id)
        data = {
            "organization_id": org.id,
            "features": list(link.features),
            "session_expires_in_ms": int(remaining * 1000),
            "api": "/portal/api",
            "sso_providers": [
                {"key": k, "label": label, "protocol": proto} for k, label, _, proto in SSO_PROVIDERS
            ],
            "directory_providers": [{"key": k, "label": label} for k, label, _ in DIRECTORY_PROVIDERS],
            "connection": connection_json(emulator.backend.portal_connection(org.id)),
            "directory": directory_json(directories[0] if directories else None, emulator.env_url),
        }
        brand = emulator.branding
        page = PAGE.substitute(
            title=html.escape(f"{org.display_name} · Admin portal"),
            brand_color=html.escape(brand.accent),
            brand_initial=html.escape(brand.name[:1].upper()),
            brand_name=html.escape(brand.name),
            org_name=html.escape(org.display_name),
            data_json=_script_json(data),
        )
        headers = {}
        if started:
            max_age = max(1, math.ceil(emulator.portal.session_ttl.total_seconds()))
            headers["Set-Cookie"] = (
                f"{COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"
            )
        self._send(200, page.encode(), "text/html; charset=utf-8", headers)

    # -- POST: the portal page's API and the control API --------------------------------------

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        try:
            payload = json.loads(self._body() or b"{}")
        except ValueError:
            return self._json(400, {"error": "body must be JSON"})
        if path.startswith("/portal/api/"):
            try:
                session = self.emulator.portal.session(self._session_cookie())
                return self._json(
                    200, self._portal_action(session, path.removeprefix("/portal/api/"), payload)
                )
            except BackendError as exc:
                return self._json(_STATUS.get(exc.code, 400), {"error": exc.message})
        if path.startswith("/_emulator/"):
            return self._control(path.removeprefix("/_emulator/"), payload)
        self._json(404, {"error": "not_found"})

    def _portal_action(self, session: PortalSession, action: str, payload: dict) -> dict:
        portal, base = self.emulator.portal, self.emulator.env_url
        if action == "sso/test":
            fields = {k: str(v) for k, v in dict(payload.get("fields") or {}).items()}
            conn, problem = portal.test_sso(
                session, str(payload.get("provider", "")), str(payload.get("protocol", "")), fields
            )
            message = problem or "Connection test succeeded. You can now enable SSO."
            return {"ok": problem is None, "message": message, "connection": connection_json(conn)}
        if action in ("sso/enable", "sso/disable"):
            conn = portal.set_sso_enabled(session, action == "sso/enable")
            return {"connection": connection_json(conn)}
        if action in ("directory/enable", "directory/disable"):
            enabled = action == "directory/enable"
            directory = portal.set_directory_enabled(session, payload.get("provider"), enabled)
            token = f"skd_{secrets.token_urlsafe(24)}" if enabled else None
            return {"directory": directory_json(directory, base), "token": token}
        raise BackendError("NOT_FOUND", f"unknown portal action {action!r}")

    def _control(self, action: str, payload: dict) -> None:
        if action == "reset":
            self.emulator.reset()
            return self._json(200, self.emulator.status())
        if action == "tokens/expire":
            self.emulator.tokens.expire_all()
            return self._json(200, {"expired": True})
        if action == "faults":
            try:
                fault = Fault(
                    method=str(payload["method"]),
                    code=payload.get("code"),
                    delay_seconds=float(payload.get("delay", 0)),
                    times=payload.get("times"),
                )
                self.emulator.inject_fault(fault)
            except (KeyError, ValueError, TypeError) as exc:
                return self._json(400, {"error": f"bad fault: {exc}"})
            return self._json(200, self.emulator.status())
        self._json(404, {"error": "not_found"})

    def do_DELETE(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/_emulator/faults":
            method = parse_qs(parts.query).get("method", [None])[0]
            self.emulator.faults.clear(method)
            return self._json(200, self.emulator.status())
        self._json(404, {"error": "not_found"})
