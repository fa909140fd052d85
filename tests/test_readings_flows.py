"""Portal Desk's core flows under every reading the emulator plays (``--readings``), through the
real SDK: where Scalekit's own sources disagree or are silent, Portal Desk must work under each.

Per reading, an emulator of its own (signed by the process's CA, which the session's emulator
made trusted): the worker lists the organizations and their statuses; an invitation is created,
opened twice through the relay's open, SSO is enabled in the portal and seen, and the invitation
is revoked, ending both portal sessions; a preview link is minted and the portal's events parsed;
a direct link opens. Then once more with every non-default reading that does not contradict
another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import invitations, links, preview
from dashboard.config import Settings
from dashboard.errors import RateLimited
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.organizations import fetch_status
from dashboard.relay import opening
from dashboard.relay.opening import Opened
from dashboard.worker import Worker
from scalekit_emulator import Emulator
from scalekit_emulator.readings import READINGS, Readings

from .people import ANA, BO
from .portal_tab import PortalTab

ENV = "emulator"
ORGS = 4
RATE = 6  # calls a minute: the worker's first sweep alone needs more
# Everything Portal Desk's flows call needs (SDK 2.21's auth_option.permissions).
PERMISSIONS = "organizations:read,organizations:write,portal_links:manage,sso:read,scim:read"
VALUES = {
    "rate-limit=N": f"rate-limit={RATE}",
    "client-permissions=LIST": f"client-permissions={PERMISSIONS}",
    "lost-answer=METHOD[:N]": "lost-answer=GeneratePortalLink:1",
}
EACH = [VALUES.get(r.name, r.name) for r in READINGS]
IDS = [name.split("=", 1)[0] if name.startswith("client-permissions") else name for name in EACH]


def _combined() -> tuple[str, ...]:
    """Every non-default reading, skipping one that contradicts a reading already taken."""
    taken: list[str] = []
    for name in (VALUES.get(r.name, r.name) for r in READINGS if not r.default):
        try:
            Readings.parse([*taken, name])
        except ValueError:
            continue
        taken.append(name)
    return tuple(taken)


COMBINED = _combined()


@pytest.fixture
def playing(
    request: pytest.FixtureRequest, emulator: Emulator, settings: Settings, tmp_path: Path
) -> Iterator[tuple[Emulator, ScalekitGateway, History]]:
    """An emulator playing the readings, Portal Desk's gateway on it, and a fresh history."""
    with Emulator(orgs=ORGS, seed=21, readings=request.param) as emu:
        gateway = ScalekitGateway.connect(settings, emu.env_url, emu.client_id, emu.client_secret)
        history = History(f"sqlite:///{tmp_path}/history.db")
        yield emu, gateway, history
        history.close()


class Flows:
    """The core flows, with what each reading changes in what to expect."""

    def __init__(self, emu: Emulator, gateway: ScalekitGateway, history: History) -> None:
        self.emu, self.gateway, self.history = emu, gateway, history
        readings = emu.control.readings()
        self.limited = any(r.startswith("rate-limit=") for r in readings)
        self.lost = any(r.startswith("lost-answer=GeneratePortalLink") for r in readings)

    def next_minute(self) -> None:
        """Under a rate limit, each step starts in a fresh minute (a portal session lives on)."""
        if self.limited:
            self.emu.control.advance_clock(61)

    def open(self, token: str) -> Opened:
        return opening.open_invitation(self.gateway, self.history, token, environment=ENV)

    def organizations_and_statuses(self) -> None:
        worker = Worker(self.gateway, self.history, ENV, sleep=self.emu.control.advance_clock)
        worker.run_once()
        found = self.history.listing.load(ENV)
        assert found is not None and len(found[0]) == ORGS
        assert len(self.history.statuses.load(ENV)) == ORGS
        state = self.history.sweepers.state(ENV)
        assert state is not None and state.problem is None, state.problem
        worker.release()

    def invitation(self) -> None:
        org = self.gateway.create_organization("Readings Co")
        org = self.gateway.update_organization_settings(org.id, sso=True, dir_sync=True)
        assert org.enabled_features == ("sso", "dir_sync")
        self.next_minute()
        issued = invitations.create(
            self.gateway,
            self.history,
            environment=ENV,
            relay_url="https://relay.portal.test",
            organization=org,
            features=["sso", "dir_sync"],
            days=7,
            operator=ANA,
        )
        token = issued.url.rsplit("/i/", 1)[1]
        first = self.open(token)
        if self.lost:
            # Scalekit made the link, its answer was lost: the open says so, and the pending row
            # (the only trace of that link) closes as "unknown" once its minute has passed.
            assert first.outcome == "unavailable" and first.location is None and first.detail
            [row] = self.history.links.for_organization(ENV, org.id)
            assert row.state == "pending"
            self.history.links.sweep(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3))
            assert self.history.links.get(row.id).state == "unknown"  # type: ignore[union-attr]
            first = self.open(token)
        tabs = [PortalTab(first.location or "")]
        self.next_minute()
        second = self.open(token)
        tabs.append(PortalTab(second.location or ""))
        assert (first.outcome, second.outcome) == ("portal", "portal")
        assert [t.status for t in tabs] == [200, 200]
        assert self.history.invitations.get(ENV, issued.invitation.id).open_count == 2  # type: ignore[union-attr]
        tabs[1].enable_sso()
        assert tabs[1].post("directory/enable", {"provider": "entra"}).status_code == 200
        self.next_minute()
        status = fetch_status(self.gateway, org.id)
        assert (status.sso, status.scim) == ("enabled", "enabled")
        self.next_minute()
        invitations.revoke(
            self.gateway, self.history, environment=ENV, invitation_id=issued.invitation.id, operator=BO
        )
        assert [t.works() for t in tabs] == [False, False]  # both portal sessions ended with it
        assert self.open(token).outcome == "revoked"
        self.next_minute()
        self.preview_and_direct(org.id)
        if self.limited:
            self.next_minute()
            self.busy(org.id)

    def preview_and_direct(self, org_id: str) -> None:
        org = self.gateway.get_organization(org_id)
        minted = links.start_preview(
            self.gateway, self.history, environment=ENV, organization=org, features=["sso"], operator=ANA
        )
        tab = PortalTab(minted.link.location)
        assert tab.status == 200
        session = preview.PreviewSession(key=(org.id, ("sso",)), link=minted.link)
        raws: list[dict] = [
            {  # what the page posts once loaded (portal_page.html), from its own data
                "event_type": "PORTAL_LOAD_SUCCESS",
                "object": "portal",
                "organization_id": tab.data["organization_id"],
                "message": "Admin portal loaded successfully",
                "data": {"features": ",".join(tab.data["features"]), "expiry": tab.data["session_expiry"]},
            }
        ]
        again = PortalTab(minted.link.location)  # another browser: a used link fails to load
        if again.status != 200:  # links-reusable: it opens again within its minute
            raws.append(again.data["event"])  # PORTAL_LOAD_FAILURE, as served: no organization id
        stored = session.take(
            [{**raw, "seq": n} for n, raw in enumerate(raws, 1)],
            self.history,
            org_id=org.id,
            environment=ENV,
            actor=ANA.name or "",
        )
        assert [e.event_type for e in stored] == [raw["event_type"] for raw in raws]
        assert (session.ended is not None) == (again.status != 200)
        self.next_minute()
        direct = links.open_now(
            self.gateway, self.history, environment=ENV, organization=org, features=["sso"], operator=ANA
        )
        assert PortalTab(direct.link.location).status == 200

    def busy(self, org_id: str) -> None:
        """Past the rate limit, the customer's open (and the rep) read when to try again."""
        issued = invitations.create(
            self.gateway,
            self.history,
            environment=ENV,
            relay_url="https://relay.portal.test",
            organization=self.gateway.get_organization(org_id),
            features=["sso"],
            days=7,
            operator=ANA,
        )
        with pytest.raises(RateLimited) as info:
            for _ in range(RATE + 1):
                self.gateway.get_organization(org_id)
        assert str(info.value).startswith("Scalekit is busy: try again in ")
        refused = self.open(issued.url.rsplit("/i/", 1)[1])
        assert refused.outcome == "unavailable"
        assert refused.detail.startswith("Scalekit is busy: try again in ")


def run(emu: Emulator, gateway: ScalekitGateway, history: History) -> None:
    flows = Flows(emu, gateway, history)
    flows.organizations_and_statuses()
    flows.next_minute()
    flows.invitation()


@pytest.mark.parametrize("playing", [[name] for name in EACH], ids=IDS, indirect=True)
def test_the_core_flows_work_under_each_reading(
    playing: tuple[Emulator, ScalekitGateway, History],
) -> None:
    run(*playing)


@pytest.mark.parametrize("playing", [list(COMBINED)], ids=["combined"], indirect=True)
def test_the_core_flows_work_under_every_other_reading_at_once(
    playing: tuple[Emulator, ScalekitGateway, History],
) -> None:
    assert len(COMBINED) >= 8  # one spelling, and every other non-default reading
    run(*playing)
