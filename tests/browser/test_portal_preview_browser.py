"""The embedded portal in real Chromium: UI events, origin checks, escaping, single-use links."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from scalekit_emulator import Emulator
from scalekit_emulator.seed import generate

from .conftest import Dashboard, running_dashboard

pytestmark = pytest.mark.browser

# The emulator's default seed and size; organizations with both portal features on.
ORGS = [o for o in generate(7, 40).orgs if all(o.features.values())]
CONFIRM = "I understand: open their live portal"  # asked first for an organization with SSO enabled
PORTAL = 'iframe[title="Scalekit admin portal"]'
XSS = "<img src=x onerror=alert(1)>"
PORTAL_PAGE = re.compile(r"/magicLink/[^/]+$")


def confirm_if_asked(page: Page) -> None:
    """Confirm opening a live portal when the page asks (once per browser session)."""
    confirm = page.get_by_role("button", name=CONFIRM)
    expect(page.locator(PORTAL).or_(confirm)).to_be_visible(timeout=30_000)
    if confirm.is_visible():
        confirm.click()


def open_preview(page: Page, dashboard: Dashboard, org_id: str):
    page.goto(f"{dashboard.url}/portal_preview?org={org_id}")
    confirm_if_asked(page)
    portal = page.frame_locator(PORTAL)
    expect(portal.locator("#org-name")).to_be_visible(timeout=30_000)
    return portal


def events(dashboard: Dashboard) -> list[tuple[str, str]]:
    rows = (
        sqlite3.connect(dashboard.database)
        .execute("SELECT organization_id, event_type FROM portal_event ORDER BY id")
        .fetchall()
    )
    return [tuple(r) for r in rows]


def test_enabling_okta_sso_reaches_the_dashboard(dashboard: Dashboard, page: Page, shot) -> None:
    org = ORGS[5]
    # As every real embedding is: the dashboard at localhost, the portal at 127.0.0.1 (another site).
    cross_site = replace(dashboard, url=dashboard.url.replace("://127.0.0.1:", "://localhost:"))
    portal = open_preview(page, cross_site, org.id)
    portal.get_by_label("Identity provider").select_option("okta")
    portal.get_by_label("Protocol").select_option("SAML")
    portal.get_by_label("IdP metadata URL").fill("not a url")
    portal.get_by_label("IdP entity ID").fill("http://www.okta.com/exk1")
    portal.get_by_role("button", name="Test connection").click()
    expect(portal.get_by_role("status")).to_contain_text("https://")
    portal.get_by_label("IdP metadata URL").fill("https://acme.okta.com/app/exk1/sso/saml/metadata")
    portal.get_by_role("button", name="Test connection").click()
    expect(portal.get_by_role("status").first).to_contain_text("succeeded")
    portal.get_by_role("button", name="Enable SSO").click()
    expect(page.get_by_text("ORGANIZATION_SSO_ENABLED")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Single sign-on connection enabled successfully")).to_be_visible()
    expect(portal.get_by_text("Your session has expired")).to_be_hidden()
    shot(page, "-preview")
    stored = events(dashboard)
    assert [e for e in stored if e[1].startswith("ORGANIZATION_")] == [(org.id, "ORGANIZATION_SSO_ENABLED")]
    assert (org.id, "PORTAL_LOAD_SUCCESS") in stored  # all eight documented events are kept
    stored = (
        sqlite3.connect(dashboard.database)
        .execute("SELECT payload FROM portal_event WHERE event_type = 'ORGANIZATION_SSO_ENABLED'")
        .fetchone()[0]
    )
    assert json.loads(stored)["data"] == {
        "connection_type": "SSO",
        "id": json.loads(stored)["data"]["id"],
        "type": "SAML",
        "provider": "OKTA",
        "enabled": True,
    }

    page.goto(f"{dashboard.url}/?org={org.id}")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Enabled", timeout=20_000)
    expect(page.get_by_text("Okta").first).to_be_visible()
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_text("Portal: Single sign-on connection enabled successfully")).to_be_visible()
    shot(page, "-organization")


def test_a_hostile_org_name_is_text_everywhere(dashboard: Dashboard, page: Page, shot) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(dashboard.url)
    page.get_by_role("button", name="New organization").click()
    page.get_by_role("textbox", name="Display name").fill(XSS)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=XSS)).to_be_visible(timeout=20_000)
    org_id = re.search(r"org=(org_\d+)", page.url).group(1)
    shot(page, "-detail")
    portal = open_preview(page, dashboard, org_id)
    expect(portal.locator("#org-name")).to_have_text(XSS)
    expect(page.get_by_role("combobox", name="Organization")).to_have_value(re.compile(re.escape(XSS)))
    assert portal.locator("img").count() == 0 and page.locator("img[src=x]").count() == 0
    shot(page, "-preview")
    assert dialogs == []


def test_messages_from_other_origins_are_ignored(dashboard: Dashboard, page: Page, shot) -> None:
    org = ORGS[6]
    forged = json.dumps(
        {
            "event_type": "ORGANIZATION_SSO_ENABLED",
            "object": "connection",
            "organization_id": org.id,
            "message": "FORGED",
            "data": {},
        }
    )
    # A page on another origin, served by the browser test itself (no network), posts a forgery.
    page.route(
        "http://evil.test/forge.html",
        lambda route: route.fulfill(
            content_type="text/html", body=f"<script>parent.postMessage({forged}, '*')</script>"
        ),
    )
    open_preview(page, dashboard, org.id)
    expect(page.get_by_text("PORTAL_LOAD_SUCCESS")).to_be_visible(timeout=20_000)  # the real portal's
    before = len(events(dashboard))
    page.evaluate(
        """(forged) => {
            window.postMessage(forged, "*");  // the dashboard's own origin is not the portal's either
            const f = document.createElement("iframe");
            f.src = "http://evil.test/forge.html";
            document.body.appendChild(f);
        }""",
        json.loads(forged),
    )
    page.wait_for_timeout(2_000)
    expect(page.get_by_text("FORGED")).to_have_count(0)
    assert len(events(dashboard)) == before
    shot(page)


def test_reload_issues_a_new_link_and_the_old_one_is_used(
    dashboard: Dashboard, page: Page, browser: Browser, shot
) -> None:
    org = ORGS[7]
    open_preview(page, dashboard, org.id)
    old = page.locator(PORTAL).get_attribute("src")
    page.reload()  # a new browser session: asked again, when the organization has SSO enabled
    confirm_if_asked(page)
    expect(page.frame_locator(PORTAL).locator("#org-name")).to_be_visible(timeout=30_000)
    new = page.locator(PORTAL).get_attribute("src")
    assert new != old and "/magicLink/" in new
    stranger = browser.new_context().new_page()
    response = stranger.goto(old)
    assert response.status == 410
    expect(stranger.get_by_text("already been used")).to_be_visible()
    shot(stranger, "-old-link")
    kinds = (
        sqlite3.connect(dashboard.database)
        .execute("SELECT count(*) FROM link_issuance WHERE kind = 'embed' AND organization_id = ?", (org.id,))
        .fetchone()
    )
    assert kinds == (2,)


def test_session_expiry_offers_a_new_session(tmp_path: Path, page: Page, shot) -> None:
    with running_dashboard(tmp_path, DASHBOARD_EMULATOR_PORTAL_SESSION_TTL="4") as short:
        portal = open_preview(page, short, ORGS[8].id)
        expect(portal.get_by_text("Your session has expired")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("PORTAL_SESSION_EXPIRY")).to_be_visible(timeout=20_000)
        shot(page, "-expired")
        first = page.locator(PORTAL).get_attribute("src")
        page.get_by_role("button", name="Start a new session").click()
        expect(page.get_by_text("PORTAL_SESSION_EXPIRY")).to_have_count(0, timeout=20_000)
        expect(page.locator(PORTAL)).not_to_have_attribute("src", first, timeout=20_000)
        expect(page.frame_locator(PORTAL).get_by_role("heading", name="Single sign-on")).to_be_visible()
        stored = events(short)
        assert (ORGS[8].id, "PORTAL_SESSION_EXPIRY") in stored
        assert {kind for _, kind in stored} <= {
            "PORTAL_LOAD_SUCCESS",
            "PORTAL_SESSION_WARNING",
            "PORTAL_SESSION_EXPIRY",
        }


def test_the_portal_stays_open_when_the_listing_arrives_after_it(
    emulator: Emulator, tmp_path: Path, page: Page, shot
) -> None:
    # Streamlit remounts an element whose place on the page moved, and a remounted iframe would
    # load its single-use link again: cross-site (no portal cookie) the portal then says "link
    # unavailable". Before the worker's first listing a notice stood above the portal; the
    # organization the address names is put in the listing, so the next run had no notice.
    with Emulator(orgs=20, seed=7) as target:  # one CA for every emulator here: already trusted
        env = {k: v for k, v in target.env_vars().items() if k.startswith("SCALEKIT_")}
        env.pop("SCALEKIT_EMULATOR_CONTROL_TOKEN")
        backends = target.backends
        org = next(  # SSO not live: no confirmation, the portal is framed on the first run
            o
            for o in backends.organizations.listing(page_size=20).items
            if all(o.features.values()) and not any(c.enabled for c in backends.connections.listing(o.id))
        )
        with running_dashboard(tmp_path, **env, DASHBOARD_WORKER="off") as alone:
            cross_site = replace(alone, url=alone.url.replace("://127.0.0.1:", "://localhost:"))
            target.backends.portal.allow_origin(cross_site.url)
            framed: list[str] = []  # every portal page the browser asked for
            page.on("request", lambda r: framed.append(r.url) if PORTAL_PAGE.search(r.url) else None)
            portal = open_preview(page, cross_site, org.id)
            expect(page.get_by_text("PORTAL_LOAD_SUCCESS")).to_be_visible(timeout=30_000)  # a rerun came
            page.get_by_role("slider", name="Height (px)").press("ArrowRight")  # and another
            expect(page.get_by_role("group", name="Height (px)")).to_contain_text("750")
            expect(page.locator(PORTAL)).to_have_count(1)
            expect(portal.locator("#org-name")).to_have_text(org.display_name)
            assert len(framed) == len(set(framed)) == 1, "a single-use link was framed twice"
            shot(page)
