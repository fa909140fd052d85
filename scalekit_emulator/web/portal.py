"""The portal port (plain HTTP, so a browser opens it without trusting the emulator's CA).

``GET /magicLink/<token>`` is the mock admin portal; the page calls its own API under
``/magicLink/<token>/api/...``, naming its session in ``X-Portal-Session``: the session's secret
lives in the page (one per frame or tab), not in a cookie, so the portal works in a cross-site
frame, where a browser sends no SameSite=Lax cookie. A cookie scoped to the link's path only lets
the same browser reload its page. Pages may be framed only by the environment's allowed origins
(``Content-Security-Policy: frame-ancestors``) and post their UI events only to such a parent.
The control API (``/_emulator/...``) shares the port.
"""

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
from typing import Any
from urllib.parse import urlsplit

from ..backends.identity import IdentityProvider
from ..backends.portal import OpenedPortal, Portal, PortalSession
from ..control import Control
from ..errors import BackendError
from ..providers import DIRECTORY_PROVIDERS, SSO_PROVIDERS, for_connection, label
from ..records import ConnectionRecord, DirectoryRecord, OrgRecord
from . import oidc
from .base import BaseHandler, favicon, render_page
from .control import PREFIX, handle_control

COOKIE = "sk_portal_session"
SESSION_HEADER = "X-Portal-Session"
PAGE = Template((Path(__file__).parent / "portal_page.html").read_text())
EVENTS_JS = (Path(__file__).parent / "portal_events.js").read_text()
# A link that opens nothing still tells an allowed parent so (PORTAL_LOAD_FAILURE).
GONE_SCRIPT = Template(
    '<script type="application/json" id="portal-data">$data_json</script><script>$events_js</script>'
)
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

    name: str = "Scalekit emulator"
    accent: str = "#2f6fed"


@dataclass
class PortalApp:
    """What the portal port serves from: the portal backend, the branding, the control API, and
    the identity provider a team signs in to its own product with."""

    portal: Portal
    branding: Branding
    control: Control
    identity: IdentityProvider
    env_url: str = ""  # set once the TLS front listens (SCIM endpoints are shown under it)


def connection_json(conn: ConnectionRecord | None) -> dict[str, Any] | None:
    if conn is None:
        return None
    provider = for_connection(conn.provider, conn.type)
    return {
        "id": conn.id,
        "provider": conn.provider,
        "provider_label": label(conn.provider),
        "type": conn.type,
        "status": conn.status,
        "enabled": conn.enabled,
        "settings": {k: v for k, v in conn.settings.items() if k != "client_secret"},
        "provider_key": provider.key if provider else None,
    }


def directory_json(directory: DirectoryRecord | None, base_url: str) -> dict[str, Any] | None:
    if directory is None:
        return None
    provider = next((p for p in DIRECTORY_PROVIDERS if p.enum == directory.provider), None)
    return {
        "id": directory.id,
        "provider": directory.provider,
        "enabled": directory.enabled,
        "provider_key": provider.key if provider else None,
        "endpoint": base_url + directory.endpoint,
    }


def _script_json(payload: dict[str, Any]) -> str:
    """JSON that can sit inside <script>: no '<' (so no '</script>'), no '&'."""
    return json.dumps(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _split(path: str) -> tuple[str, str | None]:
    """``/magicLink/<token>[/api/<action>]`` -> (token, action or None)."""
    rest = path.removeprefix("/magicLink/")
    token, _, tail = rest.partition("/")
    return token, (tail.removeprefix("api/") if tail.startswith("api/") else None if not tail else "")


class PortalHandler(BaseHandler):
    @property
    def app(self) -> PortalApp:
        app: PortalApp = self.server.app
        return app

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = urlsplit(self.path).path
        if path.startswith(PREFIX):
            return handle_control(self, self.app.control, "GET")
        if oidc.handles(path):
            return oidc.handle(self, self.app.identity, "GET")
        if path.startswith("/magicLink/"):
            token, action = _split(path)
            if action is None:
                return self._portal(token)
        self._html(404, render_page("Not found", "Admin portal", "<div class='card'>Not found.</div>"))

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path.startswith(PREFIX):
            return handle_control(self, self.app.control, "POST")
        if oidc.handles(path):
            return oidc.handle(self, self.app.identity, "POST")
        token, action = _split(path) if path.startswith("/magicLink/") else ("", None)
        if not action:
            return self._json(404, {"error": "not_found"})
        try:
            payload = json.loads(self._body() or b"{}")
            if not isinstance(payload, dict):
                raise ValueError
        except ValueError:
            return self._json(400, {"error": "body must be a JSON object"})
        try:
            session, org = self._session(token)
            return self._json(200, self._portal_action(session, org, action, payload))
        except BackendError as exc:
            return self._json(_STATUS.get(exc.code, 400), {"error": exc.message})

    def do_DELETE(self) -> None:  # noqa: N802
        if urlsplit(self.path).path.startswith(PREFIX):
            return handle_control(self, self.app.control, "DELETE")
        self._json(404, {"error": "not_found"})

    # -- the portal page ---------------------------------------------------------------------

    def _cookie(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        return cookie[COOKIE].value if COOKIE in cookie else None

    def _session(self, token: str) -> tuple[PortalSession, OrgRecord]:
        # The page's own secret, sent by its script: a cross-site page can neither read nor send it.
        named = self.headers.get(SESSION_HEADER)
        if not named:
            raise BackendError("UNAUTHENTICATED", "There is no admin portal session. Open your link again.")
        return self.app.portal.session(token, named)

    def _framing(self) -> dict[str, str]:
        """Only the environment's allowed origins may frame a portal page (none registered: none)."""
        ancestors = " ".join(self.app.portal.allowed_origins) or "'none'"
        return {"Content-Security-Policy": f"frame-ancestors {ancestors}"}

    def _gone(self, exc: BackendError) -> None:
        status = HTTPStatus.NOT_FOUND if exc.code == "NOT_FOUND" else HTTPStatus.GONE
        message = "This portal link is not valid." if status == HTTPStatus.NOT_FOUND else exc.message
        # PORTAL_LOAD_FAILURE (no organization_id: the page names none it cannot open).
        failure = {
            "event_type": "PORTAL_LOAD_FAILURE",
            "object": "portal",
            "message": message,
            "data": {"error_code": "INVALID_LINK" if status == HTTPStatus.NOT_FOUND else "SESSION_EXPIRED"},
        }
        body = (
            f"<div class='card'><h1>Link unavailable</h1><p>{html.escape(message)}</p>"
            "<p class='muted'>Ask your account team for a new admin portal link.</p></div>"
            + GONE_SCRIPT.substitute(
                data_json=_script_json({"event": failure, "parents": list(self.app.portal.allowed_origins)}),
                events_js=EVENTS_JS,
            )
        )
        page = render_page("Link unavailable", "Admin portal", body, self.app.branding.accent)
        self._html(status, page, {**self._framing(), "Referrer-Policy": "no-referrer"})

    def _portal(self, token: str) -> None:
        app = self.app
        try:
            opened = app.portal.open(token, self._cookie())
        except BackendError as exc:
            return self._gone(exc)
        headers = {**self._framing(), **self._cookie_header(token, opened), "Referrer-Policy": "no-referrer"}
        self._html(200, self._page(token, opened), headers)

    def _page(self, token: str, opened: OpenedPortal) -> str:
        app, org = self.app, opened.organization
        remaining = (opened.session.expires_at - app.portal.env.clock()).total_seconds()
        data = {
            "organization_id": org.id,
            "features": list(opened.features),
            "session": opened.session.id,
            "session_expires_in_ms": int(remaining * 1000),
            "session_expiry": opened.session.expires_at.isoformat().replace("+00:00", "Z"),
            "session_warning_ms": int(app.portal.warning_lead.total_seconds() * 1000),
            "parents": list(app.portal.allowed_origins),  # where UI events may go
            "api": f"/magicLink/{token}/api",
            "sso_providers": [
                {"key": p.key, "label": p.label, "protocol": p.protocol} for p in SSO_PROVIDERS
            ],
            "directory_providers": [{"key": p.key, "label": p.label} for p in DIRECTORY_PROVIDERS],
            "connection": connection_json(app.portal.connections.portal_connection(org.id)),
            "directory": directory_json(app.portal.directories.portal_directory(org.id), app.env_url),
        }
        brand = app.branding
        return PAGE.substitute(
            title=html.escape(f"{org.display_name} · Admin portal"),
            brand_color=html.escape(brand.accent),
            brand_initial=html.escape(brand.name[:1].upper()),
            brand_name=html.escape(brand.name),
            icon=favicon(brand.accent, brand.name),
            org_name=html.escape(org.display_name),
            data_json=_script_json(data),
            events_js=EVENTS_JS,
        )

    def _cookie_header(self, token: str, opened: OpenedPortal) -> dict[str, str]:
        if not opened.started:
            return {}
        max_age = max(1, math.ceil(self.app.portal.session_ttl.total_seconds()))
        return {
            "Set-Cookie": (
                f"{COOKIE}={opened.session.id}; Path=/magicLink/{token}; HttpOnly; SameSite=Lax; "
                f"Max-Age={max_age}"
            ),
        }

    def _portal_action(
        self, session: PortalSession, org: OrgRecord, action: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        portal = self.app.portal
        if action == "sso/test":
            fields = {k: str(v) for k, v in dict(payload.get("fields") or {}).items()}
            conn, problem = portal.test_sso(
                session, org, str(payload.get("provider", "")), str(payload.get("protocol", "")), fields
            )
            message = problem or "Connection test succeeded. You can now enable SSO."
            return {"ok": problem is None, "message": message, "connection": connection_json(conn)}
        if action in ("sso/enable", "sso/disable"):
            conn = portal.set_sso_enabled(session, org, action == "sso/enable")
            return {"connection": connection_json(conn)}
        if action in ("directory/enable", "directory/disable"):
            enabled = action == "directory/enable"
            directory = portal.set_directory_enabled(session, org, payload.get("provider"), enabled)
            token = f"skd_{secrets.token_urlsafe(24)}" if enabled else None
            return {"directory": directory_json(directory, self.app.env_url), "token": token}
        raise BackendError("NOT_FOUND", f"unknown portal action {action!r}")
