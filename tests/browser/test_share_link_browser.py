"""The Share link page in real Chromium."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from dashboard.emulator.seed import generate

from .conftest import Dashboard

pytestmark = pytest.mark.browser

FIRST_ORG = generate(7, 40).orgs[0]  # the embedded emulator's default seed and size


def test_a_bookmarked_page_opens_inside_the_app_shell(dashboard: Dashboard, page: Page, shot) -> None:
    # The first request after the server starts is a page URL, as from a bookmark.
    page.goto(f"{dashboard.url}/share_link?org={FIRST_ORG.id}")
    expect(page.get_by_role("heading", name="Share link")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Local emulator")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("Organizations")
    expect(nav).not_to_contain_text("streamlit app")
    expect(page.get_by_role("combobox", name="Organization")).to_have_value(re.compile(FIRST_ORG.id))
    shot(page)


def test_issue_copy_and_revoke(dashboard: Dashboard, page: Page, shot) -> None:
    page.goto(f"{dashboard.url}/share_link?org={FIRST_ORG.id}")
    page.get_by_role("textbox", name="Recipient email (optional)").fill("it-admin@customer.com")
    page.get_by_role("button", name="Generate link").click()
    expect(page.get_by_text("is ready")).to_be_visible(timeout=20_000)
    location = page.locator("code").filter(has_text="/magicLink/").first.inner_text()
    expect(page.get_by_role("link", name="Open email draft")).to_have_attribute(
        "href", re.compile(r"^mailto:it-admin@customer\.com\?subject=")
    )
    shot(page, "-issued")

    portal = page.context.new_page()
    portal.goto(location)
    expect(portal.locator("#org-name")).to_have_text(FIRST_ORG.display_name)

    page.get_by_role("button", name="Revoke").first.click()
    page.get_by_role("button", name="Revoke link").click()
    expect(page.get_by_text("revoked.")).to_be_visible(timeout=20_000)
    shot(page, "-revoked")
    assert portal.goto(location).status == 410

    rows = (
        sqlite3.connect(dashboard.database)
        .execute("SELECT issued_by, revoked_by, recipient_email FROM link_issuance")
        .fetchall()
    )
    assert rows == [("browser@portal.test", "browser@portal.test", "it-admin@customer.com")]
