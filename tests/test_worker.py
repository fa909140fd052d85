"""The worker against the emulator through the real SDK: it lists every organization and every
status into the history, polls the watch list, holds its environment alone however many workers
share the history, and tells the team (through real Apprise, to a real HTTP receiver) and the rep
(through a real SMTP server) exactly once per event, never with a link or token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from dashboard import invitations
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.mailer import Mailer
from dashboard.relay import opening
from dashboard.worker import Intervals, Teller, Worker, team_channel
from scalekit_emulator import Emulator

from .mail_server import settings as smtp_settings
from .people import ANA
from .webhook import Receiver

RELAY = "https://relay.portal.test"


@pytest.fixture
def worker(gateway: ScalekitGateway, history: History) -> Iterator[Worker]:
    made = Worker(gateway, history, "emulator")
    yield made
    made.release()


def enable_sso(emulator: Emulator, org_id: str) -> None:
    """What the IT admin does in the portal: an Okta SAML connection, completed and enabled."""
    conn = emulator.backends.connections.create(org_id, "OKTA", "SAML")
    emulator.backends.connections.update(
        org_id, conn.id, settings={"idp_metadata_url": "https://x.okta.com/m", "idp_entity_id": "urn:x"}
    )
    emulator.backends.connections.set_enabled(org_id, conn.id, True)


def test_a_first_start_lists_every_organization_and_every_status(
    gateway: ScalekitGateway, history: History, worker: Worker
) -> None:
    worker.run_once()
    listed = history.listing.load("emulator")
    assert listed is not None
    orgs, _ = listed
    assert {o.id for o in orgs} == {o.id for o in gateway.list_organizations()}
    statuses = history.statuses.load("emulator")
    assert set(statuses) == {o.id for o in orgs} and all(s.complete for s in statuses.values())
    state = history.sweepers.state("emulator")
    assert state is not None and state.listed_at is not None and state.round_finished_at is not None
    assert state.holder == worker.holder and not state.problem


def test_one_worker_sweeps_an_environment_and_another_takes_over_when_it_stops_renewing(
    gateway: ScalekitGateway, database_url: str
) -> None:
    first, second = History(database_url), History(database_url)  # two processes' own engines
    now = dt.datetime.now(dt.UTC)
    later = {"at": now}
    short = Intervals(lease_s=30)
    a = Worker(gateway, first, "emulator", intervals=short, clock=lambda: now)
    b = Worker(gateway, second, "emulator", intervals=short, clock=lambda: later["at"])
    try:
        assert a.hold() and not b.hold()
        assert a.list_organizations()
        listed_at = first.listing.load("emulator")[1]  # type: ignore[index]
        assert not b.list_organizations() and not b.refresh_statuses()  # nothing done, nothing asked
        assert second.listing.load("emulator")[1] == listed_at  # type: ignore[index]
        later["at"] = now + dt.timedelta(seconds=31)  # the first died 31 s ago: its lease ran out
        assert b.hold() and b.list_organizations()
        assert second.sweepers.state("emulator").holder == b.holder  # type: ignore[union-attr]
        assert not a.hold()  # back from the dead, the first finds it taken and stands aside
    finally:
        a.release()
        b.release()
        first.close()
        second.close()


def test_a_stopping_worker_hands_over_at_once(gateway: ScalekitGateway, history: History) -> None:
    a, b = Worker(gateway, history, "emulator"), Worker(gateway, history, "emulator")
    assert a.hold() and not b.hold()
    a.release()
    assert b.hold()
    b.release()


def test_the_watch_list_shows_sso_an_it_admin_enabled_without_a_page_open(
    emulator: Emulator, gateway: ScalekitGateway, history: History, worker: Worker, org_id: str
) -> None:
    worker.run_once()
    assert history.statuses.load("emulator")[org_id].sso == "none"
    invitations.create(
        gateway,
        history,
        environment="emulator",
        relay_url=RELAY,
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
    )
    enable_sso(emulator, org_id)
    worker.watch()  # what the worker does every 15 seconds
    seen = history.statuses.load("emulator")[org_id]
    assert (seen.sso, seen.sso_provider) == ("enabled", "Okta")
    assert history.events.sso_enabled_at("emulator", org_id)[1] == "status"  # type: ignore[index]


def test_a_new_organization_gets_its_status_at_the_next_watch(
    gateway: ScalekitGateway, history: History, worker: Worker
) -> None:
    worker.run_once()
    made = gateway.create_organization("Created Between Rounds")
    history.listing.put("emulator", made, dt.datetime.now(dt.UTC))  # as a page's create does
    worker.watch()
    assert history.statuses.load("emulator")[made.id].sso == "none"


def _events(gateway: ScalekitGateway, history: History, emulator: Emulator, org_id: str) -> str:
    """Two invitations: one that expires within a day unopened, and one the IT admin opens before
    enabling SSO. Returns the opened one's URL (which no notification may carry)."""
    organization = gateway.get_organization(org_id)
    for days in (1, 7):
        issued = invitations.create(
            gateway,
            history,
            environment="emulator",
            relay_url=RELAY,
            organization=organization,
            features=["sso"],
            days=days,
            operator=ANA,
        )
    token = issued.url.rsplit("/", 1)[1]
    opened = opening.open_invitation(gateway, history, token, environment="emulator")
    assert opened.outcome == "portal"
    enable_sso(emulator, org_id)
    return issued.url


def test_the_team_is_told_once_of_each_event_across_a_restart(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str, webhook: Receiver
) -> None:
    worker = Worker(
        gateway, history, "emulator", teller=Teller(history, "emulator", team=team_channel([webhook.url]))
    )
    worker.run_once()  # a first start: what happened before it is not news
    url = _events(gateway, history, emulator, org_id)
    worker.watch()
    worker.tell()
    titles = sorted(message["title"] for message in webhook.received)
    assert len(titles) == 3, titles
    assert any(t.startswith("Fixture Org opened INV-") for t in titles)
    assert any(t.startswith("SSO is live for Fixture Org") for t in titles)
    assert any(" expires in " in t for t in titles)
    worker.tell()
    worker.release()
    # A restart: a new worker, a new teller, the same history. Nothing is told twice.
    again = Worker(
        gateway, history, "emulator", teller=Teller(history, "emulator", team=team_channel([webhook.url]))
    )
    again.run_once()
    again.tell()
    again.release()
    assert len(webhook.received) == 3
    token = url.rsplit("/", 1)[1]
    for message in webhook.received:
        text = f"{message['title']} {message['message']}"
        assert token not in text and "/i/" not in text and "http" not in text and "magicLink" not in text
    listed = history.notifications.newest("emulator")
    assert {n.state for n in listed} == {"sent"} and len(listed) == 3


def test_a_failed_delivery_is_retried_later_not_lost(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str, webhook: Receiver
) -> None:
    worker = Worker(
        gateway, history, "emulator", teller=Teller(history, "emulator", team=team_channel([webhook.url]))
    )
    worker.run_once()
    webhook.status = 500  # the receiver is down
    _events(gateway, history, emulator, org_id)
    worker.watch()
    worker.tell()
    pending = history.notifications.newest("emulator")
    assert len(pending) == 3 and all(n.state == "pending" and n.attempts == 1 for n in pending)
    assert all(n.next_attempt_at > dt.datetime.now(dt.UTC) for n in pending)  # backed off
    webhook.status = 200
    assert worker.teller is not None
    worker.teller.deliver(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))  # the back-off has passed
    assert len(webhook.received) == 3
    worker.release()


def test_the_rep_is_emailed_unless_they_switched_it_off(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str, smtp
) -> None:
    inbox, port, ca_file = smtp
    teller = Teller(history, "emulator", mailer=Mailer(smtp_settings(port, ca_file)))
    worker = Worker(gateway, history, "emulator", teller=teller)
    worker.run_once()
    _events(gateway, history, emulator, org_id)
    worker.watch()
    worker.tell()
    to = [rcpt for rcpts, _ in inbox.messages for rcpt in rcpts]
    assert to == [ANA.name] * 3
    assert all(b"/i/" not in body for _, body in inbox.messages)
    # Ana switches hers off: her next invitation's news reaches the team channel only.
    history.notifications.set_email(ANA.name or "", False, dt.datetime.now(dt.UTC))
    other = gateway.create_organization("Quiet Org").id
    worker.list_organizations()
    worker.refresh_statuses()
    _events(gateway, history, emulator, other)
    worker.watch()
    worker.tell()
    assert len(inbox.messages) == 3
    team = [n for n in history.notifications.newest("emulator") if n.organization_id == other]
    assert {n.channel for n in team} == {"team"} and {n.state for n in team} == {"skipped"}
    worker.release()
