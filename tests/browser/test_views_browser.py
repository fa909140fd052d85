"""Views in real Chromium: a filtered view's address opens the same view in another browser; a
phone is told, in the main area, where to say who is acting; settings that cannot load show what
is wrong and no list of files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from scalekit_emulator.seed import generate

from .conftest import Dashboard, running_dashboard

pytestmark = pytest.mark.browser

ORG = next(o for o in reversed(generate(7, 40).orgs) if all(o.features.values()))


def test_a_filtered_view_reopened_in_a_new_browser_is_the_same_view(
    dashboard: Dashboard, browser: Browser, shot
) -> None:
    manager = browser.new_context(viewport={"width": 1280, "height": 800})
    page = manager.new_page()
    page.goto(f"{dashboard.url}/activity")
    expect(page.get_by_role("heading", name="Activity", exact=True)).to_be_visible(timeout=30_000)
    page.get_by_role("combobox", name="Action").click()
    page.get_by_role("option", name="Invitation created").click()
    page.keyboard.press("Escape")
    page.get_by_role("textbox", name="Organization id").fill(ORG.id)
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        re.compile(r"action=Invitation\+created.*organization=" + ORG.id), timeout=20_000
    )
    page.get_by_role("tab", name="Notifications").click()
    expect(page).to_have_url(re.compile(r"view=Notifications"), timeout=20_000)
    address = page.url
    manager.close()

    colleague = browser.new_context(viewport={"width": 1280, "height": 800})
    again = colleague.new_page()
    again.goto(address)
    expect(again.get_by_role("tab", name="Notifications")).to_have_attribute(
        "aria-selected", "true", timeout=30_000
    )
    again.get_by_role("tab", name="Actions").click()
    action = again.get_by_test_id("stMultiSelect").filter(has_text="Action")
    expect(action).to_contain_text("Invitation created")
    expect(again.get_by_role("textbox", name="Organization id")).to_have_value(ORG.id)
    shot(again)
    colleague.close()


def test_a_phone_is_told_in_the_main_area_where_to_say_who_is_acting(
    tmp_path: Path, browser: Browser, shot
) -> None:
    with running_dashboard(tmp_path, DASHBOARD_OPERATOR="") as typed:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = phone.new_page()
        for path, title in (("", "Organizations"), ("share_link", "Share link")):
            page.goto(f"{typed.url}/{path}")
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
            # The sidebar, where the name is typed, starts closed on a phone.
            expect(page.get_by_role("textbox", name="Your name or email")).not_to_be_in_viewport()
            hint = (
                page.get_by_test_id("stMain").get_by_text(re.compile("type your name or email under")).first
            )
            expect(hint).to_be_in_viewport()
            shot(page, f"-{path or 'organizations'}")
        phone.close()


def test_settings_that_cannot_load_are_said_at_every_address_with_no_list_of_files(
    tmp_path: Path, browser: Browser, shot
) -> None:
    with running_dashboard(tmp_path, SCALEKIT_ENVIRONMENT_URL="https://acme.scalekit.dev") as broken:
        page = browser.new_context().new_page()
        for path in ("", "activity", "share_link"):
            page.goto(f"{broken.url}/{path}")
            expect(page.get_by_role("alert")).to_contain_text("SCALEKIT_CLIENT_ID", timeout=30_000)
            expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
            expect(page.get_by_text(re.compile("streamlit app", re.IGNORECASE))).to_have_count(0)
        shot(page)
