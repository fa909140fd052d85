"""The Share link page under AppTest, against the app's embedded emulator and a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.emulator import Fault
from dashboard.store import IssuanceStore, fingerprint

from .apptest import app_emulator, button, open_page, rendered_text

PAGE = "pages/share_link.py"


def _all_rows(database: Path) -> list:
    import sqlite3

    raw = sqlite3.connect(database)
    raw.row_factory = sqlite3.Row
    return [dict(r) for r in raw.execute("SELECT * FROM link_issuance ORDER BY id")]


def first_org():
    return app_emulator().backend.list_organizations(page_size=1).items[0]


def generate(at, *, email: str = "", note: str = "", sso: bool | None = None, dir_sync: bool | None = None):
    if sso is not None:
        at.checkbox[0].set_value(sso)
    if dir_sync is not None:
        at.checkbox[1].set_value(dir_sync)
    form_inputs = [t for t in at.text_input if t.label.startswith(("Recipient", "Note"))]
    form_inputs[0].input(email)
    form_inputs[1].input(note)
    return button(at, "Generate link").click().run()


def test_generate_records_one_row_and_shows_the_link_once(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    assert at.selectbox[0].value == org.id  # preselected from ?org=
    generate(at, email="it-admin@customer.com", note="SUP-1234", dir_sync=True)
    assert not at.exception
    [location] = [c.value for c in at.code if "/magicLink/" in c.value and c.value.startswith("http")]
    [api_link] = app_emulator().backend.active_links(org.id)
    assert location == api_link.location
    [row] = _all_rows(app_env)
    assert row["link_id"] == api_link.id and row["organization_id"] == org.id
    assert row["organization_name"] == org.display_name
    assert (row["features"], row["kind"], row["issued_by"]) == (
        "sso,dir_sync",
        "shareable",
        "ana@portal.test",
    )
    assert (row["recipient_email"], row["note"], row["environment"]) == (
        "it-admin@customer.com",
        "SUP-1234",
        "emulator",
    )
    assert row["link_fingerprint"] == fingerprint(location)
    text = rendered_text(at)
    assert "expires in 6 days 23 hours" in text
    assert "This link is a credential" in text
    assert any(b.label == "Open email draft" for b in at.get("link_button"))

    at.run()  # any later rerun: the location is gone for good
    assert location not in rendered_text(at)


def test_revoke_through_the_confirmation_dialog(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    generate(at)
    [link] = app_emulator().backend.active_links(org.id)
    button(at, "Revoke").click().run()
    button(at, "Revoke link").click().run()
    assert not at.exception
    assert app_emulator().backend.active_links(org.id) == []
    [row] = _all_rows(app_env)
    assert row["link_id"] == link.id and row["revoked_by"] == "ana@portal.test" and row["revoked_at"]
    assert f"Link {link.id} revoked." in [s.value for s in at.success]
    assert "No active links" in rendered_text(at)


def _expect_refusal(at, message: str, database: Path, org_id: str | None) -> None:
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not database.exists() or _all_rows(database) == []  # no file yet means no row
    if org_id:
        assert app_emulator().backend.active_links(org_id) == []


def test_no_organization_chosen(app_env: Path) -> None:
    at = generate(open_page(PAGE))
    _expect_refusal(at, "Choose an organization first", app_env, None)


def test_no_feature_chosen(app_env: Path) -> None:
    org = first_org()
    at = generate(open_page(PAGE, org=org.id), sso=False, dir_sync=False)
    _expect_refusal(at, "Choose at least one feature", app_env, org.id)


def test_malformed_email(app_env: Path) -> None:
    org = first_org()
    at = generate(open_page(PAGE, org=org.id), email="it-admin@customer")
    _expect_refusal(at, "is not a valid email address", app_env, org.id)


def test_organization_deleted_meanwhile(app_env: Path) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    app_emulator().backend.delete_organization(org.id)
    generate(at)
    _expect_refusal(at, "was not found in Scalekit", app_env, None)


@pytest.mark.parametrize(
    ("code", "message"), [("UNAVAILABLE", "Scalekit is unavailable"), ("RESOURCE_EXHAUSTED", "rate limiting")]
)
def test_scalekit_unavailable_or_rate_limited(app_env: Path, code: str, message: str) -> None:
    org = first_org()
    at = open_page(PAGE, org=org.id)
    app_emulator().inject_fault(Fault(method="GeneratePortalLink", code=code))
    _expect_refusal(generate(at), message, app_env, org.id)


def test_unwritable_database_revokes_the_link(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    IssuanceStore(f"sqlite:///{app_env}")  # exists, migrated, then opened read-only by the app
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///file:{app_env}?mode=ro&uri=true")
    org = first_org()
    at = generate(open_page(PAGE, org=org.id))
    _expect_refusal(at, "not writable", app_env, org.id)
    assert any("revoked at Scalekit" in e.value for e in at.error)


def test_unknown_operator_cannot_issue(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    org = first_org()
    at = open_page(PAGE, org=org.id)
    assert button(at, "Generate link").disabled
    assert any("who you are" in i.value for i in at.info)
    at.sidebar.text_input[0].input("Cy Rep").run()
    assert not button(at, "Generate link").disabled
    generate(at)
    assert _all_rows(app_env)[0]["issued_by"] == "Cy Rep"


def test_short_lived_link_is_for_immediate_use(app_env: Path) -> None:
    app_emulator().backend.link_ttl = dt.timedelta(minutes=1)
    at = generate(open_page(PAGE, org=first_org().id))
    assert any("for immediate use" in i.value for i in at.info)
