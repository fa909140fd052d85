"""Invitations end to end in real Chromium: a rep invites, an IT admin opens it days later in
another browser, configures SSO, and the rep sees it; nothing durable is stored in clear."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest
from playwright.sync_api import Browser, Page, expect

from scalekit_emulator.seed import generate

from .conftest import Dashboard, running_dashboard

pytestmark = pytest.mark.browser

# The embedded emulator's default seed and size; an organization with both portal features on.
ORG = next(o for o in reversed(generate(7, 40).orgs) if all(o.features.values()))
OKTA_METADATA = "https://acme.okta.com/app/exk1/sso/saml/metadata"


def test_a_bookmarked_page_opens_inside_the_app_shell(dashboard: Dashboard, page: Page, shot) -> None:
    # The first request after the server starts is a page URL, as from a bookmark.
    page.goto(f"{dashboard.url}/share_link?org={ORG.id}")
    expect(page.get_by_role("heading", name="Share link")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Local emulator")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("Organizations")
    expect(nav).not_to_contain_text("streamlit app")
    expect(page.get_by_role("combobox", name="Organization")).to_have_value(re.compile(ORG.id))
    shot(page)


def create_invitation(page: Page, dashboard: Dashboard, email: str) -> str:
    page.goto(f"{dashboard.url}/share_link?org={ORG.id}")
    page.get_by_role("textbox", name="IT admin's email (optional)").fill(email)
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_text("is ready")).to_be_visible(timeout=20_000)
    return page.locator("code").filter(has_text="/i/").first.inner_text().strip()


def test_an_invitation_opened_days_later_leads_to_sso_and_the_rep_sees_it(
    dashboard: Dashboard, page: Page, browser: Browser, shot
) -> None:
    url = create_invitation(page, dashboard, "it-admin@customer.com")
    expect(page.get_by_role("link", name="Open email draft")).to_have_attribute(
        "href", re.compile(r"^mailto:it-admin@customer\.com\?subject=")
    )
    shot(page, "-created")

    # The IT admin, in another browser, three days later.
    admin = browser.new_context()
    admin.clock.install(time=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    customer = admin.new_page()
    customer.goto(url)
    expect(
        customer.get_by_role("heading", name=re.compile(f"for {re.escape(ORG.display_name)}"))
    ).to_be_visible()
    scanned = sqlite3.connect(dashboard.database).execute("SELECT count(*) FROM link_issuance").fetchone()
    assert scanned == (0,)  # showing the page minted nothing: scanners and unfurlers only GET
    shot(customer, "-interstitial")
    customer.get_by_role("button", name="Open the admin portal").click()
    expect(customer.locator("#org-name")).to_have_text(ORG.display_name, timeout=20_000)
    assert "/magicLink/" in customer.url
    customer.get_by_label("Identity provider").select_option("okta")
    customer.get_by_label("IdP metadata URL").fill(OKTA_METADATA)
    customer.get_by_label("IdP entity ID").fill("http://www.okta.com/exk1")
    customer.get_by_role("button", name="Test connection").click()
    expect(customer.get_by_role("status").first).to_contain_text("succeeded")
    customer.get_by_role("button", name="Enable SSO").click()
    expect(customer.get_by_role("status").first).to_contain_text("SSO is enabled")
    shot(customer, "-portal")

    page.goto(f"{dashboard.url}/share_link?org={ORG.id}")
    expect(page.get_by_text(re.compile(r"Opened 1×"))).to_be_visible(timeout=20_000)
    shot(page, "-opened")
    page.goto(f"{dashboard.url}/?org={ORG.id}")
    expect(page.get_by_test_id("stMetric").first).to_contain_text("Enabled", timeout=20_000)
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_text("opened for the first time")).to_be_visible()
    expect(page.get_by_text("SSO enabled (seen by a status check)")).to_be_visible()
    shot(page, "-organization")

    # The invitation still works: a second open mints another fresh link.
    again = admin.new_page()
    again.goto(url)
    again.get_by_role("button", name="Open the admin portal").click()
    expect(again.locator("#org-name")).to_have_text(ORG.display_name, timeout=20_000)
    token = url.rsplit("/i/", 1)[1]
    minted = [customer.url, again.url]
    files = [p for p in dashboard.database.parent.iterdir() if p.name.startswith("issuance.db")] + [
        dashboard.log
    ]
    blob = b"".join(p.read_bytes() for p in files)
    assert token.encode() not in blob and all(m.encode() not in blob for m in minted)
    assert any(p.name.endswith("-wal") for p in files)
    admin.close()


def test_a_revoked_invitation_answers_410(dashboard: Dashboard, page: Page, browser: Browser, shot) -> None:
    url = create_invitation(page, dashboard, "")
    page.get_by_role("button", name="Revoke").first.click()
    page.get_by_role("button", name="Revoke invitation").click()
    expect(page.get_by_text("is revoked")).to_be_visible(timeout=20_000)
    shot(page, "-revoked")
    stranger = browser.new_context().new_page()
    assert stranger.goto(url).status == 410
    expect(stranger.get_by_role("heading", name="This invitation is no longer valid")).to_be_visible()
    expect(stranger.get_by_text(ORG.display_name)).to_have_count(0)
    shot(stranger, "-gone")


def test_open_the_portal_now_for_a_call(dashboard: Dashboard, page: Page, shot) -> None:
    page.goto(f"{dashboard.url}/share_link?org={ORG.id}")
    page.get_by_role("tab", name="Open the portal now").click()
    page.get_by_role("button", name="Open the portal now").click()
    link = page.get_by_role("link", name="Open the admin portal")
    expect(link).to_be_visible(timeout=20_000)
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Expires in 0:[0-5]\d"))
    shot(page, "-direct")
    with page.context.expect_page() as opened:
        link.click()
    portal = opened.value
    expect(portal.locator("#org-name")).to_have_text(ORG.display_name, timeout=20_000)
    # Used once, the link is no longer offered, nor its text: the card says what to do instead.
    expect(page.get_by_role("link", name="Open the admin portal")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Opened in a new tab")).to_be_visible()
    expect(page.locator("code").filter(has_text="/magicLink/")).to_have_count(0)
    shot(page, "-direct-used")


def test_a_direct_link_whose_minute_is_over_is_no_longer_offered(
    dashboard: Dashboard, browser: Browser, shot
) -> None:
    context = browser.new_context()
    context.clock.install()
    page = context.new_page()
    page.goto(f"{dashboard.url}/share_link?org={ORG.id}")
    page.get_by_role("tab", name="Open the portal now").click()
    page.get_by_role("button", name="Open the portal now").click()
    expect(page.get_by_role("link", name="Open the admin portal")).to_be_visible(timeout=20_000)
    page.clock.fast_forward("01:30")
    expect(page.get_by_role("link", name="Open the admin portal")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="minute is over")).to_be_visible()
    shot(page)
    context.close()


def test_choosing_an_organization_typing_at_once_and_creating_keeps_what_was_typed(
    dashboard: Dashboard, page: Page, shot
) -> None:
    page.goto(f"{dashboard.url}/share_link")
    expect(page.get_by_role("heading", name="Share link")).to_be_visible(timeout=30_000)
    picker = page.get_by_role("combobox", name="Organization")
    picker.click()
    picker.fill(ORG.id)
    page.get_by_role("option", name=re.compile(ORG.id)).click()
    # No waiting for the rerun the choice starts: type and click as a quick rep would.
    page.get_by_role("textbox", name="IT admin's email (optional)").fill("quick@customer.com")
    page.get_by_role("textbox", name="Note or ticket (optional)").fill("SUP-999 typed at once")
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_text("is ready")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stMain")).to_contain_text(re.compile(r"To: quick@\W?customer\.com"))
    shot(page)
    row = sqlite3.connect(dashboard.database).execute(
        "SELECT organization_id, recipient_email, note FROM invitation ORDER BY id DESC"
    )
    assert row.fetchone() == (ORG.id, "quick@customer.com", "SUP-999 typed at once")


def type_name(page: Page, name: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Your name or email")
    box.fill(name)
    box.press("Enter")
    expect(page.get_by_test_id("stSidebar").get_by_text("Unverified")).to_be_visible(timeout=30_000)


def test_a_rep_cannot_extend_resend_or_revoke_a_colleagues_invitation(
    tmp_path, browser: Browser, shot
) -> None:
    with running_dashboard(tmp_path, DASHBOARD_SIGN_IN="off", DASHBOARD_OPERATOR="") as typed:
        ben = browser.new_context().new_page()
        ben.goto(f"{typed.url}/share_link?org={ORG.id}")
        type_name(ben, "ben@portal.test")
        # Ticked as a rep would: on one loaded CI run both boxes were drawn unticked (Create then
        # said to choose a feature); why is open (noted in the issue), the page's answer was right.
        ben.get_by_role("checkbox", name="SSO", exact=True).first.check()  # the Invite tab comes first
        ben.get_by_role("button", name="Create invitation").click()
        expect(ben.get_by_text("is ready")).to_be_visible(timeout=30_000)
        expect(ben.get_by_role("button", name="Revoke", exact=True)).to_be_enabled()  # his own

        ana = browser.new_context().new_page()
        ana.goto(f"{typed.url}/share_link?org={ORG.id}")
        type_name(ana, "ana@portal.test")  # a rep, the role the sidebar starts with
        expect(ana.get_by_text("by ben@")).to_be_visible(timeout=30_000)
        expect(ana.get_by_role("button", name="Revoke", exact=True)).to_be_disabled()
        expect(ana.get_by_role("button", name="Extend or resend")).to_be_disabled()
        shot(ana)
        [(expires, token_hash, revoked)] = sqlite3.connect(typed.database).execute(
            "SELECT expires_at, token_hash, revoked_at FROM invitation"
        )
        ana.get_by_role("button", name="Extend or resend").click(force=True)  # a disabled button does nothing
        ana.wait_for_timeout(1_000)
        expect(ana.get_by_role("button", name="Resend with a new link")).to_have_count(0)
        assert sqlite3.connect(typed.database).execute(
            "SELECT expires_at, token_hash, revoked_at FROM invitation"
        ).fetchall() == [(expires, token_hash, revoked)]
