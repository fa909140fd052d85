"""Minting portal links: Scalekit (the emulator, through the SDK) and the history in step."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from dashboard import links
from dashboard.errors import InvalidInput, InvalidRequest, NotPermitted, StoreBusy, TimedOut, Unavailable
from dashboard.gateway import ScalekitGateway
from dashboard.history import History, fingerprint
from scalekit_emulator import Emulator, Fault

from .dump import everything
from .people import ANA, NOBODY, VIV


def open_now(gateway: ScalekitGateway, history: History, org_id: str, **extra: object) -> links.MintedLink:
    values: dict = dict(
        environment="emulator",
        organization=gateway.get_organization(org_id),
        features=["sso"],
        operator=ANA,
    )
    values.update(extra)
    return links.open_now(gateway, history, **values)


def test_a_direct_link_is_recorded_with_what_scalekit_returned(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    minted = open_now(gateway, history, org_id, features=["dir_sync", "sso"])
    row = minted.record
    assert (row.kind, row.state, row.issued_by, row.features) == (
        "direct",
        "minted",
        "ana@portal.test",
        ("sso", "dir_sync"),
    )
    assert (row.link_id, row.expires_at) == (minted.link.id, minted.link.expires_at)
    assert row.link_fingerprint == fingerprint(minted.link.location)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"operator": NOBODY}, "Sign in"),
        ({"operator": VIV}, "cannot open the portal for a call"),
        ({"organization": None}, "Choose an organization"),
        ({"features": []}, "at least one feature"),
    ],
)
def test_bad_input_changes_nothing(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str, change: dict, message: str
) -> None:
    with pytest.raises((InvalidInput, NotPermitted), match=message):
        open_now(gateway, history, org_id, **change)
    assert emulator.backends.portal.live_links(org_id) == []
    assert history.links.for_organization("emulator", org_id) == []


def test_a_feature_switched_off_is_refused_before_scalekit_is_asked(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    gateway.update_organization_settings(org_id, dir_sync=False)
    with pytest.raises(InvalidInput, match="Directory sync is switched off"):
        open_now(gateway, history, org_id, features=["sso", "dir_sync"])
    assert history.links.for_organization("emulator", org_id) == []


def test_a_refusal_from_scalekit_is_recorded_as_failed(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code="INVALID_ARGUMENT"))
    with pytest.raises(InvalidRequest):
        open_now(gateway, history, org_id)
    [row] = history.links.for_organization("emulator", org_id)
    assert (row.state, row.link_id) == ("failed", None)


def test_no_answer_leaves_a_pending_row_that_closes_as_unknown(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    # The link may exist at Scalekit: the history says so, and that it can't be opened after its minute.
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", delay_seconds=2.5, times=1))
    with pytest.raises(TimedOut):
        open_now(gateway, history, org_id)
    [row] = history.links.for_organization("emulator", org_id)
    assert row.state == "pending"
    history.links.sweep(row.issued_at + history_grace())
    assert history.links.get(row.id).state == "unknown"


def history_grace():
    from dashboard.history.links import PENDING_GRACE

    return PENDING_GRACE * 1.01


def test_an_outage_is_pending_too_never_silently_lost(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code="UNAVAILABLE", times=5))
    with pytest.raises(Unavailable):
        open_now(gateway, history, org_id)
    assert [r.state for r in history.links.for_organization("emulator", org_id)] == ["pending"]


def test_a_history_that_cannot_write_first_means_no_link_at_all(
    emulator: Emulator, tmp_path: Path, gateway: ScalekitGateway, org_id: str
) -> None:
    history = History(f"sqlite:///{tmp_path}/locked.db", busy_timeout_s=0.2)
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        with pytest.raises(StoreBusy):
            open_now(gateway, history, org_id)
    finally:
        holder.execute("ROLLBACK")
    assert emulator.backends.portal.live_links(org_id) == []  # Scalekit was never asked


def test_a_failed_record_after_the_mint_revokes_the_new_link(
    emulator: Emulator, tmp_path: Path, gateway: ScalekitGateway, org_id: str
) -> None:
    history = History(f"sqlite:///{tmp_path}/locked.db", busy_timeout_s=0.2)
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", delay_seconds=1.0, times=1))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock_once_pending() -> None:
        raw = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        while raw.execute("SELECT count(*) FROM link_issuance WHERE state = 'pending'").fetchone() != (1,):
            time.sleep(0.01)
        raw.execute("BEGIN IMMEDIATE")  # Scalekit is still thinking: the record of its answer will fail
        locked.set()
        release.wait(10)
        raw.execute("ROLLBACK")

    holder = threading.Thread(target=hold_the_lock_once_pending)
    holder.start()
    try:
        with pytest.raises(StoreBusy, match="revoked at Scalekit"):
            open_now(gateway, history, org_id)
        assert locked.is_set()
    finally:
        release.set()
        holder.join()
    assert emulator.backends.portal.live_links(org_id) == []  # no link exists that the history doesn't know


def test_no_location_reaches_the_database_files(
    gateway: ScalekitGateway, history: History, org_id: str, tmp_path: Path
) -> None:
    minted = [open_now(gateway, history, org_id) for _ in range(5)]
    text = everything(history)  # what anyone with the database can read, on either database
    blob = text.encode()
    if history.engine.dialect.name == "sqlite":  # and the file's bytes, free pages and WAL included
        files = list(tmp_path.glob("history.db*"))
        assert any(f.name.endswith("-wal") for f in files)
        blob += b"".join(f.read_bytes() for f in files)
    assert minted[0].link.id in text  # the ids are there (for their minute): the scan sees real content
    for item in minted:
        assert item.link.location.encode() not in blob
        assert item.link.location.rsplit("/", 1)[1].encode() not in blob


def test_a_lost_answer_leaves_one_pending_row_for_the_one_link_scalekit_made(
    emulator: Emulator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    # lost-answer: GeneratePortalLink runs at Scalekit, then its answer never arrives. Retried by
    # the SDK, it would run again: a second link known, the first one not.
    emulator.control.set_readings(["lost-answer=GeneratePortalLink:1"])
    try:
        with pytest.raises(Unavailable, match="Try again"):
            open_now(gateway, history, org_id)
        made = emulator.backends.portal.live_links(org_id)
        rows = history.links.for_organization("emulator", org_id)
        assert len(made) == len(rows) == 1 and rows[0].state == "pending"
        history.links.sweep(rows[0].issued_at + history_grace())
        assert history.links.get(rows[0].id).state == "unknown"
        again = open_now(gateway, history, org_id)  # the next mint is answered
        assert again.record.state == "minted"
    finally:
        emulator.control.set_readings([])


def test_a_failed_record_never_revokes_a_link_scalekit_handed_back_to_another_mint(
    emulator: Emulator, tmp_path: Path, gateway: ScalekitGateway, org_id: str
) -> None:
    history = History(f"sqlite:///{tmp_path}/locked.db", busy_timeout_s=0.2)
    emulator.control.set_readings(["links-reusable"])
    try:
        first = open_now(gateway, history, org_id)  # recorded; nobody has opened it yet
        emulator.control.inject_fault(Fault(method="GeneratePortalLink", delay_seconds=1.0, times=1))
        locked, release = threading.Event(), threading.Event()

        def hold_the_lock_once_pending() -> None:
            raw = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
            query = "SELECT count(*) FROM link_issuance WHERE state = 'pending'"
            while raw.execute(query).fetchone() != (1,):
                time.sleep(0.01)
            raw.execute("BEGIN IMMEDIATE")  # the record of Scalekit's answer will fail; reads go on
            locked.set()
            release.wait(10)
            raw.execute("ROLLBACK")

        holder = threading.Thread(target=hold_the_lock_once_pending)
        holder.start()
        try:
            with pytest.raises(StoreBusy, match="belongs to another mint too"):
                open_now(gateway, history, org_id)
            assert locked.is_set()
        finally:
            release.set()
            holder.join()
        # The first mint's link (handed back to the second) still opens: it was not revoked under it.
        assert [link.id for link in emulator.backends.portal.live_links(org_id)] == [first.link.id]
    finally:
        emulator.control.set_readings([])
