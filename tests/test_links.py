"""Issuing and revoking links: Scalekit (the emulator, through the SDK) and the history in step."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from dashboard import links
from dashboard.emulator import Emulator, Fault
from dashboard.errors import NotFound, Unavailable
from dashboard.gateway import ScalekitGateway
from dashboard.store import REVOKED_OUTSIDE, IssuanceStore, StoreBusy, fingerprint


@pytest.fixture
def store(tmp_path: Path) -> IssuanceStore:
    return IssuanceStore(f"sqlite:///{tmp_path}/history.db")


def issue(gateway: ScalekitGateway, store: IssuanceStore, org_id: str, **extra: object) -> links.IssuedLink:
    values: dict = dict(
        environment="emulator",
        organization=gateway.get_organization(org_id),
        features=["sso"],
        operator="ana@portal.test",
    )
    values.update(extra)
    return links.issue_link(gateway, store, **values)


def test_issue_records_what_scalekit_returned(
    gateway: ScalekitGateway, store: IssuanceStore, org_id: str
) -> None:
    issued = issue(
        gateway, store, org_id, features=["dir_sync", "sso"], recipient_email=" it@acme.com ", note=" SUP-7 "
    )
    row = issued.issuance
    assert (row.link_id, row.organization_id, row.organization_name) == (
        issued.link.id,
        org_id,
        "Fixture Org",
    )
    assert (row.features, row.kind, row.issued_by) == (("sso", "dir_sync"), "shareable", "ana@portal.test")
    assert (row.recipient_email, row.note, row.environment) == ("it@acme.com", "SUP-7", "emulator")
    assert row.expires_at == issued.link.expires_at
    assert row.link_fingerprint == fingerprint(issued.link.location)
    assert not issued.short_lived


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"operator": None}, "who you are"),
        ({"organization": None}, "Choose an organization"),
        ({"features": []}, "at least one feature"),
        ({"recipient_email": "bob@"}, "not a valid email"),
        ({"recipient_email": "bob smith@acme.com"}, "not a valid email"),
        ({"note": "x" * 501}, "keep it to 500 at most"),
    ],
)
def test_bad_input_changes_nothing(
    gateway: ScalekitGateway, store: IssuanceStore, org_id: str, change: dict, message: str
) -> None:
    with pytest.raises(links.InvalidInput, match=message):
        issue(gateway, store, org_id, **change)
    assert gateway.list_portal_links(org_id) == []
    assert store.issuances_for_organization("emulator", org_id) == []


def test_scalekit_failures_record_nothing(
    emulator: Emulator, gateway: ScalekitGateway, store: IssuanceStore, org_id: str
) -> None:
    emulator.inject_fault(Fault(method="GeneratePortalLink", code="UNAVAILABLE"))
    with pytest.raises(Unavailable):
        issue(gateway, store, org_id)
    assert store.issuances_for_organization("emulator", org_id) == []


def test_a_failed_record_revokes_the_new_link(tmp_path: Path, gateway: ScalekitGateway, org_id: str) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/locked.db", busy_timeout_s=0.2)
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        with pytest.raises(StoreBusy, match="revoked at Scalekit"):
            issue(gateway, store, org_id)
    finally:
        holder.execute("ROLLBACK")
    assert gateway.list_portal_links(org_id) == []  # no link exists that the history doesn't know


def test_revoke_records_who_and_removes_the_link(
    gateway: ScalekitGateway, store: IssuanceStore, org_id: str
) -> None:
    issued = issue(gateway, store, org_id)
    links.revoke_link(
        gateway,
        store,
        environment="emulator",
        org_id=org_id,
        link_id=issued.link.id,
        operator="bo@portal.test",
    )
    assert gateway.list_portal_links(org_id) == []
    [row] = store.issuances_for_organization("emulator", org_id)
    assert row.revoked_by == "bo@portal.test" and row.status() == "revoked"
    with pytest.raises(NotFound, match="no longer active"):
        links.revoke_link(
            gateway,
            store,
            environment="emulator",
            org_id=org_id,
            link_id=issued.link.id,
            operator="bo@portal.test",
        )


def test_links_revoked_outside_show_as_such(
    gateway: ScalekitGateway, store: IssuanceStore, org_id: str
) -> None:
    kept = issue(gateway, store, org_id)
    gone = issue(gateway, store, org_id)
    gateway.revoke_portal_link(org_id, gone.link.id)  # e.g. from Scalekit's dashboard
    foreign = gateway.generate_portal_link(org_id, ["sso"])  # issued outside Portal Desk
    rows = links.active_links(gateway, store, environment="emulator", org_id=org_id)
    assert {r.link_id for r in rows} == {kept.link.id, foreign.id}
    assert next(r for r in rows if r.link_id == foreign.id).issuance is None
    revoked = store.issuances_by_link_id("emulator", [gone.link.id])[gone.link.id]
    assert (revoked.status(), revoked.revoked_by) == ("revoked", REVOKED_OUTSIDE)


def test_short_lived_links_are_flagged(
    emulator: Emulator, gateway: ScalekitGateway, store: IssuanceStore, org_id: str
) -> None:
    emulator.backend.link_ttl = dt.timedelta(minutes=1)
    try:
        assert issue(gateway, store, org_id).short_lived
    finally:
        emulator.backend.link_ttl = dt.timedelta(days=7)


def test_no_location_reaches_the_database_files(
    gateway: ScalekitGateway, store: IssuanceStore, org_id: str, tmp_path: Path
) -> None:
    issued = [issue(gateway, store, org_id, note=f"n{i}") for i in range(5)]
    links.revoke_link(
        gateway, store, environment="emulator", org_id=org_id, link_id=issued[0].link.id, operator="bo"
    )
    files = list(tmp_path.glob("history.db*"))
    assert any(f.name.endswith("-wal") for f in files)
    blob = b"".join(f.read_bytes() for f in files)
    assert issued[0].link.id.encode() in blob  # the ids are there, so the scan sees real content
    for item in issued:
        assert item.link.location.encode() not in blob
        assert item.link.location.split("/magicLink/")[0].encode() + b"/magicLink" not in blob
