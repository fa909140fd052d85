"""Invitations as a service: created, opened (minting through the real SDK), revoked, extended,
resent; bad input changes nothing; only a token's hash is ever kept."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from dashboard import invitations
from dashboard.errors import InvalidInput, NotPermitted
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.relay import opening
from scalekit_emulator import Emulator, Fault

from .dump import everything
from .people import ANA, BO, NOBODY, VIV
from .portal_tab import PortalTab

RELAY = "https://relay.portal.test"


def create(
    gateway: ScalekitGateway, history: History, org_id: str, **extra: object
) -> invitations.IssuedInvitation:
    values: dict = dict(
        environment="emulator",
        relay_url=RELAY,
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
    )
    values.update(extra)
    return invitations.create(gateway, history, **values)


def token_of(issued: invitations.IssuedInvitation) -> str:
    return issued.url.rsplit("/i/", 1)[1]


def test_create_returns_the_url_once_and_keeps_only_a_hash(
    gateway: ScalekitGateway, history: History, org_id: str, tmp_path: Path
) -> None:
    issued = create(gateway, history, org_id, recipient_email=" it@acme.com ", note=" SUP-7 ", days=14)
    item = issued.invitation
    assert issued.url.startswith(f"{RELAY}/i/") and len(token_of(issued)) >= 43  # 32 random bytes
    assert issued.url not in repr(issued)
    assert (item.recipient_email, item.note, item.issued_by, item.features) == (
        "it@acme.com",
        "SUP-7",
        "ana@portal.test",
        ("sso",),
    )
    assert item.expires_at - item.issued_at == dt.timedelta(days=14)
    blob = everything(history).encode() + b"".join(f.read_bytes() for f in tmp_path.glob("history.db*"))
    assert item.reference.encode() in blob and token_of(issued).encode() not in blob


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"operator": NOBODY}, "Sign in"),
        ({"operator": VIV}, "cannot create or change invitations"),
        ({"relay_url": None}, "DASHBOARD_RELAY_URL"),
        ({"organization": None}, "Choose an organization"),
        ({"features": []}, "at least one feature"),
        ({"days": 0}, "1 to 30 days"),
        ({"days": 31}, "1 to 30 days"),
        ({"recipient_email": "bob@"}, "not a valid email"),
        ({"recipient_email": "[a](https://evil.example)@x.com"}, "not a valid email"),
        ({"note": "x" * 501}, "keep it to 500 at most"),
    ],
)
def test_bad_input_changes_nothing(
    gateway: ScalekitGateway, history: History, org_id: str, change: dict, message: str
) -> None:
    with pytest.raises((InvalidInput, NotPermitted), match=message):
        create(gateway, history, org_id, **change)
    assert history.invitations.for_organization("emulator", org_id) == []


def test_a_feature_switched_off_cannot_be_invited_to(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    gateway.update_organization_settings(org_id, sso=False)
    with pytest.raises(InvalidInput, match="SSO is switched off"):
        create(gateway, history, org_id)


def test_an_open_mints_a_fresh_link_and_counts(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id)
    assert opening.look_up(history, token_of(issued), "emulator").outcome == "portal"
    assert history.links.for_organization("emulator", org_id) == []  # looking mints nothing
    first = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    second = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    assert first.outcome == second.outcome == "portal" and first.location != second.location
    assert requests.get(first.location, timeout=5).status_code == 200  # a working portal
    counted = history.invitations.get("emulator", issued.invitation.id)
    assert counted.open_count == 2 and counted.first_opened_at is not None
    mints = history.links.for_organization("emulator", org_id)
    assert {(m.kind, m.invitation_id, m.state) for m in mints} == {
        ("invitation", issued.invitation.id, "minted")
    }


def test_unknown_expired_and_revoked_tokens(gateway: ScalekitGateway, history: History, org_id: str) -> None:
    assert (
        opening.open_invitation(gateway, history, "not-a-token", environment="emulator").outcome == "unknown"
    )
    issued = create(gateway, history, org_id)
    later = issued.invitation.expires_at + dt.timedelta(seconds=1)
    assert (
        opening.open_invitation(gateway, history, token_of(issued), environment="emulator", now=later).outcome
        == "expired"
    )
    assert (
        opening.open_invitation(gateway, history, token_of(issued), environment="other.scalekit.dev").outcome
        == "unknown"
    )
    invitations.revoke(
        gateway, history, environment="emulator", invitation_id=issued.invitation.id, operator=BO
    )
    assert (
        opening.open_invitation(gateway, history, token_of(issued), environment="emulator").outcome
        == "revoked"
    )
    assert history.links.for_organization("emulator", org_id) == []


def test_the_organization_gone_or_a_feature_off_is_said_plainly(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id, features=["sso", "dir_sync"])
    gateway.update_organization_settings(org_id, dir_sync=False)
    part = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    assert (part.outcome, part.detail, part.features) == ("portal", "Directory sync", ("sso",))
    assert requests.get(part.location, timeout=5).status_code == 200  # SSO still opens
    gateway.update_organization_settings(org_id, sso=False)
    off = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    assert (off.outcome, off.detail, off.location) == ("feature_off", "SSO and Directory sync", None)
    assert history.invitations.get("emulator", issued.invitation.id).open_count == 1
    doomed = gateway.create_organization("Doomed Co")
    gone_invite = create(gateway, history, doomed.id)
    gateway.delete_organization(doomed.id)
    assert (
        opening.open_invitation(gateway, history, token_of(gone_invite), environment="emulator").outcome
        == "organization_gone"
    )
    assert [m.state for m in history.links.for_organization("emulator", doomed.id)] == ["failed"]


def test_scalekit_down_is_unavailable_and_counts_no_open(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id)
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code="UNAVAILABLE", times=5))
    opened = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    assert opened.outcome == "unavailable" and opened.location is None
    assert history.invitations.get("emulator", issued.invitation.id).open_count == 0


def test_revoking_also_revokes_a_link_still_inside_its_minute(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id)
    opened = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    revoked = invitations.revoke(
        gateway, history, environment="emulator", invitation_id=issued.invitation.id, operator=BO
    )
    assert (revoked.status(), revoked.revoked_by) == ("revoked", "bo@portal.test")
    assert requests.get(opened.location, timeout=5).status_code == 410  # the minted link died with it
    [mint] = history.links.for_organization("emulator", org_id)
    assert (mint.revoked_by, mint.link_id) == ("bo@portal.test", None)
    with pytest.raises(InvalidInput, match="already revoked"):
        invitations.revoke(
            gateway, history, environment="emulator", invitation_id=issued.invitation.id, operator=BO
        )


def test_extend_and_resend(gateway: ScalekitGateway, history: History, org_id: str) -> None:
    issued = create(gateway, history, org_id, days=1)
    now = dt.datetime.now(dt.UTC)
    extended = invitations.extend(
        history, environment="emulator", invitation_id=issued.invitation.id, days=10, operator=BO, now=now
    )
    assert extended.expires_at == now + dt.timedelta(days=10)
    with pytest.raises(InvalidInput, match="1 to 30 days"):
        invitations.extend(
            history, environment="emulator", invitation_id=issued.invitation.id, days=45, operator=BO
        )
    again = invitations.replace_link(
        history, environment="emulator", relay_url=RELAY, invitation_id=issued.invitation.id, operator=BO
    )
    assert again.invitation.reference == issued.invitation.reference and again.url != issued.url
    assert (
        opening.open_invitation(gateway, history, token_of(issued), environment="emulator").outcome
        == "replaced"
    )
    assert opening.look_up(history, token_of(issued), "other.scalekit.dev").outcome == "unknown"
    assert (
        opening.open_invitation(gateway, history, token_of(again), environment="emulator").outcome == "portal"
    )
    with pytest.raises(InvalidInput, match="not in this environment"):
        invitations.extend(history, environment="emulator", invitation_id=999_999, days=3, operator=BO)


def test_revoking_ends_a_portal_session_opened_two_minutes_before(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id)
    opened = opening.open_invitation(gateway, history, token_of(issued), environment="emulator")
    tab = PortalTab(opened.location or "")
    assert tab.status == 200 and tab.works()
    emulator.control.advance_clock(120)  # the link's minute is long over; its session runs on
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    history.links.sweep(later)  # the worker's tidy-up keeps the id the session needs
    assert tab.works()
    invitations.revoke(
        gateway, history, environment="emulator", invitation_id=issued.invitation.id, operator=BO, now=later
    )
    assert not tab.works()  # the session ended with the revoke
    [mint] = history.links.for_organization("emulator", org_id)
    assert (mint.revoked_by, mint.link_id) == ("bo@portal.test", None)


def test_a_link_another_mint_shares_is_recorded_revoked_but_never_deleted_under_it(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    emulator.control.set_readings(["links-reusable"])
    try:
        first = create(gateway, history, org_id)
        second = create(gateway, history, org_id)
        a = opening.open_invitation(gateway, history, token_of(first), environment="emulator")
        b = opening.open_invitation(gateway, history, token_of(second), environment="emulator")
        mints = history.links.for_organization("emulator", org_id)
        assert len({m.link_id for m in mints}) == 1  # Scalekit handed the same link to both opens
        tab = PortalTab(b.location or "")
        assert a.location == b.location and tab.works()
        invitations.revoke(
            gateway, history, environment="emulator", invitation_id=first.invitation.id, operator=BO
        )
        assert tab.works()  # the second invitation's session was not ended under it
        by_invitation = {m.invitation_id: m for m in history.links.for_organization("emulator", org_id)}
        assert by_invitation[first.invitation.id].revoked_by == "bo@portal.test"
        assert by_invitation[second.invitation.id].link_id is not None
        invitations.revoke(
            gateway, history, environment="emulator", invitation_id=second.invitation.id, operator=BO
        )
        assert not tab.works()  # no one else holds it now: deleted, and the session with it
    finally:
        emulator.control.set_readings([])


def test_an_open_racing_a_revoke_deletes_its_fresh_link_and_shows_the_revoked_page(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = create(gateway, history, org_id)
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", delay_seconds=1.0, times=1))
    with ThreadPoolExecutor(max_workers=1) as pool:
        racing = pool.submit(
            opening.open_invitation, gateway, history, token_of(issued), environment="emulator"
        )
        deadline = time.monotonic() + 10
        while not history.links.for_organization("emulator", org_id) and time.monotonic() < deadline:
            time.sleep(0.01)  # Scalekit is minting (the pending row is written): revoke now
        invitations.revoke(
            gateway, history, environment="emulator", invitation_id=issued.invitation.id, operator=BO
        )
        opened = racing.result(timeout=10)
    assert (opened.outcome, opened.location) == ("revoked", None)
    assert emulator.backends.portal.live_links(org_id) == []  # the fresh link was deleted
    [mint] = history.links.for_organization("emulator", org_id)
    assert (mint.state, mint.revoked_by, mint.link_id) == ("minted", "bo@portal.test", None)
    assert history.invitations.get("emulator", issued.invitation.id).open_count == 0
