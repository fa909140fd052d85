"""Each role in the pages (AppTest): what it may do is offered, what it may not is disabled with
the reason, or absent. The operator comes from DASHBOARD_OPERATOR with DASHBOARD_OPERATOR_ROLE;
sign-in through the emulator is in tests/browser/test_sign_in_browser.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .apptest import app_emulator, button, open_page


def as_role(monkeypatch: pytest.MonkeyPatch, role: str) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", role)


def an_org_with_both_features() -> str:
    page = app_emulator().backends.organizations.listing(page_size=100)
    return next(o.id for o in page.items if all(o.features.values()))


def activity_rows(database: Path) -> list[tuple]:
    if not database.exists():
        return []
    return (
        sqlite3.connect(database).execute("SELECT actor, role, action FROM activity ORDER BY id").fetchall()
    )


def test_a_viewer_reads_but_cannot_invite(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_role(monkeypatch, "viewer")
    at = open_page("pages/share_link.py", org=an_org_with_both_features())
    assert not at.exception
    assert any("cannot create or change invitations" in i.value for i in at.info)
    create = button(at, "Create invitation")
    assert create.disabled
    at = open_page("pages/issuance_stats.py")
    assert any("Reps see their own work here" in i.value for i in at.info)


def test_a_rep_has_no_activity_log_no_settings_and_sees_their_own_stats(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_role(monkeypatch, "rep")
    org_id = an_org_with_both_features()
    at = open_page(org=org_id)
    assert not at.exception
    assert all(toggle.disabled for toggle in at.toggle)  # an admin's settings
    button(at, "All organizations")  # the detail view is open
    at = open_page("pages/share_link.py", org=org_id)
    button(at, "Create invitation").click().run()
    assert activity_rows(app_env) == [("ana@portal.test", "rep", "invitation_created")]
    at = open_page("pages/issuance_stats.py")
    [rep] = [t for t in at.text_input if t.label == "Rep"]
    assert rep.disabled and rep.value == "ana@portal.test"
    [download] = at.get("download_button")
    assert download.proto.disabled


def test_the_activity_page_is_for_managers(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_role(monkeypatch, "rep")
    at = open_page("pages/activity.py")  # typed in the address bar: not listed, but says why
    assert not at.exception and not at.dataframe
    assert any("cannot read the activity log: it takes a manager" in i.value for i in at.info)
    as_role(monkeypatch, "manager")
    at = open_page("pages/share_link.py", org=an_org_with_both_features())
    button(at, "Create invitation").click().run()
    at = open_page("pages/activity.py")
    assert not at.exception
    [table] = at.dataframe
    assert list(table.value["Action"]) == ["Invitation created"]
    assert list(table.value["Who"]) == ["ana@portal.test"]


def test_an_admin_toggles_a_feature_and_it_is_logged(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_role(monkeypatch, "admin")
    org_id = app_emulator().backends.organizations.create("Logged Toggle Co").id
    at = open_page(org=org_id)
    [sso] = [t for t in at.toggle if t.label == "SSO"]
    assert not sso.disabled
    sso.set_value(False).run()
    assert app_emulator().backends.organizations.get(org_id).features["sso"] is False
    assert activity_rows(app_env) == [("ana@portal.test", "admin", "feature_toggled")]
    at.get("tab")  # the History tab lists it
    assert any("Admin portal feature changed" in m.value for m in at.markdown)


def test_a_rep_cannot_extend_resend_remind_or_revoke_a_colleagues_invitation(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org_id = an_org_with_both_features()
    monkeypatch.setenv("DASHBOARD_OPERATOR", "ben@portal.test")
    as_role(monkeypatch, "rep")
    at = open_page("pages/share_link.py", org=org_id)
    button(at, "Create invitation").click().run()
    monkeypatch.setenv("DASHBOARD_OPERATOR", "ana@portal.test")
    at = open_page("pages/share_link.py", org=org_id)
    assert not at.exception
    actions = ("Revoke", "Extend", "Resend with a new link", "Send a reminder")
    for label in actions:
        refused = button(at, label)
        assert refused.disabled, label
        assert "cannot revoke, extend, resend or send a reminder for another rep's invitation" in (
            refused.help or ""
        ), label
    as_role(monkeypatch, "manager")
    at = open_page("pages/share_link.py", org=org_id)
    assert not any(button(at, label).disabled for label in actions)
    button(at, "Extend").click().run()
    assert activity_rows(app_env)[-1] == ("ana@portal.test", "manager", "invitation_extended")


def test_the_typed_name_box_is_never_pushed_back_over_what_the_rep_types(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that sets the box's value tells the browser to overwrite it: if the rep is typing while
    # such a run is under way (a slow page load), the name is wiped before it registers.
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    at = open_page()
    at.sidebar.text_input[0].input("Cy Demo").run()
    at.run()
    [box] = at.sidebar.text_input
    assert box.value == "Cy Demo" and not box.proto.set_value
    assert any("Typed on this browser" in c.value for c in at.sidebar.caption)


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-but-long-enough-0123456789",
    "client_id": "portal-desk",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def test_with_sign_in_configured_a_signed_out_visitor_sees_the_sign_in_screen_alone(app_env: Path) -> None:
    from streamlit.testing.v1 import AppTest

    from .apptest import APP, rendered_text

    org = app_emulator().backends.organizations.listing(page_size=100).items[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.query_params["org"] = org.id
    at.run()
    assert not at.exception
    text = rendered_text(at) + "\n".join(str(w.label) for w in at.get("button") + at.get("selectbox"))
    assert "Sign in" in [b.label for b in at.button]
    assert org.display_name not in text and "@" not in text
    assert not at.selectbox and not at.text_input and not at.dataframe  # no picker, no list
    for page in ("pages/organizations.py", "pages/share_link.py", "pages/activity.py"):
        with pytest.raises(ValueError, match=r"Known pages: \['Sign in', 'share_link'"):
            at.switch_page(page)  # every address is the sign-in screen
