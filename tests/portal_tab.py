"""A browser tab on the emulator's admin portal, over plain HTTP (as tests/emulator/test_portal.py
drives it): the page's data, and calls that name the tab's own portal session."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests

OKTA = {
    "idp_metadata_url": "https://acme.okta.com/app/exk1/sso/saml/metadata",
    "idp_entity_id": "http://www.okta.com/exk1",
}


class PortalTab:
    def __init__(self, location: str, browser: requests.Session | None = None) -> None:
        parts = urlsplit(location)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.browser = browser or requests.Session()
        response = self.browser.get(location, timeout=5)
        self.status, self.text = response.status_code, response.text
        # The page's data: the portal's, or on a dead link's page the load failure it posts.
        found = self.text.split('id="portal-data">', 1)
        self.data = json.loads(found[1].split("</script>", 1)[0]) if len(found) == 2 else {}

    def post(self, action: str, body: dict | None = None) -> requests.Response:
        headers = {"X-Portal-Session": self.data.get("session", "")}
        return self.browser.post(
            f"{self.origin}{self.data['api']}/{action}", json=body or {}, headers=headers, timeout=5
        )

    def works(self) -> bool:
        """Whether the session still acts: testing an SSO connection is harmless."""
        answer = self.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA})
        return answer.status_code == 200

    def enable_sso(self) -> None:
        assert self.post("sso/test", {"provider": "okta", "protocol": "SAML", "fields": OKTA}).json()["ok"]
        answer = self.post("sso/enable")
        assert answer.status_code == 200, answer.text
