"""Every page outside the dashboard that a person opens has a tab icon and asks for nothing that
is not there: the relay's (a customer's IT admin sees them) and the emulator's (sign-in, portal)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import requests
from starlette.testclient import TestClient

from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.relay.app import RelayContext, create_app
from scalekit_emulator import Emulator
from scalekit_emulator.web.base import render_page

ICON = re.compile(r'<link rel="icon" href="([^"]+)"')


def test_the_relays_pages_name_an_icon_it_serves(gateway: ScalekitGateway, history: History) -> None:
    relay = TestClient(create_app(RelayContext(gateway=gateway, history=history, environment="emulator")))
    page = relay.get("/i/not-a-real-invitation")
    [href] = ICON.findall(page.text)
    icon = relay.get(href)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.text.startswith("<svg")
    # Its own Content-Security-Policy lets the page show it (default-src 'none' would not).
    assert "img-src 'self'" in page.headers["content-security-policy"]


def test_the_emulators_sign_in_and_portal_pages_carry_their_icon(
    emulator: Emulator, gateway: ScalekitGateway, org_id: str
) -> None:
    [sign_in_icon] = ICON.findall(render_page("Sign in", "Scalekit emulator · Sign in", ""))
    link = gateway.generate_portal_link(org_id, ["sso"])
    portal = requests.get(link.location, timeout=10)
    assert portal.status_code == 200
    for href in (sign_in_icon, *ICON.findall(portal.text)):
        assert href.startswith("data:image/svg+xml,")  # nothing to fetch: no /favicon.ico 404
        assert unquote(href.removeprefix("data:image/svg+xml,")).startswith("<svg")
    assert len(ICON.findall(portal.text)) == 1
