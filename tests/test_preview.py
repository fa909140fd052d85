"""Which portal messages count, and what is kept of them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from dashboard import preview
from dashboard.history import History

SSO_ON = {
    "event_type": "ORGANIZATION_SSO_ENABLED",
    "object": "connection",
    "organization_id": "org_1",
    "message": "SSO connection enabled",
    "received_at": "2026-11-28T10:00:00.000Z",
    "data": {"connection_type": "SSO", "id": "conn_1", "type": "SAML", "provider": "OKTA", "enabled": True},
}


def test_origin_of_a_link() -> None:
    assert preview.origin_of("http://127.0.0.1:4242/magicLink/abc") == "http://127.0.0.1:4242"
    assert preview.origin_of("https://acme.scalekit.dev/magicLink/x_p") == "https://acme.scalekit.dev"


def test_only_documented_events_about_this_org_are_kept(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    raws = [
        SSO_ON,
        {**SSO_ON, "organization_id": "org_2"},  # another organization
        {**SSO_ON, "event_type": "SOMETHING_ELSE"},
        "not an object",
        {**SSO_ON, "event_type": "PORTAL_SESSION_EXPIRY", "object": "session", "message": "x" * 900},
    ]
    stored = preview.record_new_events(history, raws, org_id="org_1", environment="emulator")
    assert [e.event_type for e in stored] == ["ORGANIZATION_SSO_ENABLED", "PORTAL_SESSION_EXPIRY"]
    assert len(stored[1].message) == 500
    [kept] = [
        e for e in history.events.for_organization("emulator", "org_1") if e.event_type.endswith("ENABLED")
    ]
    assert json.loads(kept.payload)["data"]["provider"] == "OKTA"
    assert "received_at" not in json.loads(kept.payload)  # the browser's clock is not part of the event
    seen = sqlite3.connect(tmp_path / "h.db").execute("SELECT organization_id, source FROM sso_observation")
    assert seen.fetchall() == [("org_1", "portal_event")]


def test_the_snippet_respects_the_minimum_height() -> None:
    assert 'height="600"' in preview.iframe_snippet(300)
    assert 'allow="clipboard-write"' in preview.iframe_snippet(700)
