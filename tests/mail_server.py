"""A real SMTP server for tests (aiosmtpd), with STARTTLS under the emulator's CA and a login."""

from __future__ import annotations

import asyncio
import socket
import ssl
import tempfile
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dashboard.mailer import SmtpSettings, parse_smtp_url
from scalekit_emulator.tls import issue_server_certificate, process_ca


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's API
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"desk",
        b"mail-pass",
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


class _Controller(Controller):
    """aiosmtpd's controller on a socket the kernel gave a free port (port 0) and that stays
    bound: choosing a port, closing it and binding it again could lose it to another process."""

    def __init__(self, handler: Inbox, **kwargs: Any) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        super().__init__(handler, hostname="127.0.0.1", port=self._socket.getsockname()[1], **kwargs)

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._socket, ssl=self.ssl_context)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int, Path]]:
    ca = process_ca()
    cert = issue_server_certificate(ca, Path(tempfile.mkdtemp(prefix="smtp-cert-")))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert.cert_file, cert.key_file)
    inbox = Inbox()
    controller = _Controller(
        inbox,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield inbox, controller.port, ca.ca_file
    finally:
        controller.stop()


def settings(port: int, ca_file: Path, password: str = "mail-pass") -> SmtpSettings:
    url = f"smtp://desk:{password}@localhost:{port}"
    return parse_smtp_url(url, "portal-desk@portal.test", str(ca_file))
