"""The only door to email: invitations sent over SMTP, failures turned into sentences.

Configured by ``DASHBOARD_SMTP_URL``: ``smtp://user:password@host:587`` (STARTTLS, required),
``smtps://…:465`` (TLS from the first byte) or ``smtp+insecure://host:25`` (no TLS: a local relay
only). ``DASHBOARD_SMTP_FROM`` is the sender; ``DASHBOARD_SMTP_CA_FILE`` adds a CA to trust.

Every email is From the shared ``DASHBOARD_SMTP_FROM`` (the address the server lets Portal Desk
send as) with Reply-To the rep who sent it, so the customer's answer reaches a person.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from .errors import ConfigError, MailError

_SECURITY = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+insecure": ("none", 25)}
# Pragmatic, not RFC 5322: one @, no spaces or Markdown/HTML punctuation, a dot in the domain.
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_BREAK = re.compile(r"[\r\n\x00]")


def is_address(text: str | None) -> bool:
    """A plain address Portal Desk will put in a header: the whole text, no line break anywhere."""
    return bool(text) and len(text or "") <= 254 and EMAIL.fullmatch(text or "") is not None


@dataclass(frozen=True)
class Sender:
    """The rep an email comes from, as the customer sees it: the text is signed with ``name``,
    and replies go to ``email`` (Reply-To). ``email`` is None when the rep is not known by an
    address (an operator named in DASHBOARD_OPERATOR, say): then there is no Reply-To, and the
    text does not tell the customer to reply."""

    name: str
    email: str | None = None


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

    def send(self, to: str, subject: str, body: str, *, reply_to: Sender | None = None) -> None:
        """Send one email, or raise MailError with a sentence; nothing is sent when a header would
        carry a line break (names and addresses come from outside: a break would add headers)."""
        s = self.settings
        if not is_address(to):
            raise MailError(
                f"{_BREAK.sub(' ', to)} is not an email address Portal Desk can send to, so nothing was "
                "sent. Fix the address and send again."
            )
        headers = {"From": s.sender, "To": to, "Subject": subject}
        if reply_to is not None and reply_to.email:
            if not is_address(reply_to.email):
                raise MailError(
                    "Your own email address (for the customer's replies) is not one Portal Desk can put "
                    "in an email, so nothing was sent. Ask an admin to check your sign-in."
                )
            name = "" if reply_to.name == reply_to.email else reply_to.name  # no "a@b" <a@b>
            headers["Reply-To"] = formataddr((name, reply_to.email))
        if any(_BREAK.search(value) for value in headers.values()):
            raise MailError("A name in this email holds a line break, so Portal Desk sent nothing.")
        message = EmailMessage()
        for header, value in headers.items():
            message[header] = value
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
                "The mail server does not offer STARTTLS, so Portal Desk did not send the email "
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
                f"Portal Desk could not reach the mail server at {s.host}:{s.port}, so the email "
                "was not sent. Try again, or send it from your own mail."
            ) from exc
