"""Reminders on invitations and the rep's signature: a reminder keeps the same link (it names the
message that carries it, never repeats it), is recorded and counted, and every email is From the
shared address, signed by the rep, Reply-To the rep. Real SQLite and PostgreSQL, a real SMTP
server (aiosmtpd), the relay's own app for the link."""

from __future__ import annotations

import datetime as dt
import json
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from starlette.testclient import TestClient

from dashboard import invitations
from dashboard.errors import InvalidInput, MailError, NotPermitted
from dashboard.formatting import day
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.history.migrate import SCRIPTS
from dashboard.mailer import Mailer, Sender, SmtpSettings
from dashboard.models import Operator
from dashboard.organizations.timeline import timeline_page
from dashboard.relay import RelayContext, create_app

from .dump import everything
from .mail_server import settings as smtp_settings
from .people import ANA, BEN, BO, VIV

ENV = "emulator"
RELAY = "http://testserver"  # the relay app under Starlette's TestClient


def invite(gateway: ScalekitGateway, history: History, org_id: str, **extra: object):
    values: dict = dict(
        environment=ENV,
        relay_url=RELAY,
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
    )
    values.update(extra)
    return invitations.create(gateway, history, **values)


def remind(history: History, issued, mailer: Mailer | None = None, **extra: object):
    values: dict = dict(environment=ENV, invitation_id=issued.invitation.id, operator=ANA)
    values.update(extra)
    return invitations.remind(history, mailer, **values)


def relay_opens(gateway: ScalekitGateway, history: History, url: str) -> int:
    """The status the relay answers when the IT admin clicks through ``url`` (303: to the portal)."""
    relay = TestClient(
        create_app(RelayContext(gateway=gateway, history=history, environment=ENV, support_contact="h@x.io")),
        follow_redirects=False,
    )
    return relay.post(url.removeprefix(RELAY)).status_code


def reminders(history: History) -> list[dict]:
    return [
        {"actor": a.actor, **json.loads(a.details)}
        for a in history.activity.search(ENV, actions=["invitation_reminded"])
    ]


def parsed(raw: bytes) -> tuple[Message, str]:
    message = message_from_bytes(raw)
    return message, message.get_payload(decode=True).decode().replace("\r\n", "\n")


def test_a_reminder_keeps_the_same_link_is_counted_and_stores_no_token(
    gateway: ScalekitGateway, history: History, org_id: str, tmp_path: Path
) -> None:
    issued = invite(gateway, history, org_id)  # no recipient: a text for the chat
    first = remind(history, issued)
    assert first.channel == "chat" and first.recipient is None
    token = issued.url.rsplit("/i/", 1)[1]
    assert token not in first.text and "/i/" not in first.text and issued.invitation.reference in first.text
    assert f"that I sent you on {day(issued.invitation.issued_at)}" in first.text
    assert "has not been opened yet" in first.text
    assert (first.invitation.reminder_count, first.invitation.last_reminded_by) == (1, "ana@portal.test")

    assert relay_opens(gateway, history, issued.url) == 303  # the same URL still opens the portal
    second = remind(history, issued, operator=BO)  # a manager reminds of Ana's invitation
    assert "opened it already: open it again to finish" in second.text
    stored = history.invitations.get(ENV, issued.invitation.id)
    assert (stored.reminder_count, stored.last_reminded_by) == (2, "bo@portal.test")
    assert stored.last_reminded_at == second.invitation.last_reminded_at
    assert relay_opens(gateway, history, issued.url) == 303  # and still does
    assert [(r["actor"], r["channel"]) for r in reminders(history)] == [
        ("bo@portal.test", "chat"),
        ("ana@portal.test", "chat"),
    ]
    story = timeline_page(history, ENV, org_id).entries
    assert [e.who for e in story if e.what.startswith("Reminder sent (same link)")] == [
        "bo@portal.test",
        "ana@portal.test",
    ]
    blob = everything(history).encode() + b"".join(f.read_bytes() for f in tmp_path.glob("history.db*"))
    assert token.encode() not in blob


def test_a_reminder_after_resend_points_to_the_new_link_not_the_old_email(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    mailer = Mailer(smtp_settings(port, ca_file))
    issued = invite(gateway, history, org_id, recipient_email="it@fixture.example")
    invitations.send(history, mailer, issued, operator=ANA)
    emailed = remind(history, issued)  # a chat text naming the email that carries the link
    sent_on = day(history.invitations.get(ENV, issued.invitation.id).sent_at)
    assert f'emailed to you on {sent_on}, subject "Set up SSO for Fixture Org"' in emailed.text
    by_email = remind(history, issued, mailer)
    assert f'the email "Set up SSO for Fixture Org" of {sent_on}' in by_email.text

    invitations.replace_link(  # a new link the rep copies into a chat, not emailed
        history, environment=ENV, relay_url=RELAY, invitation_id=issued.invitation.id, operator=ANA
    )
    after = remind(history, issued, mailer)
    assert "the email" not in after.text and "the link Ana Silva sent you on" in after.text
    assert len(inbox.messages) == 3


@pytest.mark.parametrize(
    ("state", "operator", "error", "message"),
    [
        ("revoked", ANA, InvalidInput, "is revoked"),
        ("expired", ANA, InvalidInput, "Extend it first"),
        ("open", BEN, NotPermitted, "send a reminder for another rep's invitation"),
        ("open", VIV, NotPermitted, "cannot create or change invitations"),
    ],
)
def test_a_reminder_that_cannot_be_sent_records_nothing(
    gateway: ScalekitGateway,
    history: History,
    org_id: str,
    state: str,
    operator: Operator,
    error: type[Exception],
    message: str,
) -> None:
    issued = invite(gateway, history, org_id)
    ref = dict(environment=ENV, invitation_id=issued.invitation.id)
    if state == "revoked":
        invitations.revoke(gateway, history, **ref, operator=ANA)
    elif state == "expired":
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        invitations.extend(history, **ref, days=1, operator=ANA, now=past)
    with pytest.raises(error, match=message):
        remind(history, issued, operator=operator)
    assert history.invitations.get(ENV, issued.invitation.id).reminder_count == 0
    assert reminders(history) == []


def test_emails_are_from_the_shared_address_signed_by_the_rep_and_reply_to_them(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    mailer = Mailer(smtp_settings(port, ca_file))
    issued = invite(gateway, history, org_id, recipient_email="it@fixture.example")
    invitations.send(history, mailer, issued, operator=ANA)
    reminder = remind(history, issued, mailer)
    assert (reminder.channel, reminder.recipient) == ("email", "it@fixture.example")
    (_, first), (recipients, second) = inbox.messages
    assert recipients == ["it@fixture.example"]
    for raw in (first, second):
        message, body = parsed(raw)
        assert message["From"] == "portal-desk@portal.test"
        assert message["Reply-To"] == "Ana Silva <ana@portal.test>"
        assert message.get_all("Reply-To") == [message["Reply-To"]]
        assert body.rstrip().endswith("Best regards,\nAna Silva")
        assert "reply to this email: it reaches Ana Silva (ana@portal.test)" in body
        assert "ana@portal.test\n" not in body  # signed with the name, not the address
    invitation, body = parsed(first)
    reminded, text = parsed(second)
    assert issued.url in body and issued.url not in text and "/i/" not in text
    assert reminded["Subject"] == f"Reminder: {invitation['Subject']}"
    assert history.invitations.get(ENV, issued.invitation.id).reminder_count == 1
    assert relay_opens(gateway, history, issued.url) == 303  # the emailed URL still opens


def test_without_a_display_name_the_email_is_signed_with_the_address(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    plain = Operator("ana@portal.test", "rep", "environment")
    issued = invite(gateway, history, org_id, recipient_email="it@fixture.example", operator=plain)
    remind(history, issued, Mailer(smtp_settings(port, ca_file)), operator=plain)
    [(_, raw)] = inbox.messages
    message, body = parsed(raw)
    assert message["Reply-To"] == "ana@portal.test"
    assert body.rstrip().endswith("Best regards,\nana@portal.test")
    assert "it reaches ana@portal.test, and" in body


def test_line_breaks_in_names_and_addresses_never_become_headers(
    smtp, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    inbox, port, ca_file = smtp
    mailer = Mailer(smtp_settings(port, ca_file))
    crafty = Operator("ana@portal.test", "rep", "sign-in", "Ana\r\nBcc: evil@attacker.example")
    issued = invite(gateway, history, org_id, recipient_email="it@fixture.example", operator=crafty)
    remind(history, issued, mailer, operator=crafty)
    [(recipients, raw)] = inbox.messages
    headers = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert recipients == ["it@fixture.example"] and "\nBcc:" not in headers
    assert message_from_bytes(raw)["Reply-To"] == '"Ana Bcc: evil@attacker.example" <ana@portal.test>'

    # An identity whose "email" carries a header is no address: no Reply-To, and the text says
    # whom to contact instead of "reply".
    odd = Operator("ana@portal.test\r\nBcc: evil@attacker.example", "manager", "sign-in", "Ana")
    remind(history, issued, mailer, operator=odd)
    message, body = parsed(inbox.messages[-1][1])
    assert message["Reply-To"] is None and "contact Ana, and" in body and "reply to this email" not in body

    for to, reply_to in [
        ("it@fixture.example\r\nBcc: evil@attacker.example", None),
        ("it@fixture.example", Sender("Ana", "ana@portal.test\nBcc: evil@attacker.example")),
    ]:
        with pytest.raises(MailError, match="nothing was sent"):
            mailer.send(to, "s", "b", reply_to=reply_to)
    assert len(inbox.messages) == 2


def test_a_mail_server_down_is_a_sentence_and_records_no_reminder(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = invite(gateway, history, org_id, recipient_email="it@fixture.example")
    closed = SmtpSettings(host="127.0.0.1", port=1, security="starttls", sender="d@portal.test", timeout_s=2)
    with pytest.raises(MailError, match="could not reach the mail server") as info:
        remind(history, issued, Mailer(closed))
    assert issued.url not in str(info.value)
    assert history.invitations.get(ENV, issued.invitation.id).reminder_count == 0 and reminders(history) == []


def test_a_database_from_before_reminders_upgrades_and_keeps_its_invitations(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        command.downgrade(config, "0007")  # 0008 goes back cleanly, and comes again below
        assert "reminder_count" not in {c["name"] for c in sa.inspect(conn).get_columns("invitation")}
        conn.exec_driver_sql(
            "INSERT INTO invitation (reference, token_hash, environment, organization_id, organization_name, "
            "features, issued_by, issued_at, expires_at, open_count) VALUES ('INV-000001', 'h', 'emulator', "
            "'org_1', 'Acme', 'sso', 'ana@portal.test', '2026-01-01 10:00:00', '2999-01-01 10:00:00', 0)"
        )
    engine.dispose()
    history = History(database_url)
    try:
        [found] = history.invitations.for_organization(ENV, "org_1")
        assert (found.reference, found.reminder_count, found.last_reminded_at) == ("INV-000001", 0, None)
        again = invitations.remind(history, None, environment=ENV, invitation_id=found.id, operator=ANA)
        assert again.invitation.reminder_count == 1
    finally:
        history.engine.dispose()
