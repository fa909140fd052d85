"""HTTP wire adapters shared by the emulator's two HTTP servers, and the REST endpoints the SDK
calls. ``RestHandler`` sits behind the TLS front (``/oauth/token``, ``/keys``), exactly where the
SDK expects them; the portal port's handler is in ``portal.py``.
"""

from __future__ import annotations

import html
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from .tokens import InvalidClient

if TYPE_CHECKING:
    from .server import Emulator


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, emulator: Emulator) -> None:
        super().__init__(address, handler)
        self.emulator = emulator


class BaseHandler(BaseHTTPRequestHandler):
    server: EmulatorHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "ScalekitEmulator/1.0"

    def log_message(self, format: str, *args) -> None:
        # Silent on purpose: request lines carry link ids, which are credentials.
        return

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: object) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _html(self, status: int, page: str) -> None:
        self._send(status, page.encode(), "text/html; charset=utf-8")


class RestHandler(BaseHandler):
    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/oauth/token":
            return self._json(404, {"error": "not_found"})
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return self._json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "only client_credentials is supported",
                },
            )
        try:
            token = self.emulator.tokens.issue(form.get("client_id", ""), form.get("client_secret", ""))
        except InvalidClient:
            return self._json(
                401, {"error": "invalid_client", "error_description": "client authentication failed"}
            )
        self._json(
            200, {"access_token": token.access_token, "token_type": "Bearer", "expires_in": token.expires_in}
        )

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/keys":
            return self._json(200, self.emulator.tokens.jwks())
        self._json(404, {"error": "not_found"})


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body {{ font-family: system-ui, sans-serif; margin: 0; color: #1f2430; background: #f6f7fb; }}
 header {{ background: #fff; border-bottom: 1px solid #e3e6ef; padding: 16px 28px; display: flex;
          align-items: center; gap: 12px; }}
 .logo {{ width: 28px; height: 28px; border-radius: 7px; background: #5b5bd6; }}
 main {{ max-width: 760px; margin: 32px auto; padding: 0 24px; }}
 .card {{ background: #fff; border: 1px solid #e3e6ef; border-radius: 10px; padding: 20px 24px;
         margin-bottom: 16px; }}
 .muted {{ color: #687083; }}
</style></head>
<body><header><div class="logo"></div><strong>{heading}</strong></header><main>{body}</main></body></html>
"""


def render_page(title: str, heading: str, body: str) -> str:
    """Callers pass already-escaped ``body``; ``title`` and ``heading`` are escaped here."""
    return _PAGE.format(title=html.escape(title), heading=html.escape(heading), body=body)
