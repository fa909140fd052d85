"""The mock admin portal over HTTP: single-use links, sessions, and what an IT admin changes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from dashboard.emulator import Emulator
from dashboard.emulator.portal_backend import check_sso_settings
from dashboard.gateway import ScalekitGateway

OKTA = {
    "metadata_url": "https://acme.okta.com/app/exk1/sso/saml/metadata",
    "entity_id": "http://www.okta.com/exk1",
}


@pytest.fixture
def portal(emulator: Emulator, gateway: ScalekitGateway, org_id: str) -> tuple[requests.Session, str, str]:
    link = gateway.generate_portal_link(org_id, ["sso", "dir_sync"])
    browser = requests.Session()
    assert browser.get(link.location, timeout=5).status_code == 200
    return browser, link.location, emulator.portal_url + "/portal/api"


def test_a_link_starts_one_session_and_is_then_used(portal, emulator: Emulator) -> None:
    browser, location, _ = portal
    assert browser.get(location, timeout=5).status_code == 200  # the same browser resumes its session
    other = requests.get(location, timeout=5)
    assert other.status_code == 410 and "already been used" in other.text


def test_sso_test_enable_disable_reach_list_connections(
    portal, gateway: ScalekitGateway, org_id: str
) -> None:
    browser, _, api = portal
    bad = browser.post(
        f"{api}/sso/test",
        json={"provider": "okta", "protocol": "SAML", "fields": {**OKTA, "metadata_url": "acme.okta.com"}},
        timeout=5,
    )
    assert bad.json()["ok"] is False and "https://" in bad.json()["message"]
    early = browser.post(f"{api}/sso/enable", json={}, timeout=5)
    assert early.status_code == 409 and "Test the connection" in early.json()["error"]
    good = browser.post(
        f"{api}/sso/test", json={"provider": "okta", "protocol": "SAML", "fields": OKTA}, timeout=5
    )
    assert good.json()["ok"] is True
    enabled = browser.post(f"{api}/sso/enable", json={}, timeout=5).json()["connection"]
    assert (enabled["provider"], enabled["type"], enabled["enabled"]) == ("OKTA", "SAML", True)
    [conn] = gateway.list_connections(org_id)
    assert (conn.provider, conn.status, conn.enabled) == ("Okta", "completed", True)
    browser.post(f"{api}/sso/disable", json={}, timeout=5)
    assert gateway.list_connections(org_id)[0].enabled is False


def test_directory_sync_enable_and_disable(portal, gateway: ScalekitGateway, org_id: str) -> None:
    browser, _, api = portal
    missing = browser.post(f"{api}/directory/enable", json={"provider": "nope"}, timeout=5)
    assert missing.status_code == 400
    on = browser.post(f"{api}/directory/enable", json={"provider": "entra"}, timeout=5).json()
    assert on["token"].startswith("skd_") and on["directory"]["endpoint"].endswith("/scim/v2")
    [directory] = gateway.list_directories(org_id)
    assert (directory.provider, directory.enabled) == ("Microsoft Entra ID", True)
    browser.post(f"{api}/directory/disable", json={}, timeout=5)
    assert gateway.list_directories(org_id)[0].enabled is False


def test_features_outside_the_link_are_refused(
    emulator: Emulator, gateway: ScalekitGateway, org_id: str
) -> None:
    link = gateway.generate_portal_link(org_id, ["sso"])
    browser = requests.Session()
    browser.get(link.location, timeout=5)
    refused = browser.post(
        f"{emulator.portal_url}/portal/api/directory/enable", json={"provider": "okta"}, timeout=5
    )
    assert refused.status_code == 403


def test_no_or_expired_session_is_401() -> None:
    with Emulator(orgs=2, seed=4, portal_session_ttl=dt.timedelta(seconds=0.5)) as emu:
        api = emu.portal_url + "/portal/api"
        assert requests.post(f"{api}/sso/disable", json={}, timeout=5).status_code == 401
        org_id = emu.backend.list_organizations().items[0].id
        link = emu.backend.generate_portal_link(org_id, ["sso"])
        browser = requests.Session()
        page = browser.get(link.location, timeout=5).text
        data = json.loads(page.split('id="portal-data">', 1)[1].split("</script>", 1)[0])
        assert 0 < data["session_expires_in_ms"] <= 500
        emu.backend.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        expired = browser.post(
            f"{api}/sso/test", json={"provider": "okta", "protocol": "SAML", "fields": OKTA}, timeout=5
        )
        assert expired.status_code == 401 and "expired" in expired.json()["error"]


@pytest.mark.parametrize(
    ("protocol", "fields", "problem"),
    [
        ("SAML", OKTA, None),
        ("SAML", {**OKTA, "metadata_url": ""}, "Enter the IdP metadata URL"),
        ("SAML", {**OKTA, "metadata_url": "http://acme.okta.com/metadata"}, "https://"),
        ("SAML", {**OKTA, "entity_id": "not a uri"}, "must be a URI"),
        ("OIDC", {"issuer": "https://acme.okta.com", "client_id": "0oa123"}, None),
        ("OIDC", {"issuer": "acme", "client_id": "0oa123"}, "issuer must be"),
        ("OIDC", {"issuer": "https://acme.okta.com", "client_id": ""}, "client ID"),
    ],
)
def test_connection_checks_explain_what_is_wrong(protocol: str, fields: dict, problem: str | None) -> None:
    found = check_sso_settings(protocol, fields)
    assert found is None if problem is None else problem in found
