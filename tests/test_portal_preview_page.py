"""The Portal preview page under AppTest: a fresh embed link per load, org or feature change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dashboard.ui.text import md
from scalekit_emulator import Fault

from .apptest import app_emulator, button, listed, open_page, rendered_text

PAGE = "pages/portal_preview.py"


def embed_rows(database: Path) -> list[tuple]:
    if not database.exists():
        return []
    return (
        sqlite3.connect(database)
        .execute("SELECT organization_id, features, kind, issued_by FROM link_issuance ORDER BY id")
        .fetchall()
    )


def sso_enabled(org_id: str) -> bool:
    connections = app_emulator().backends.connections.listing(org_id)
    return any(c.enabled and c.status == "COMPLETED" for c in connections)


def orgs(*, with_sso: bool = False) -> list:
    """The two newest organizations with both admin portal features on, and SSO enabled or not."""
    page = app_emulator().backends.organizations.listing(page_size=100)
    return [o for o in page.items if all(o.features.values()) and sso_enabled(o.id) == with_sso][:2]


def live(org_id: str) -> list:
    return app_emulator().backends.portal.live_links(org_id)


def test_a_load_issues_one_embed_link_and_a_height_change_keeps_it(app_env: Path) -> None:
    org = orgs()[0]
    at = open_page(PAGE, org=org.id)
    assert not at.exception
    assert embed_rows(app_env) == [(org.id, "sso,dir_sync", "embed", "ana@portal.test")]
    [link] = live(org.id)
    at.slider[0].set_value(900).run()
    assert len(embed_rows(app_env)) == 1  # the live portal session is kept
    assert live(org.id) == [link]
    text = rendered_text(at)
    assert 'height="900"' in text and 'allow="clipboard-write"' in text  # the snippet follows
    assert f"Accepted only from {md(app_emulator().portal_url)}" in text  # outside text, made inert


def test_changing_features_or_org_or_coming_back_issues_a_fresh_link(app_env: Path) -> None:
    first, second = orgs()
    at = open_page(PAGE, org=first.id)
    at.segmented_control[0].set_value(["sso"]).run()
    assert [r[1] for r in embed_rows(app_env)] == ["sso,dir_sync", "sso"]
    at.selectbox[0].select(second.id).run()
    assert embed_rows(app_env)[-1][0] == second.id
    at.switch_page("pages/organizations.py").run()
    at.switch_page(PAGE).run()
    assert len(embed_rows(app_env)) == 4  # entering the page again: links are single-use


def test_nothing_is_issued_without_org_feature_or_operator(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(PAGE)
    assert any("Choose an organization" in i.value for i in at.info)
    org = orgs()[0]
    at = open_page(PAGE, org=org.id)
    at.segmented_control[0].set_value([]).run()
    assert any("at least one feature" in e.value for e in at.error)
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "viewer")
    at = open_page(PAGE, org=org.id)
    assert any("cannot preview the admin portal" in i.value for i in at.info)
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    at = open_page(PAGE, org=org.id)
    assert any("does not know who you are" in i.value and "Your name or email" in i.value for i in at.info)
    assert len(embed_rows(app_env)) == 1  # only the first load above


def test_scalekit_unavailable_is_a_message(app_env: Path) -> None:
    org = orgs()[0]
    app_emulator().control.inject_fault(Fault(method="GeneratePortalLink", code="UNAVAILABLE", times=5))
    at = open_page(PAGE, org=org.id)
    assert not at.exception
    assert any("Scalekit is unavailable" in e.value for e in at.error)
    assert [r[2] for r in embed_rows(app_env)] == ["embed"]  # written as pending: no link goes unrecorded
    [state] = sqlite3.connect(app_env).execute("SELECT state FROM link_issuance").fetchone()
    assert state == "pending"


def test_the_live_portal_of_an_org_with_sso_enabled_opens_only_once_confirmed(app_env: Path) -> None:
    org = orgs(with_sso=True)[0]
    at = open_page(PAGE, org=org.id)
    assert any("live admin portal" in w.value for w in at.warning)
    assert any("SSO is enabled" in e.value for e in at.error)
    assert embed_rows(app_env) == [] and live(org.id) == []  # nothing minted before the confirmation
    button(at, "I understand: open their live portal").click().run()
    assert embed_rows(app_env) == [(org.id, "sso,dir_sync", "embed", "ana@portal.test")]
    [started] = sqlite3.connect(app_env).execute("SELECT actor, role, action, organization_id FROM activity")
    assert started == ("ana@portal.test", "admin", "preview_started", org.id)


def test_the_demo_organization_is_offered_first_without_warnings(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = orgs(with_sso=True)[1]
    monkeypatch.setenv("DASHBOARD_PREVIEW_ORG", demo.id)
    at = open_page(PAGE)
    assert at.selectbox[0].value == demo.id
    assert not at.warning and not at.error  # a demo organization may be clicked through freely
    assert [r[0] for r in embed_rows(app_env)] == [demo.id]


def _place_of(node, kind: str, trail: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    for index, child in getattr(node, "children", {}).items():
        if getattr(child, "type", None) == kind:
            return (*trail, index)
        found = _place_of(child, kind, (*trail, index))
        if found:
            return found
    return None


def test_the_portal_keeps_its_place_when_the_listing_arrives(app_env: Path) -> None:
    # Streamlit remounts an element whose place moved, and a remounted iframe loads its
    # single-use link again: cross-site (no portal cookie) the customer's portal then says
    # "link unavailable". The worker's first listing used to remove a notice above it.
    org = orgs()[0]
    at = open_page(PAGE, org=org.id, listing=False)
    assert any("has not listed" in i.value for i in at.info)
    before = _place_of(at._tree, "bidi_component")
    listed()
    at.run()
    assert not any("has not listed" in i.value for i in at.info)
    assert before is not None and _place_of(at._tree, "bidi_component") == before
    assert len(embed_rows(app_env)) == 1  # the same link, still framed
