"""The worker's status board: every organization's SSO/SCIM status from the bulk listings and
directories in flight, kept in the history's snapshot so a restart starts from it, refreshed in
rounds; and single refetches for the watch list (organizations whose IT admin may be at work)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from dashboard.config import Settings
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.models import OnboardingStatus
from dashboard.organizations import fetch_status
from dashboard.worker import Worker
from dashboard.worker.board import StatusBoard
from scalekit_emulator import Emulator, Fault


def test_watched_organizations_are_refetched_and_sso_is_remembered(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    seen: list[OnboardingStatus] = []

    def remember(batch: list[OnboardingStatus]) -> None:
        seen.extend(batch)
        enabled = [(s.organization_id, s.fetched_at) for s in batch if s.sso == "enabled"]
        history.events.observe_many("emulator", enabled, "status")

    board = StatusBoard(gateway, on_statuses=remember)
    try:
        board.refresh_many([org_id])
        assert board.wait(30)
        assert board.statuses()[org_id].sso == "none" and seen
        # The IT admin enables SSO in the portal; nobody has the Organizations page open.
        conn = emulator.backends.connections.create(org_id, "OKTA", "SAML")
        emulator.backends.connections.update(
            org_id, conn.id, settings={"idp_metadata_url": "https://x.okta.com/m", "idp_entity_id": "urn:x"}
        )
        emulator.backends.connections.set_enabled(org_id, conn.id, True)
        board.refresh_many([org_id])  # the worker's next watch
        assert board.wait(30)
        assert board.statuses()[org_id].sso == "enabled"
        when, source = history.events.sso_enabled_at("emulator", org_id)
        assert source == "status" and when <= dt.datetime.now(dt.UTC)
    finally:
        board.stop()
    count = len(seen)
    time.sleep(0.5)
    assert len(seen) == count  # a stopped board fetches no more


def per_org(gateway: ScalekitGateway, org_ids: list[str]) -> dict[str, tuple]:
    found = {o: fetch_status(gateway, o) for o in org_ids}
    return {o: (s.sso, s.sso_provider, s.scim, s.scim_users) for o, s in found.items()}


def shown(board: StatusBoard) -> dict[str, tuple]:
    return {o: (s.sso, s.sso_provider, s.scim, s.scim_users) for o, s in board.statuses().items()}


def test_a_round_finds_what_each_organization_says_and_a_restart_draws_it_at_once(
    gateway: ScalekitGateway, history: History
) -> None:
    org_ids = [o.id for o in gateway.list_organizations()]
    board = StatusBoard(gateway, history.statuses, "emulator")
    board.request(org_ids)
    assert board.wait(60) and not board.failures()
    board.stop()
    assert shown(board) == per_org(gateway, org_ids)
    assert set(history.statuses.load("emulator")) == set(org_ids)
    # The server restarts: a new board has every status before asking Scalekit anything.
    again = StatusBoard(gateway, history.statuses, "emulator")
    assert shown(again) == shown(board)
    again.request(org_ids)
    assert not again.refreshing  # as fresh as its oldest status: nothing to ask Scalekit yet
    again.stop()
    stale = StatusBoard(gateway, history.statuses, "emulator", ttl_s=0)  # older than the TTL
    stale.request(org_ids)  # refreshed in the background, the statuses standing meanwhile
    assert stale.refreshing and len(stale.statuses()) == len(org_ids)
    assert stale.wait(60)
    stale.stop()


def test_a_change_is_dated_and_the_rest_keep_their_date(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    org_ids = [o.id for o in gateway.list_organizations()]
    board = StatusBoard(gateway, history.statuses, "emulator")
    board.request(org_ids)
    assert board.wait(60)
    before = board.statuses()
    conn = emulator.backends.connections.create(org_id, "OKTA", "SAML")  # SSO set up: now a draft
    board.expire()
    board.request(org_ids)
    assert board.wait(60)
    board.stop()
    after = board.statuses()
    assert (before[org_id].sso, after[org_id].sso) == ("none", "draft") and conn.status == "DRAFT"
    assert after[org_id].changed_at > before[org_id].changed_at
    other = next(o for o in org_ids if o != org_id)
    assert after[other].changed_at == before[other].changed_at
    assert after[other].fetched_at > before[other].fetched_at
    assert history.statuses.load("emulator")[org_id].changed_at == after[org_id].changed_at


def test_an_environment_refusing_the_bulk_listing_is_asked_one_by_one(
    emulator: Emulator, gateway: ScalekitGateway, history: History
) -> None:
    emulator.control.inject_fault(Fault(method="SearchOrganizationConnections", code="PERMISSION_DENIED"))
    org_ids = [o.id for o in gateway.list_organizations()][:60]
    board = StatusBoard(gateway, history.statuses, "emulator")
    board.request(org_ids)
    assert board.wait(60)
    board.stop()
    assert not board.failures() and shown(board) == per_org(gateway, org_ids)


def test_what_the_page_shows_is_fetched_first(emulator: Emulator, gateway: ScalekitGateway) -> None:
    org_ids = [o.id for o in gateway.list_organizations()]
    wanted = org_ids[-1]  # the oldest: last in the round's own order
    emulator.control.inject_fault(Fault(method="ListDirectories", delay_seconds=0.02))
    done: list[str] = []
    board = StatusBoard(gateway, in_flight=2)
    original = board._keep  # the order statuses complete in: watched, not changed

    def keep(status: OnboardingStatus) -> None:
        done.append(status.organization_id)
        original(status)

    board._keep = keep  # type: ignore[method-assign]
    board.request(org_ids, first=[wanted])
    assert board.wait(60)
    board.stop()
    assert wanted in done[:5] and len(done) == len(org_ids)


def test_failures_are_named_and_a_later_request_fills_them(
    emulator: Emulator, gateway: ScalekitGateway, history: History
) -> None:
    org_ids = [o.id for o in gateway.list_organizations()][:30]
    emulator.control.inject_fault(Fault(method="ListDirectories", code="UNAVAILABLE", times=3))
    board = StatusBoard(gateway, history.statuses, "emulator", retry_after_s=0)
    board.request(org_ids)
    assert board.wait(60)
    failed = board.failures()
    assert len(failed) == 3 and "unavailable" in next(iter(failed.values())).lower()
    assert sum(s.complete for s in board.statuses().values()) == 27  # the others: SSO only
    board.request(org_ids)  # the page asks again: a new round, since some failed
    assert board.wait(60)
    board.stop()
    assert not board.failures() and sum(s.complete for s in board.statuses().values()) == 30


def test_an_organization_deleted_at_scalekit_leaves_the_snapshot(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    org_ids = [o.id for o in gateway.list_organizations()]
    board = StatusBoard(gateway, history.statuses, "emulator")
    board.request(org_ids)
    assert board.wait(60)
    gateway.delete_organization(org_id)
    board.expire()
    board.request([o for o in org_ids if o != org_id])
    assert board.wait(60)
    board.stop()
    assert org_id not in board.statuses() and org_id not in history.statuses.load("emulator")


def test_a_round_can_start_on_the_first_page_of_a_first_listing(
    gateway: ScalekitGateway, history: History
) -> None:
    board = StatusBoard(gateway, history.statuses, "emulator")
    assert board.begin()
    assert not board.begin()  # one round at a time
    orgs = gateway.list_organizations(on_page=lambda page: board.feed([o.id for o in page]))
    board.close()
    assert board.wait(60)
    board.stop()
    org_ids = [o.id for o in orgs]
    assert shown(board) == per_org(gateway, org_ids) and len(org_ids) > 200  # three pages fed


def test_a_rate_limited_round_waits_as_scalekit_asks_and_fails_no_organization(
    emulator: Emulator, settings: Settings, tmp_path: Path
) -> None:
    with Emulator(orgs=12, seed=9, readings=["rate-limit=5"]) as emu:
        gateway = ScalekitGateway.connect(settings, emu.env_url, emu.client_id, emu.client_secret)
        history = History(f"sqlite:///{tmp_path}/h.db")
        waits: list[float] = []

        def wait(seconds: float) -> None:  # the emulator's minute passes at once
            waits.append(seconds)
            emu.control.advance_clock(seconds)

        worker = Worker(gateway, history, "emulator", sleep=wait)
        worker.run_once()
        statuses = history.statuses.load("emulator")
        assert len(statuses) == 12  # every organization, although 5 calls a minute is far too few
        assert history.sweepers.state("emulator").problem is None
        assert waits and all(1 <= w <= 62 for w in waits)  # Scalekit's retry-after, not a guess
        worker.release()
