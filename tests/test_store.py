"""The issuance history on real SQLite files."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from dashboard.store import MIGRATIONS, IssuanceStore, NewIssuance, StoreBusy, StoreError, fingerprint

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def new(link_id: str = "link-1", org: str = "org_1", when: dt.datetime = NOW, **extra: object) -> NewIssuance:
    values: dict = dict(
        link_id=link_id,
        organization_id=org,
        organization_name="Acme Corp",
        features=("sso", "dir_sync"),
        kind="shareable",
        issued_by="ana@portal.test",
        issued_at=when,
        expires_at=when + dt.timedelta(days=7),
        environment="emulator",
        link_fingerprint=fingerprint(f"http://portal/magicLink/{link_id}"),
    )
    values.update(extra)
    return NewIssuance(**values)


def test_round_trip_keeps_every_field_and_utc(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    saved = store.record_issuance(new(recipient_email="it@acme.com", note="SUP-1"))
    [loaded] = store.issuances_for_organization("emulator", "org_1")
    assert loaded == saved
    assert loaded.issued_at == NOW and loaded.issued_at.tzinfo is not None
    assert loaded.features == ("sso", "dir_sync")
    assert (loaded.recipient_email, loaded.note, loaded.status(NOW)) == ("it@acme.com", "SUP-1", "active")
    assert loaded.status(NOW + dt.timedelta(days=8)) == "expired"


def test_revocation_is_recorded_once(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    store.record_issuance(new())
    assert store.record_revocation("emulator", ["link-1"], "bo", NOW + dt.timedelta(hours=1)) == 1
    assert store.record_revocation("emulator", ["link-1"], "cy", NOW + dt.timedelta(hours=2)) == 0
    [row] = store.issuances_by_link_id("emulator", ["link-1"]).values()
    assert (row.revoked_by, row.revoked_at, row.status()) == ("bo", NOW + dt.timedelta(hours=1), "revoked")


def test_environments_never_mix(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    store.record_issuance(new(environment="acme.scalekit.dev"))
    store.record_issuance(new())
    assert len(store.issuances_for_organization("emulator", "org_1")) == 1
    assert (
        store.issuances_by_link_id("acme.scalekit.dev", ["link-1"])["link-1"].environment
        == "acme.scalekit.dev"
    )


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    raw = sqlite3.connect(tmp_path / "h.db")
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert raw.execute("SELECT version FROM schema_version").fetchone() == (len(MIGRATIONS),)


def test_upgrading_an_older_database_keeps_every_row(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    # Build a version-1 database the way version 1 of Portal Desk did, and fill it.
    old = IssuanceStore.__new__(IssuanceStore)
    old.url = url
    from dashboard.store import create_engine

    old.engine = create_engine(url)
    assert old.migrate(target=1) == 1
    for i in range(50):
        old.record_issuance(new(link_id=f"l{i}", when=NOW - dt.timedelta(days=i)))
    old.engine.dispose()
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT name FROM sqlite_master WHERE name = 'portal_event'").fetchone() is None
    raw.close()

    upgraded = IssuanceStore(url)
    assert upgraded.schema_version() == len(MIGRATIONS)
    rows = upgraded.issuances_for_organization("emulator", "org_1")
    assert sorted(r.link_id for r in rows) == sorted(f"l{i}" for i in range(50))
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT count(*) FROM portal_event").fetchone() == (0,)


def test_sixteen_threads_write_without_locking_errors(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/busy.db")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(200):
                store.record_issuance(new(link_id=f"t{n}-{i}", org=f"org_{n}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    raw = sqlite3.connect(tmp_path / "busy.db")
    assert raw.execute("SELECT count(*), count(DISTINCT link_id) FROM link_issuance").fetchone() == (
        3200,
        3200,
    )


def test_a_held_write_lock_is_a_clear_busy_error(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db", busy_timeout_s=0.2)
    holder = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"busy.*Try again"):
            store.record_issuance(new())
    finally:
        holder.execute("ROLLBACK")
    assert store.issuances_for_organization("emulator", "org_1") == []


def test_an_unwritable_database_is_a_clear_error(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    store.engine.dispose()
    read_only = IssuanceStore(f"sqlite:///file:{tmp_path}/h.db?mode=ro&uri=true")
    with pytest.raises(StoreError, match="not writable"):
        read_only.record_issuance(new())


def test_link_summaries_per_organization(tmp_path: Path) -> None:
    store = IssuanceStore(f"sqlite:///{tmp_path}/h.db")
    day = dt.timedelta(days=1)
    store.record_issuance(new("a", "org_1", NOW - 10 * day))  # expired
    store.record_issuance(new("b", "org_1", NOW - 1 * day, issued_by="bo"))  # active, latest
    store.record_issuance(new("c", "org_1", NOW - 2 * day))  # active, expires first
    store.record_issuance(new("p", "org_1", NOW, kind="embed"))  # a preview: not a link out
    store.record_issuance(new("d", "org_2", NOW - 3 * day))
    store.record_revocation("emulator", ["d"], "cy", NOW)
    store.record_issuance(new("e", "org_3", NOW, environment="acme.scalekit.dev"))
    summaries = store.link_summaries("emulator", NOW)
    assert set(summaries) == {"org_1", "org_2"}
    one, two = summaries["org_1"], summaries["org_2"]
    assert (one.active_links, one.next_expiry) == (2, NOW + 5 * day)
    assert (one.last_issued_by, one.last_issued_at) == ("bo", NOW - day)
    assert (two.active_links, two.next_expiry, two.last_revoked_at) == (0, None, NOW)
