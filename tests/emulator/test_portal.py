"""Portal links as GeneratePortalLink describes them, and the mock admin portal they open.

The HTTP client here stands in for a browser (cookie jar included); the two-tab case also runs
in real Chromium (tests/browser).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import grpc
import pytest
import requests
from scalekit import ScalekitClient
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator
from scalekit_emulator.backends.portal import check_sso_settings

from .conftest import refusal

OKTA = {
    "idp_metadata_url": "https://acme.okta.com/app/exk1/sso/saml/metadata",
    "idp_entity_id": "http://www.okta.com/exk1",
}


class PortalTab:
    """One browser tab on a portal: its page's data, and calls naming its own session."""

    def __init__(self, browser: requests.Session, location: str) -> None:
        parts = urlsplit(location)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.browser = browser
        response = browser.get(location, timeout=5)
        self.status, self.text = response.status_code, response.text
        self.data = (
            json.loads(self.text.split('id="portal-data">', 1)[1].split("</script>", 1)[0])
            if response.ok
            else {}
        )

    def post(self, action: str, body: dict | None = None, session: str | None = None) -> requests.Response:
        headers = {"X-Portal-Session": session if session is not None else self.data.get("session", "")}
        url = f"{self.origin}{self.data['api']}/{action}"
        return self.browser.post(url, json=body or {}, headers=headers, timeout=5)


def link(client: ScalekitClient, org: str, *features: str) -> org_pb.Link:
    return client.organization.generate_portal_link(org, [org_pb.Feature.Value(f) for f in features] or None)


def test_a_link_opens_once_and_its_browser_resumes(client: ScalekitClient, new_org: str) -> None:
    portal = link(client, new_org, "sso")
    browser = requests.Session()
    assert PortalTab(browser, portal.location).status == 200
    assert PortalTab(browser, portal.location).status == 200  # the same browser resumes its session
    other = requests.get(portal.location, timeout=5)
    assert other.status_code == 410 and "already been used" in other.text


def test_an_unopened_link_expires_after_its_minute(
    emulator: Emulator, client: ScalekitClient, new_org: str
) -> None:
    portal = link(client, new_org, "sso")
    emulator.control.advance_clock(61)
    gone = requests.get(portal.location, timeout=5)
    assert gone.status_code == 410 and "expired" in gone.text


def test_opened_within_its_minute_a_session_lasts_six_hours(
    emulator: Emulator, client: ScalekitClient, new_org: str
) -> None:
    portal = link(client, new_org, "sso")
    browser = requests.Session()
    tab = PortalTab(browser, portal.location)
    assert 6 * 3600 * 1000 - 5000 < tab.data["session_expires_in_ms"] <= 6 * 3600 * 1000
    emulator.control.advance_clock(5 * 3600)
    assert tab.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA}).status_code == 200
    emulator.control.advance_clock(3600 + 1)
    ended = tab.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA})
    assert ended.status_code == 401 and "ended" in ended.json()["error"]


def test_no_features_asked_means_the_organizations_enabled_ones(client: ScalekitClient, new_org: str) -> None:
    client.organization.update_organization_settings(new_org, [{"name": "dir_sync", "enabled": False}])
    tab = PortalTab(requests.Session(), link(client, new_org).location)
    assert tab.data["features"] == ["sso"]
    code, message = refusal(lambda: link(client, new_org, "sso", "dir_sync"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "dir_sync is disabled" in message


def test_the_portal_shows_what_the_link_grants_and_the_org_still_enables(
    client: ScalekitClient, new_org: str
) -> None:
    portal = link(client, new_org, "sso", "dir_sync")
    client.organization.update_organization_settings(new_org, [{"name": "sso", "enabled": False}])
    tab = PortalTab(requests.Session(), portal.location)
    assert tab.data["features"] == ["dir_sync"]
    refused = tab.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA})
    assert refused.status_code == 403


def test_the_location_secret_is_not_the_link_id_and_revoking_ends_the_session(
    client: ScalekitClient, new_org: str
) -> None:
    portal = link(client, new_org, "sso")
    assert portal.id not in portal.location
    unknown = requests.get(portal.location.rsplit("/", 1)[0] + "/" + portal.id, timeout=5)
    assert unknown.status_code == 404  # an id, even a real one, opens nothing
    tab = PortalTab(requests.Session(), portal.location)
    client.core_client.grpc_exec(
        client.organization.organization_service.DeletePortalLinkByID.with_call,
        org_pb.DeletePortalLinkByIdRequest(id=new_org, link_id=portal.id),
    )
    assert tab.post("sso/disable").status_code == 401
    revoked_unopened = link(client, new_org, "sso")
    client.core_client.grpc_exec(
        client.organization.organization_service.DeletePortalLinkByID.with_call,
        org_pb.DeletePortalLinkByIdRequest(id=new_org, link_id=revoked_unopened.id),
    )
    assert requests.get(revoked_unopened.location, timeout=5).status_code == 410


def test_two_portals_in_one_browser_never_cross(client: ScalekitClient, new_org: str) -> None:
    other_org = client.organization.create_organization(org_pb.CreateOrganization(display_name="Other Org"))[
        0
    ].organization.id
    browser = requests.Session()  # one cookie jar, like one browser with two tabs
    tab_a = PortalTab(browser, link(client, new_org, "sso").location)
    tab_b = PortalTab(browser, link(client, other_org, "sso").location)
    assert tab_a.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA}).json()["ok"]
    assert [
        c.organization_id for c in client.connection.list_connections(new_org, include="all")[0].connections
    ] == [new_org]
    assert list(client.connection.list_connections(other_org, include="all")[0].connections) == []
    # A page naming another portal's session is refused: sessions act only on their own link.
    forged = tab_b.post("sso/disable", session=tab_a.data["session"])
    assert forged.status_code == 401
    assert tab_b.post("sso/disable").status_code == 409  # its own session: nothing to disable yet


def test_sso_test_enable_disable_reach_list_connections(client: ScalekitClient, new_org: str) -> None:
    tab = PortalTab(requests.Session(), link(client, new_org, "sso").location)
    bad = tab.post(
        "sso/test",
        {"provider": "okta", "protocol": "SAML", "fields": {**OKTA, "idp_metadata_url": "acme.okta.com"}},
    )
    assert bad.json()["ok"] is False and "https://" in bad.json()["message"]
    early = tab.post("sso/enable")
    assert early.status_code == 409 and "Test the connection" in early.json()["error"]
    assert tab.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA}).json()["ok"] is True
    enabled = tab.post("sso/enable").json()["connection"]
    assert (enabled["provider"], enabled["type"], enabled["enabled"]) == ("OKTA", "SAML", True)
    [conn] = client.connection.list_connections(new_org)[0].connections  # active now: listed by default
    assert conn.enabled
    tab.post("sso/disable")
    assert list(client.connection.list_connections(new_org)[0].connections) == []


def test_directory_sync_enable_and_disable(client: ScalekitClient, new_org: str) -> None:
    tab = PortalTab(requests.Session(), link(client, new_org, "dir_sync").location)
    assert tab.post("directory/enable", {"provider": "nope"}).status_code == 400
    on = tab.post("directory/enable", {"provider": "entra"}).json()
    assert on["token"].startswith("skd_") and on["directory"]["endpoint"].endswith("/scim/v2")
    [directory] = client.directory.list_directories(new_org)[0].directories
    assert directory.enabled
    tab.post("directory/disable")
    assert client.directory.list_directories(new_org)[0].directories[0].enabled is False


def test_a_page_without_its_session_header_is_refused(client: ScalekitClient, new_org: str) -> None:
    tab = PortalTab(requests.Session(), link(client, new_org, "sso").location)
    assert tab.post("sso/disable", session="").status_code == 401


def test_the_page_escapes_the_organization_name(client: ScalekitClient) -> None:
    org = client.organization.create_organization(
        org_pb.CreateOrganization(display_name="<img src=x onerror=alert(1)> & Co")
    )[0].organization
    tab = PortalTab(requests.Session(), link(client, org.id, "dir_sync").location)
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in tab.text and "<img src=x" not in tab.text


@pytest.mark.parametrize(
    ("protocol", "fields", "problem"),
    [
        ("SAML", OKTA, None),
        ("SAML", {**OKTA, "idp_metadata_url": ""}, "Enter the IdP metadata URL"),
        ("SAML", {**OKTA, "idp_metadata_url": "http://acme.okta.com/metadata"}, "https://"),
        ("SAML", {**OKTA, "idp_entity_id": "not a uri"}, "must be a URI"),
        ("OIDC", {"issuer": "https://acme.okta.com", "client_id": "0oa123"}, None),
        ("OIDC", {"issuer": "acme", "client_id": "0oa123"}, "issuer must be"),
        ("OIDC", {"issuer": "https://acme.okta.com", "client_id": ""}, "client ID"),
    ],
)
def test_connection_checks_explain_what_is_wrong(protocol: str, fields: dict, problem: str | None) -> None:
    found = check_sso_settings(protocol, fields)
    assert found is None if problem is None else problem in found
