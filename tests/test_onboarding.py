"""The status board's watch: organizations whose invitation was opened are refetched on a timer."""

from __future__ import annotations

import datetime as dt
import time

from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.models import OnboardingStatus
from dashboard.onboarding import StatusBoard
from scalekit_emulator import Emulator


def test_watched_organizations_are_refetched_and_sso_is_remembered(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    seen: list[OnboardingStatus] = []

    def remember(status: OnboardingStatus) -> None:
        seen.append(status)
        if status.sso == "enabled":
            history.events.observe_sso_enabled(
                "emulator", status.organization_id, status.fetched_at, "status"
            )

    board = StatusBoard(gateway, on_status=remember)
    board.watch(lambda: [org_id], interval_s=0.2)
    try:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert board.statuses()[org_id].sso == "none"
        # The IT admin enables SSO in the portal; nobody has the Organizations page open.
        conn = emulator.backends.connections.create(org_id, "OKTA", "SAML")
        emulator.backends.connections.update(
            org_id, conn.id, settings={"idp_metadata_url": "https://x.okta.com/m", "idp_entity_id": "urn:x"}
        )
        emulator.backends.connections.set_enabled(org_id, conn.id, True)
        while board.statuses()[org_id].sso != "enabled" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert board.statuses()[org_id].sso == "enabled"
        when, source = history.events.sso_enabled_at("emulator", org_id)
        assert source == "status" and when <= dt.datetime.now(dt.UTC)
    finally:
        board.stop()
    count = len(seen)
    time.sleep(0.5)
    assert len(seen) == count  # a stopped board fetches no more
