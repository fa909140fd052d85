"""The only door to email: invitations sent over SMTP, failures turned into sentences.

Configured by ``DASHBOARD_SMTP_URL``: ``smtp://user:password@host:587`` (STARTTLS, required),
``smtps://…:465`` (TLS from the first byte) or ``smtp+insecure://host:25`` (no TLS: a local relay
only). ``DASHBOARD_SMTP_FROM`` is the sender; ``DASHBOARD_SMTP_CA_FILE`` adds a CA to trust.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from .errors import ConfigError, MailError

_SECURITY = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+insecure": ("none", 25)}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout_s: float = 15.0


def parse_smtp_url(url: str, sender: str | None, ca_file: str | None = None) -> SmtpSettings:
    """Settings from DASHBOARD_SMTP_URL; a malformed one is a ConfigError naming the variable
    (never echoing the URL, which may hold a password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _SECURITY or not parts.hostname:
        raise ConfigError(
            "DASHBOARD_SMTP_URL must look like smtp://user:password@host:587 (STARTTLS), "
            "smtps://…:465 (TLS) or smtp+insecure://host:25."
        )
    if not sender or "@" not in sender:
        raise ConfigError("Set DASHBOARD_SMTP_FROM to the address invitations are sent from.")
    security, default_port = _SECURITY[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ConfigError("DASHBOARD_SMTP_URL has a port that is not a number.") from exc
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        security=security,
        sender=sender.strip(),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ca_file=ca_file or None,
    )


class Mailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            context.load_verify_locations(self.settings.ca_file)
        return context

    def send(self, to: str, subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.sender, to, subject
        message["Message-ID"] = make_msgid(domain=s.sender.rsplit("@", 1)[-1])
        message.set_content(body)
        try:
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_s, context=self._context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            with client:
                if s.security == "starttls":
                    client.starttls(context=self._context())
                if s.username:
                    client.login(s.username, s.password or "")
                client.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError("The mail server refused Portal Desk's login. Check DASHBOARD_SMTP_URL.") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"The mail server refused the address {to}. Check it and send again.") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(
                "The mail server does not offer STARTTLS, so Portal Desk did not send the invitation "
                "in clear. "
                "Use smtps:// or a server that supports STARTTLS."
            ) from exc
        except ssl.SSLError as exc:
            raise MailError(
                "Portal Desk could not set up TLS with the mail server (its certificate was not trusted). "
                "Check DASHBOARD_SMTP_CA_FILE."
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise MailError(
                f"Portal Desk could not reach the mail server at {s.host}:{s.port}, so the invitation "
                "was not sent. Try again, or copy the email draft instead."
            ) from exc
