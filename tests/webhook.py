"""A real local HTTP receiver for webhook notifications (Apprise's ``json://``), on a free port."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Receiver:
    port: int
    received: list[dict] = field(default_factory=list)
    status: int = 200  # what the receiver answers: a 500 makes the sender retry

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hooks/portal-desk"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if receiver.status == 200:
                receiver.received.append({"path": self.path, **json.loads(body or b"{}")})
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args: object) -> None:  # quiet test output
            return

    return Handler


@pytest.fixture
def webhook() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(0)))  # port 0: the kernel picks
    receiver = Receiver(server.server_address[1])
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
