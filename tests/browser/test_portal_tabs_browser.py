"""Two admin portals open in one browser, on two organizations: each acts on its own only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.gateway import ScalekitGateway

pytestmark = pytest.mark.browser


def test_two_tabs_on_two_organizations_never_cross(gateway: ScalekitGateway, page: Page, shot) -> None:
    org_a = gateway.create_organization("Tab A Corp")
    org_b = gateway.create_organization("Tab B Corp")
    tab_a = page
    tab_a.goto(gateway.generate_portal_link(org_a.id, ["sso"]).location)
    tab_b = page.context.new_page()  # same browser, same cookie jar
    tab_b.goto(gateway.generate_portal_link(org_b.id, ["sso"]).location)
    expect(tab_a.locator("#org-name")).to_have_text("Tab A Corp")
    expect(tab_b.locator("#org-name")).to_have_text("Tab B Corp")

    tab_a.bring_to_front()
    tab_a.get_by_label("Identity provider").select_option("okta")
    tab_a.get_by_label("IdP metadata URL").fill("https://a.okta.com/app/exk1/sso/saml/metadata")
    tab_a.get_by_label("IdP entity ID").fill("http://www.okta.com/exkA")
    tab_a.get_by_role("button", name="Test connection").click()
    expect(tab_a.get_by_role("status").first).to_contain_text("succeeded")
    tab_a.get_by_role("button", name="Enable SSO").click()
    expect(tab_a.get_by_role("status").first).to_contain_text("SSO is enabled")

    tab_b.bring_to_front()
    tab_b.get_by_role("button", name="Enable SSO").click()
    expect(tab_b.get_by_role("status").first).to_contain_text("Test the connection")  # B has none of A's
    shot(tab_a, "-a")
    shot(tab_b, "-b")
    assert [c.enabled for c in gateway.list_connections(org_a.id)] == [True]
    assert gateway.list_connections(org_b.id) == []
