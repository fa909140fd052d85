"""The "Send a reminder" button on the Share link page under AppTest: the app's embedded emulator and relay,
a real SQLite file, and a real SMTP server (aiosmtpd) where mail is involved."""

from __future__ import annotations

import sqlite3
from email import message_from_bytes
from pathlib import Path

import pytest
import requests

from .apptest import button, open_page, rendered_text
from .test_share_link_page import PAGE, create, first_org, rows, said, shown_url, with_mail_server


def reminder_button(at):
    return button(at, "Send a reminder")


def test_without_a_mail_server_a_reminder_is_a_text_to_paste_and_the_link_stays(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id), email="it-admin@customer.com")
    url = shown_url(at)
    assert "Gives you a reminder to paste into a chat" in (reminder_button(at).help or "")
    reminder_button(at).click().run()
    assert not at.exception
    [text] = [c.value for c in at.code if c.value.startswith("A reminder about the invitation")]
    assert "INV-000001" in text and url not in text and "/i/" not in text
    assert any("Reminder for INV-000001 recorded" in s for s in said(at.success))
    assert "Reminded once, last just now by ana@portal.test" in "\n".join(said(at.markdown))
    assert requests.post(url, allow_redirects=False, timeout=10).status_code == 303  # the same link

    reminder_button(at).click().run()
    assert rows(app_env)[0]["reminder_count"] == 2
    assert "Reminded 2 times, last just now" in "\n".join(said(at.markdown))
    button(at, "Done").click().run()
    assert not [c for c in at.code if c.value.startswith("A reminder about the invitation")]
    assert [r["action"] for r in rows(app_env, "activity")].count("invitation_reminded") == 2


def test_with_a_mail_server_the_reminder_is_emailed_from_the_shared_address_reply_to_the_rep(
    app_env: Path, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_mail_server(smtp, monkeypatch)
    inbox = smtp[0]
    at = create(open_page(PAGE, org=first_org().id), email="it-admin@customer.com")
    url = shown_url(at)
    assert "Emails it-admin@customer.com a reminder" in (reminder_button(at).help or "")
    reminder_button(at).click().run()
    assert not at.exception
    assert any("emailed to it-admin@customer.com; the link is unchanged" in s for s in said(at.success))
    (_, invitation), (recipients, reminder) = inbox.messages
    message = message_from_bytes(reminder)
    assert recipients == ["it-admin@customer.com"] and message["Subject"].startswith("Reminder: Set up")
    assert (message["From"], message["Reply-To"]) == ("portal-desk@portal.test", "ana@portal.test")
    assert url.encode() in invitation and url.encode() not in reminder
    assert rows(app_env)[0]["reminder_count"] == 1
    assert requests.post(url, allow_redirects=False, timeout=10).status_code == 303


def test_a_mail_server_down_says_so_and_records_no_reminder(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_SMTP_URL", "smtp://desk:mail-pass@127.0.0.1:1")
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", "portal-desk@portal.test")
    at = create(open_page(PAGE, org=first_org().id), email="it-admin@customer.com")
    url = shown_url(at)
    reminder_button(at).click().run()
    assert not at.exception
    [error] = [e for e in said(at.error) if "No reminder for INV-000001" in e]
    assert "could not reach the mail server" in error and "was sent or recorded" in error and url not in error
    assert rows(app_env)[0]["reminder_count"] == 0
    assert "invitation_reminded" not in [r["action"] for r in rows(app_env, "activity")]
    assert "Reminded" not in rendered_text(at)


def test_expired_and_revoked_invitations_cannot_be_reminded_and_say_why(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id))
    raw = sqlite3.connect(app_env)
    with raw:
        raw.execute("UPDATE invitation SET expires_at = '2020-01-01 00:00:00.000000'")
    at.run()
    expired = reminder_button(at)
    assert expired.disabled and "Expired: extend it first" in (expired.help or "")

    at = create(at)  # a second, usable one: newest first
    assert not reminder_button(at).disabled
    button(at, "Revoke").click().run()
    button(at, "Revoke invitation").click().run()
    revoked = reminder_button(at)
    assert revoked.disabled and "Revoked: there is no link left" in (revoked.help or "")
    assert [r["reminder_count"] for r in rows(app_env)] == [0, 0]
