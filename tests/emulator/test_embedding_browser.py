"""The portal embedded as live Scalekit embeds it: in a cross-site frame, only by allowed origins.

A tiny page at http://localhost:<port> frames the portal at http://127.0.0.1:<port> (another
site: a browser sends no SameSite=Lax cookie there) and records the UI events it hears.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from playwright.sync_api import Page, expect
from scalekit import ScalekitClient
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator

from ..browser.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium, offline

pytestmark = pytest.mark.browser

PARENT = """<!doctype html><html><body><h1>Parent</h1>
<iframe id="portal" title="portal" src="%s" width="900" height="700"
        onload="window.frameLoaded = true"></iframe>
<script>
window.heard = [];
window.addEventListener("message", function (event) {
  window.heard.push({origin: event.origin, data: event.data});
});
</script></body></html>"""


class Parent(ThreadingHTTPServer):
    """Serves PARENT framing whatever ``src`` is set to, on 127.0.0.1 (reached as localhost)."""

    src = "about:blank"

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (PARENT % self.server.src).encode()  # type: ignore[attr-defined]
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.server_address[1]}"


@pytest.fixture(scope="module")
def parent() -> Iterator[Parent]:
    server = Parent()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def allowed(emulator: Emulator, parent: Parent) -> Iterator[None]:
    emulator.control.allow_origin(parent.origin)
    yield
    emulator.control.forget_origins()


def heard(page: Page) -> list[dict]:
    return page.evaluate("window.heard")


def event_types(page: Page) -> list[str]:
    return [h["data"]["event_type"] for h in heard(page)]


def embed(page: Page, parent: Parent, location: str):
    parent.src = location
    page.goto(parent.origin)
    return page.frame_locator("#portal")


def test_sso_enabled_in_a_cross_site_frame(
    emulator: Emulator, client: ScalekitClient, new_org: str, parent: Parent, allowed: None, page: Page
) -> None:
    link = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    portal = embed(page, parent, link.location)
    expect(portal.locator("#org-name")).to_have_text("Test Org")
    portal.get_by_label("Identity provider").select_option("okta")
    portal.get_by_label("IdP metadata URL").fill("https://acme.okta.com/app/exk1/sso/saml/metadata")
    portal.get_by_label("IdP entity ID").fill("http://www.okta.com/exk1")
    portal.get_by_role("button", name="Test connection").click()
    expect(portal.get_by_role("status").first).to_contain_text("succeeded")
    portal.get_by_role("button", name="Enable SSO").click()
    expect(portal.get_by_role("status").first).to_contain_text("SSO is enabled")
    page.wait_for_function("window.heard.length >= 2")
    expect(portal.get_by_text("Your session has expired")).to_be_hidden()
    assert event_types(page) == ["PORTAL_LOAD_SUCCESS", "ORGANIZATION_SSO_ENABLED"]
    sso = heard(page)[1]
    assert sso["origin"] == emulator.portal_url
    assert {k: sso["data"][k] for k in ("object", "organization_id", "message")} == {
        "object": "connection",
        "organization_id": new_org,
        "message": "Single sign-on connection enabled successfully",
    }
    assert sso["data"]["data"] == {
        "connection_type": "SSO",
        "id": sso["data"]["data"]["id"],
        "type": "SAML",
        "provider": "OKTA",
        "enabled": True,
    }
    assert [c.enabled for c in client.connection.list_connections(new_org)[0].connections] == [True]


def test_a_used_link_reports_a_load_failure(
    client: ScalekitClient, new_org: str, parent: Parent, allowed: None, page: Page
) -> None:
    link = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    assert requests.get(link.location, timeout=5).status_code == 200  # someone else opened it
    portal = embed(page, parent, link.location)
    expect(portal.get_by_text("already been used")).to_be_visible()
    page.wait_for_function("window.heard.length >= 1")
    [failure] = [h["data"] for h in heard(page)]
    assert failure["event_type"] == "PORTAL_LOAD_FAILURE" and "organization_id" not in failure
    assert failure["data"] == {"error_code": "SESSION_EXPIRED"}


def test_session_warning_then_expiry(
    emulator: Emulator, client: ScalekitClient, new_org: str, parent: Parent, allowed: None, page: Page
) -> None:
    emulator.control.set_session_warning(6 * 3600)  # the whole session: the warning comes at once
    try:
        link = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
        embed(page, parent, link.location)
        page.wait_for_function("window.heard.length >= 2")
        warning = next(h["data"] for h in heard(page) if h["data"]["event_type"] == "PORTAL_SESSION_WARNING")
        assert warning["organization_id"] == new_org and warning["data"]["expiry"].endswith("Z")
    finally:
        emulator.control.set_session_warning(300)


def test_a_page_not_allowed_cannot_frame_the_portal_or_hear_it(
    emulator: Emulator, client: ScalekitClient, new_org: str, parent: Parent, page: Page
) -> None:
    link = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    answer = requests.get(link.location, timeout=5)
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    again = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    embed(page, parent, again.location)
    page.wait_for_function("window.frameLoaded === true")  # a page posts its events before its load
    assert heard(page) == []
    frame = page.frame_locator("#portal")
    expect(frame.locator("#org-name")).to_have_count(0)


def test_allowed_origins_through_the_control_api(emulator: Emulator) -> None:
    headers = {"Authorization": f"Bearer {emulator.control.token}"}
    url = f"{emulator.portal_url}/_emulator/origins"
    try:
        added = requests.post(
            url, json={"origin": "https://App.Example.com:443/"}, headers=headers, timeout=5
        )
        assert added.json() == {"allowed_origins": ["https://app.example.com"]}
        bad = requests.post(url, json={"origin": "app.example.com/path"}, headers=headers, timeout=5)
        assert bad.status_code == 400
        assert json.loads(requests.get(url, headers=headers, timeout=5).text) == added.json()
    finally:
        emulator.control.forget_origins()


def test_directory_events_and_an_ended_session(
    client: ScalekitClient, new_org: str, parent: Parent, allowed: None, page: Page
) -> None:
    link = client.organization.generate_portal_link(new_org, [org_pb.Feature.dir_sync])
    portal = embed(page, parent, link.location)
    portal.get_by_label("Directory provider").select_option("entra")
    portal.get_by_role("button", name="Enable directory sync").click()
    expect(portal.locator("#dir-status")).to_contain_text("Directory sync is enabled")
    portal.get_by_role("button", name="Disable directory sync").click()
    expect(portal.locator("#dir-status")).to_contain_text("Directory sync is disabled")
    page.wait_for_function("window.heard.length >= 3")
    enabled, disabled = (h["data"] for h in heard(page)[1:3])
    assert (enabled["event_type"], disabled["event_type"]) == (
        "ORGANIZATION_DIRECTORY_ENABLED",
        "ORGANIZATION_DIRECTORY_DISABLED",
    )
    assert enabled["object"] == "directory" and enabled["organization_id"] == new_org
    assert enabled["message"] == "SCIM Provisioning enabled successfully"
    assert enabled["data"] == {
        "directory_type": "SCIM",
        "id": enabled["data"]["id"],
        "provider": "MICROSOFT_AD",
        "enabled": True,
    }
    client.core_client.grpc_exec(
        client.organization.organization_service.DeletePortalLinkByID.with_call,
        org_pb.DeletePortalLinkByIdRequest(id=new_org, link_id=link.id),
    )
    portal.get_by_role("button", name="Enable directory sync").click()  # the session ended with its link
    expect(portal.get_by_text("Your session has expired").first).to_be_visible()
    page.wait_for_function("window.heard.length >= 4")
    expiry = heard(page)[3]["data"]
    assert expiry["event_type"] == "PORTAL_SESSION_EXPIRY" and set(expiry["data"]) == {"expiry"}
