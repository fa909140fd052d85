"""Invitations sent through a real SMTP server (aiosmtpd, in this process), over STARTTLS."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from dashboard import invitations
from dashboard.config import load_settings
from dashboard.errors import ConfigError, MailError
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.mailer import Mailer, SmtpSettings, parse_smtp_url

from .mail_server import settings
from .people import ANA


def test_an_emailed_invitation_carries_its_url_and_no_other_secret(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    issued = invitations.create(
        gateway,
        history,
        environment="emulator",
        relay_url="https://relay.portal.test",
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
        recipient_email="it-admin@fixture.example",
    )
    sent = invitations.send(history, Mailer(settings(port, ca_file)), issued, operator=ANA)
    assert sent.sent_at is not None
    [(recipients, raw)] = inbox.messages
    message = message_from_bytes(raw)
    body = message.get_payload(decode=True).decode()
    assert recipients == ["it-admin@fixture.example"] and message["From"] == "portal-desk@portal.test"
    assert issued.url in body and issued.invitation.reference in body
    assert "works until" in body
    assert b"mail-pass" not in raw and b"magicLink" not in raw and gateway.environment_url.encode() not in raw


def test_a_refused_login_is_a_sentence_and_nothing_is_marked_sent(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    issued = invitations.create(
        gateway,
        history,
        environment="emulator",
        relay_url="https://relay.portal.test",
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
        recipient_email="it@fixture.example",
    )
    with pytest.raises(MailError, match="refused Portal Desk's login") as info:
        invitations.send(
            history,
            Mailer(settings(port, ca_file, password="wrong")),
            issued,
            operator=ANA,
        )
    assert "wrong" not in str(info.value)
    assert inbox.messages == [] and history.invitations.get("emulator", issued.invitation.id).sent_at is None


def test_an_untrusted_certificate_stops_the_send(smtp) -> None:
    _, port, _ = smtp
    untrusted = parse_smtp_url(f"smtp://desk:mail-pass@localhost:{port}", "desk@portal.test")
    with pytest.raises(MailError, match="TLS"):
        Mailer(untrusted).send("it@x.example", "s", "b")


def test_an_unreachable_server_is_a_sentence() -> None:
    closed = SmtpSettings(host="127.0.0.1", port=1, security="starttls", sender="d@portal.test", timeout_s=2)
    with pytest.raises(MailError, match="could not reach the mail server"):
        Mailer(closed).send("it@x.example", "s", "b")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"DASHBOARD_SMTP_URL": "mail.example.com"}, "must look like smtp://"),
        ({"DASHBOARD_SMTP_URL": "smtp://mail.example.com"}, "DASHBOARD_SMTP_FROM"),
        (
            {"DASHBOARD_SMTP_URL": "smtp://u:p@mail.example.com:notaport", "DASHBOARD_SMTP_FROM": "a@b.c"},
            "port",
        ),
    ],
)
def test_a_malformed_mail_setting_is_a_config_error_that_never_echoes_it(values: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(values, dotenv_path=None)
    assert "u:p" not in str(info.value)


def test_the_secret_stays_out_of_repr() -> None:
    parsed = parse_smtp_url("smtps://desk:hunter2@mail.example.com", "desk@portal.test")
    assert (parsed.security, parsed.port) == ("tls", 465) and "hunter2" not in repr(parsed)
