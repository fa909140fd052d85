"""Every page opened at its own address (a bookmark, a link someone sent), in a fresh browser:
no console error or warning, no request that fails, at the desk's width and a phone's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from .conftest import Dashboard

pytestmark = pytest.mark.browser

PAGES = {
    "": "Organizations",
    "share_link": "Share link",
    "portal_preview": "Portal preview",
    "issuance_stats": "Issuance stats",
    "activity": "Activity",
}


def _watched(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console", lambda m: seen.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))

    def failed(response: Response) -> None:
        if response.status >= 400:
            seen.append(f"{response.status} {response.url}")

    page.on("response", failed)
    page.on("requestfailed", lambda request: seen.append(f"failed {request.url}"))
    return seen


def _settled(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)  # the run ended
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_every_page_loads_at_its_own_address_without_a_console_error_or_a_failed_request(
    dashboard: Dashboard, browser: Browser, shot, width: int, height: int
) -> None:
    problems = {}
    for path, title in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        seen = _watched(page)
        page.goto(f"{dashboard.url}/{path}")
        _settled(page, title)
        shot(page, f"-{path or 'organizations'}")
        if seen:
            problems[f"/{path}"] = seen
        context.close()
    assert problems == {}
