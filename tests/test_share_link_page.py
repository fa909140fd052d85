"""The Share link page under AppTest, against the app's embedded emulator and relay, and a real
SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import requests

from dashboard.history import History, fingerprint
from dashboard.ui.text import WORD_JOINER
from scalekit_emulator import Fault

from .apptest import app_emulator, button, open_page, rendered_text

PAGE = "pages/share_link.py"


def rows(database: Path, table: str = "invitation") -> list[dict]:
    if not database.exists():
        return []
    raw = sqlite3.connect(database)
    raw.row_factory = sqlite3.Row
    return [dict(r) for r in raw.execute(f"SELECT * FROM {table} ORDER BY id")]


def first_org():
    """The newest organization with both admin portal features on."""
    page = app_emulator().backends.organizations.listing(page_size=100)
    return next(o for o in page.items if all(o.features.values()))


def create(
    at,
    *,
    email: str = "",
    note: str = "",
    days: int | None = None,
    sso: bool | None = None,
    dir_sync: bool | None = None,
):
    boxes = [c for c in at.checkbox if c.key and c.key.startswith("invite-")]
    if sso is not None:
        boxes[0].set_value(sso)
    if dir_sync is not None:
        boxes[1].set_value(dir_sync)
    if days is not None:
        at.slider[0].set_value(days)
    inputs = {t.label: t for t in at.text_input}
    inputs["IT admin's email (optional)"].input(email)
    inputs["Note or ticket (optional)"].input(note)
    return button(at, "Create invitation").click().run()


def shown_url(at) -> str:
    [url] = [
        c.value for c in at.code if "/i/" in c.value and c.value.startswith("http") and "\n" not in c.value
    ]
    return url


def test_create_records_one_invitation_and_shows_its_url_once(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    assert at.selectbox[0].value == org.id  # preselected from ?org=
    create(at, email="it-admin@customer.com", note="SUP-1234", days=14, dir_sync=True)
    assert not at.exception
    url = shown_url(at)
    [row] = rows(app_env)
    assert row["token_hash"] == fingerprint(url.rsplit("/i/", 1)[1])
    assert (row["organization_id"], row["organization_name"], row["features"]) == (
        org.id,
        org.display_name,
        "sso,dir_sync",
    )
    assert (row["issued_by"], row["recipient_email"], row["note"], row["open_count"]) == (
        "ana@portal.test",
        "it-admin@customer.com",
        "SUP-1234",
        0,
    )
    text = rendered_text(at)
    assert f"INV-{row['id']:06d}" in text and "expires in 2 weeks" in text  # 14 days less a few seconds
    assert "This invitation is a credential" in text and "works until" in text
    assert any(b.label == "Open email draft" for b in at.get("link_button"))
    assert url not in repr(at.session_state.to_dict())  # kept in no session state

    at.run()  # any later rerun: the URL is gone for good
    assert url not in rendered_text(at)
    assert "Not opened" in rendered_text(at)


def test_an_open_on_the_relay_shows_on_the_page(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id))
    url = shown_url(at)
    opened = requests.post(url, allow_redirects=False, timeout=10)
    assert (
        opened.status_code == 303 and requests.get(opened.headers["Location"], timeout=10).status_code == 200
    )
    at.run()
    assert "Opened 1×" in rendered_text(at)


def test_revoke_through_the_confirmation_dialog(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id))
    url = shown_url(at)
    button(at, "Revoke").click().run()
    button(at, "Revoke invitation").click().run()
    assert not at.exception
    [row] = rows(app_env)
    assert row["revoked_by"] == "ana@portal.test" and row["revoked_at"]
    assert any("is revoked" in s.value for s in at.success)
    assert requests.post(url, allow_redirects=False, timeout=10).status_code == 410


def test_extend_and_resend(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id), days=2)
    old_url = shown_url(at)
    at.number_input[0].set_value(20)
    button(at, "Extend").click().run()
    assert any("now works until" in s.value for s in at.success)
    button(at, "Resend with a new link").click().run()
    assert not at.exception
    new_url = shown_url(at)
    assert new_url != old_url
    assert requests.post(old_url, allow_redirects=False, timeout=10).status_code == 410  # replaced
    assert requests.post(new_url, allow_redirects=False, timeout=10).status_code == 303
    at.run()  # the list redraws itself: the new URL stays until the rep says it is copied
    assert new_url in rendered_text(at)
    button(at, "I have copied it").click().run()
    assert new_url not in rendered_text(at)


def test_open_the_portal_now_shows_a_one_minute_link(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    button(at, "Open the portal now").click().run()
    assert not at.exception
    # The card is a component (it follows the link's state in the browser): its data is the link.
    cards = at.get("bidi_component")
    [card] = [json.loads(e.proto.json) for e in cards if "direct_link" in e.proto.component_name]
    location = card["location"]
    assert "/magicLink/" in location and location not in rendered_text(at)  # shown by the card alone
    [row] = rows(app_env, "link_issuance")
    assert (row["kind"], row["state"], row["organization_id"]) == ("direct", "minted", org.id)
    assert row["link_fingerprint"] == fingerprint(location)
    assert requests.get(location, timeout=10).status_code == 200


def _expect_refusal(at, message: str, database: Path) -> None:
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert rows(database) == []


def test_no_organization_chosen(app_env: Path) -> None:
    _expect_refusal(create(open_page(PAGE)), "Choose an organization first", app_env)


def test_no_feature_chosen(app_env: Path) -> None:
    at = create(open_page(PAGE, org=first_org().id), sso=False, dir_sync=False)
    _expect_refusal(at, "Choose at least one feature", app_env)


@pytest.mark.parametrize("email", ["it-admin@customer", "[Re-authenticate](https://evil.example)@x.com"])
def test_malformed_email(app_env: Path, email: str) -> None:
    at = create(open_page(PAGE, org=first_org().id), email=email)
    _expect_refusal(at, "not a valid email address", app_env)
    assert "evil.example" not in rendered_text(at)


def test_organization_deleted_meanwhile(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    app_emulator().backends.organizations.delete(org.id)
    _expect_refusal(create(at), "was not found in Scalekit", app_env)


@pytest.mark.parametrize(
    ("code", "message"), [("UNAVAILABLE", "Scalekit is unavailable"), ("RESOURCE_EXHAUSTED", "rate limiting")]
)
def test_scalekit_unavailable_or_rate_limited(app_env: Path, code: str, message: str) -> None:
    at = open_page(PAGE, org=first_org().id)
    app_emulator().control.inject_fault(Fault(method="GetOrganization", code=code, times=5))
    _expect_refusal(create(at), message, app_env)


def test_an_unwritable_database_is_said_and_nothing_is_made(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    History(f"sqlite:///{app_env}")  # exists, migrated, then opened read-only by the app
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///file:{app_env}?mode=ro&uri=true")
    at = open_page(PAGE, org=first_org().id)
    _expect_refusal(create(at), "not writable", app_env)


def test_unknown_operator_cannot_create(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    at = open_page(PAGE, org=first_org().id)
    assert button(at, "Create invitation").disabled and button(at, "Open the portal now").disabled
    assert any("who you are" in i.value for i in at.info)
    at.sidebar.text_input[0].input("Cy Rep").run()
    assert not button(at, "Create invitation").disabled
    create(at)
    assert rows(app_env)[0]["issued_by"] == "Cy Rep"


def said(elements) -> list[str]:
    """What the elements read as, Markdown escapes (from md()) undone."""
    return [re.sub(r"\\(.)", r"\1", e.value).replace(WORD_JOINER, "") for e in elements]


def an_org(name: str, **features: bool):
    """A new organization in the app's emulator, with some admin portal features switched off."""
    backend = app_emulator().backends.organizations
    made = backend.create(name)
    if features:
        backend.update_settings(made.id, [(f, on) for f in made.features for on in [features.get(f, True)]])
    return made


def test_choosing_an_organization_and_creating_at_once_keeps_what_was_typed(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE)  # no organization yet
    # One run carries all of it, as when a click lands while the rerun of the choice is under way.
    at.selectbox[0].select(org.id)
    create(at, email="it-admin@customer.com", note="SUP-77")
    assert not at.exception
    shown_url(at)
    [row] = rows(app_env)
    assert (row["organization_id"], row["recipient_email"], row["note"]) == (
        org.id,
        "it-admin@customer.com",
        "SUP-77",
    )


def test_a_click_on_another_organizations_feature_boxes_creates_nothing_and_keeps_the_typing(
    app_env: Path,
) -> None:
    narrow = an_org("Directory Only Co", sso=False)
    at = open_page(PAGE, org=first_org().id)
    at.selectbox[0].select(narrow.id)
    at = create(at, email="it-admin@customer.com", note="SUP-78")
    assert rows(app_env) == []
    assert any("organization changed as you clicked" in w.value for w in at.warning)
    inputs = {t.label: t.value for t in at.text_input}
    assert (inputs["IT admin's email (optional)"], inputs["Note or ticket (optional)"]) == (
        "it-admin@customer.com",
        "SUP-78",
    )
    button(at, "Create invitation").click().run()  # now on the boxes shown
    assert rows(app_env)[0]["features"] == "dir_sync"


def test_an_organization_with_no_feature_on_cannot_be_invited_to_and_says_why_up_front(
    app_env: Path,
) -> None:
    closed = an_org("Closed Co", sso=False, dir_sync=False, directory_sync=False, scim=False)
    at = open_page(PAGE, org=closed.id)
    create_button = button(at, "Create invitation")
    assert create_button.disabled and "both features are switched off" in (create_button.help or "")
    assert any("Both admin portal features are switched off" in w.value for w in at.warning)
    assert button(at, "Open the portal now").disabled


def test_an_invitation_narrower_than_the_portal_says_so_on_its_card(app_env: Path) -> None:
    narrow = an_org("Directory Only Co", sso=False)
    at = create(open_page(PAGE, org=narrow.id))
    assert rows(app_env)[0]["features"] == "dir_sync"
    assert "Directory sync only: SSO is switched off for this organization." in said(at.info)


def test_without_a_mail_server_the_form_and_the_card_say_it_is_not_emailed(app_env: Path) -> None:
    at = open_page(PAGE, org=first_org().id)
    before = "\n".join(c.value for c in at.caption)
    assert "The email will not be sent" in before and "DASHBOARD_SMTP_URL and DASHBOARD_SMTP_FROM" in before
    create(at, email="it-admin@customer.com")
    assert any(i.startswith("Not emailed: no mail server is set up") for i in said(at.info))
    assert any(b.label == "Open email draft" for b in at.get("link_button"))


def with_mail_server(smtp, monkeypatch: pytest.MonkeyPatch) -> None:
    _, port, ca_file = smtp
    monkeypatch.setenv("DASHBOARD_SMTP_URL", f"smtp://desk:mail-pass@localhost:{port}")
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", "portal-desk@portal.test")
    monkeypatch.setenv("DASHBOARD_SMTP_CA_FILE", str(ca_file))


def test_a_line_break_in_the_name_still_emails_one_subject_and_shows_the_url(
    app_env: Path, smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_mail_server(smtp, monkeypatch)
    inbox = smtp[0]
    org = an_org("Newline Corp\r\nBcc: x@y.z")
    at = create(open_page(PAGE, org=org.id), email="it-admin@customer.com")
    assert not at.exception and not at.error, [e.value for e in at.error]
    url = shown_url(at)
    assert "Emailed to it-admin@customer.com." in said(at.info)
    [(recipients, raw)] = inbox.messages
    assert recipients == ["it-admin@customer.com"]
    headers = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "Subject: Set up SSO + Directory sync for Newline Corp Bcc: x@y.z" in headers
    assert "\nBcc:" not in headers and url.encode() in raw


def test_whatever_fails_after_recording_the_url_is_shown_and_the_failure_has_a_reference(
    app_env: Path, smtp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dashboard import invitations, messages

    def broken(*args, **kwargs):
        raise ValueError("a failure nobody foresaw")

    with_mail_server(smtp, monkeypatch)
    monkeypatch.setattr(invitations, "invitation_email", broken)  # the email fails
    monkeypatch.setattr(messages, "invitation_email", broken)  # so does the card's draft
    at = create(open_page(PAGE, org=first_org().id), email="it-admin@customer.com")
    assert not at.exception
    url = shown_url(at)
    assert rows(app_env)[0]["token_hash"] == fingerprint(url.rsplit("/i/", 1)[1])
    shown = rendered_text(at)
    references = set(re.findall(r"reference ([0-9a-f]{8})", shown))
    assert len(references) == 2 and "Traceback" not in shown and "a failure nobody foresaw" not in shown
    logged = caplog.text
    assert all(ref in logged for ref in references) and "a failure nobody foresaw" in logged
    assert url not in logged


def test_an_unexpected_error_on_a_page_is_a_sentence_with_a_reference_in_the_log(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dashboard.ui import invitation_list

    create(open_page(PAGE, org=first_org().id))

    def broken(*args, **kwargs):
        raise RuntimeError("C:/server/paths/secret.py exploded")

    monkeypatch.setattr(invitation_list, "status_line", broken)
    at = open_page(PAGE, org=first_org().id)
    assert not at.exception
    [error] = [e.value for e in at.error if "Something went wrong" in e.value]
    [reference] = re.findall(r"reference ([0-9a-f]{8})", error)
    assert "exploded" not in rendered_text(at)
    assert reference in caplog.text and "Traceback" in caplog.text and "exploded" in caplog.text
