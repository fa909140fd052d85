"""Sign-in as `make run` sets it up: the dashboard starts the emulator beside itself and signs
people in through it (st.login, OpenID Connect with PKCE), in real Chromium, which does not trust
the emulator's CA. A rep invites; a manager, in another browser, sees it in the activity log."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from scalekit_emulator.seed import generate

from .conftest import Dashboard, running_dashboard

pytestmark = pytest.mark.browser

ORG = next(o for o in reversed(generate(7, 40).orgs) if all(o.features.values()))
ANA = "ana.silva@portaldesk.example"


@pytest.fixture(scope="module")
def signing_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("signing-in")
    with running_dashboard(folder, DASHBOARD_SIGN_IN="on", DASHBOARD_OPERATOR="") as running:
        yield running


def sign_in(page: Page, dashboard: Dashboard, person: str) -> None:
    page.goto(dashboard.url)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Choose an account")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name=re.compile(person)).click()
    expect(page.get_by_test_id("stSidebar").get_by_text(person, exact=True)).to_be_visible(timeout=30_000)


def test_a_rep_invites_and_a_manager_sees_it_under_the_reps_verified_email(
    signing_in: Dashboard, browser: Browser, shot
) -> None:
    rep = browser.new_context().new_page()
    sign_in(rep, signing_in, "Ana Silva")
    sidebar = rep.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(re.compile(r"\bRep$"))).to_be_visible()  # the role badge
    expect(sidebar.get_by_test_id("stSidebarNav")).not_to_contain_text("Activity")  # a manager's page
    shot(rep, "-rep")
    rep.goto(f"{signing_in.url}/share_link?org={ORG.id}")
    rep.get_by_role("button", name="Create invitation").click()
    expect(rep.get_by_text("is ready")).to_be_visible(timeout=20_000)
    rep.goto(f"{signing_in.url}/activity")  # typed by hand: not a page a rep has; told why, shown nothing
    expect(rep.get_by_text(re.compile(r"cannot read the activity log: it takes a manager"))).to_be_visible(
        timeout=30_000
    )
    expect(rep.get_by_test_id("stDataFrame")).to_have_count(0)

    manager = browser.new_context().new_page()
    sign_in(manager, signing_in, "Maya Chen")
    manager.get_by_test_id("stSidebarNav").get_by_text("Activity").click()
    table = manager.get_by_test_id("stDataFrame")
    expect(table).to_be_visible(timeout=20_000)
    shot(manager, "-activity")
    rows = sqlite3.connect(signing_in.database).execute(
        "SELECT actor, role, action FROM activity ORDER BY id"
    )
    assert [r for r in rows if r[2] != "signed_in"][:1] == [(ANA, "rep", "invitation_created")]
    signed = sqlite3.connect(signing_in.database).execute(
        "SELECT actor, role FROM activity WHERE action = 'signed_in' ORDER BY id"
    )
    assert signed.fetchall() == [(ANA, "rep"), ("maya.chen@portaldesk.example", "manager")]
    [issued_by] = sqlite3.connect(signing_in.database).execute("SELECT issued_by FROM invitation").fetchone()
    assert issued_by == ANA  # the verified email, not a typed name


def test_a_reload_keeps_the_session_and_sign_out_ends_it(signing_in: Dashboard, page: Page, shot) -> None:
    sign_in(page, signing_in, "Omar Haddad")
    page.reload()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Omar Haddad", exact=True)).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_text(re.compile(r"\bAdmin$"))).to_be_visible()
    sidebar.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    shot(page, "-signed-out")
    reloads = sqlite3.connect(signing_in.database).execute(
        "SELECT count(*) FROM activity WHERE action = 'signed_in' AND actor = ?",
        ("omar.haddad@portaldesk.example",),
    )
    assert reloads.fetchone() == (1,)  # one sign-in, however many page loads


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def test_a_signed_out_browser_sees_the_sign_in_screen_alone_at_every_address(
    signing_in: Dashboard, browser: Browser, shot
) -> None:
    # Something to leak: an invitation with an IT admin's email and a note, made by a signed-in rep.
    rep = browser.new_context().new_page()
    sign_in(rep, signing_in, "Ana Silva")
    rep.goto(f"{signing_in.url}/share_link?org={ORG.id}")
    rep.get_by_role("textbox", name="IT admin's email (optional)").fill("it-admin@customer.example")
    rep.get_by_role("textbox", name="Note or ticket (optional)").fill("SUP-4242 kickoff")
    rep.get_by_role("button", name="Create invitation").click()
    expect(rep.get_by_text("is ready")).to_be_visible(timeout=20_000)
    rep.context.close()

    names = [o.display_name for o in generate(7, 40).orgs]
    stranger = browser.new_context().new_page()
    paths = ["/", f"/?org={ORG.id}", f"/share_link?org={ORG.id}", f"/portal_preview?org={ORG.id}"]
    paths += ["/issuance_stats", "/activity", "/nowhere"]
    for n, path in enumerate(paths):
        stranger.goto(signing_in.url + path)
        expect(stranger.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
        stranger.wait_for_timeout(1_000)  # anything else that would draw has drawn by now
        text = stranger.locator("body").inner_text()
        assert not [name for name in names if name in text], path
        assert not EMAIL.findall(text) and "SUP-4242" not in text, path
        assert stranger.get_by_test_id("stSidebarNav").count() == 0, path
        assert stranger.get_by_role("combobox").count() == 0, path
        shot(stranger, f"-{n}")


def test_a_typed_name_is_unverified_and_remembered_by_the_browser(tmp_path, page: Page, shot) -> None:
    with running_dashboard(tmp_path, DASHBOARD_SIGN_IN="off", DASHBOARD_OPERATOR="") as typed:
        page.goto(typed.url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("textbox", name="Your name or email").fill("Cy Demo")
        sidebar.get_by_role("textbox", name="Your name or email").press("Enter")
        expect(sidebar.get_by_text("Unverified")).to_be_visible(timeout=20_000)
        page.reload()
        expect(sidebar.get_by_role("textbox", name="Your name or email")).to_have_value(
            "Cy Demo", timeout=30_000
        )
        other_tab = page.context.new_page()
        other_tab.goto(typed.url)
        other_sidebar = other_tab.get_by_test_id("stSidebar")
        expect(other_sidebar.get_by_role("textbox", name="Your name or email")).to_have_value(
            "Cy Demo", timeout=30_000
        )
        expect(other_sidebar.get_by_text("Unverified")).to_be_visible()
        shot(other_tab, "-typed")
