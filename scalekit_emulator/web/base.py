"""What the emulator's two HTTP servers share: a threaded server that hands each handler the one
object it serves (not the whole emulator), and a handler base with JSON and HTML answers."""

from __future__ import annotations

import html
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote


class AppServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], app: Any) -> None:
        super().__init__(address, handler)
        self.app = app


class BaseHandler(BaseHTTPRequestHandler):
    server: AppServer
    protocol_version = "HTTP/1.1"
    server_version = "ScalekitEmulator/1.0"

    def log_message(self, format: str, *args: object) -> None:
        # Silent on purpose: request lines carry portal link tokens, which are credentials.
        return

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

    def _json(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _html(self, status: int, page: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, page.encode(), "text/html; charset=utf-8", headers)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="{icon}">
<style>
 body {{ font-family: system-ui, sans-serif; margin: 0; color: #1f2430; background: #f6f7fb; }}
 header {{ background: #fff; border-bottom: 1px solid #e3e6ef; padding: 16px 28px; display: flex;
          align-items: center; gap: 12px; }}
 .logo {{ width: 28px; height: 28px; border-radius: 7px; background: {accent}; }}
 main {{ max-width: 760px; margin: 32px auto; padding: 0 24px; }}
 .card {{ background: #fff; border: 1px solid #e3e6ef; border-radius: 10px; padding: 20px 24px;
         margin-bottom: 16px; }}
 .muted {{ color: #687083; }}
</style></head>
<body><header><div class="logo"></div><strong>{heading}</strong></header><main>{body}</main></body></html>
"""


def render_page(title: str, heading: str, body: str, accent: str = "#5b5bd6") -> str:
    """Callers pass already-escaped ``body``; ``title``, ``heading`` and ``accent`` are escaped here."""
    return _PAGE.format(
        title=html.escape(title),
        heading=html.escape(heading),
        body=body,
        accent=html.escape(accent),
        icon=favicon(accent),
    )


def favicon(accent: str, initial: str = "") -> str:
    """The tab's icon as a data URI, in the environment's accent colour (as Scalekit brands its
    pages): nothing to fetch, so no request for /favicon.ico ends in a 404."""
    letter = html.escape(initial[:1])
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>"
        f"<rect width='32' height='32' rx='7' fill='{html.escape(accent)}'/>"
        "<text x='16' y='22' font-family='system-ui,sans-serif' font-size='17' font-weight='700' "
        f"fill='#fff' text-anchor='middle'>{letter}</text></svg>"
    )
    return "data:image/svg+xml," + quote(svg)
