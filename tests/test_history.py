"""The history database on real SQLite files: links, invitations, events, migrations, concurrency."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.errors import StoreBusy, StoreError
from dashboard.history import History, NewInvitation, NewLink, database, fingerprint
from dashboard.history.database import writing
from dashboard.history.legacy import LEGACY
from dashboard.history.migrate import head
from dashboard.models import PortalEvent

from .dump import everything

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def new_link(org: str = "org_1", when: dt.datetime = NOW, **extra: object) -> NewLink:
    values: dict = dict(
        organization_id=org,
        organization_name="Acme Corp",
        features=("sso", "dir_sync"),
        kind="direct",
        issued_by="ana@portal.test",
        issued_at=when,
        environment="emulator",
    )
    values.update(extra)
    return NewLink(**values)


def new_invitation(
    org: str = "org_1", when: dt.datetime = NOW, token: str = "t", **extra: object
) -> NewInvitation:
    values: dict = dict(
        token_hash=fingerprint(token),
        environment="emulator",
        organization_id=org,
        organization_name="Acme Corp",
        features=("sso",),
        issued_by="ana@portal.test",
        issued_at=when,
        expires_at=when + 7 * DAY,
    )
    values.update(extra)
    return NewInvitation(**values)


def test_a_mint_is_pending_before_scalekit_answers_then_minted(history: History) -> None:
    pending = history.links.pending(new_link())
    assert (pending.state, pending.link_id, pending.link_fingerprint, pending.status(NOW)) == (
        "pending",
        None,
        None,
        "pending",
    )
    minted = history.links.minted(
        pending.id, "lnk_1", NOW + dt.timedelta(minutes=1), fingerprint("https://x/y")
    )
    assert (minted.state, minted.link_id, minted.status(NOW)) == ("minted", "lnk_1", "active")
    assert minted.issued_at == NOW and minted.issued_at.tzinfo is not None
    assert history.links.for_organization("emulator", "org_1") == [minted]


def test_the_sweep_keeps_link_ids_for_a_session_and_closes_stale_pending_mints(history: History) -> None:
    live = history.links.minted(
        history.links.pending(new_link()).id, "lnk_a", NOW + dt.timedelta(minutes=1), "f" * 64
    )
    lost = history.links.pending(new_link())
    refused = history.links.pending(new_link())
    history.links.failed(refused.id)
    history.links.sweep(NOW + dt.timedelta(seconds=30))
    assert history.links.get(live.id).link_id == "lnk_a" and history.links.get(lost.id).state == "pending"
    history.links.sweep(NOW + dt.timedelta(minutes=3))
    # Its minute is over, but a session it started may run six hours: revoking must reach it.
    assert history.links.get(live.id).link_id == "lnk_a"
    assert history.links.revocable("emulator", NOW + dt.timedelta(hours=6)) == [history.links.get(live.id)]
    assert history.links.get(lost.id).state == "unknown"
    assert history.links.get(refused.id).state == "failed"
    history.links.sweep(NOW + dt.timedelta(hours=6, minutes=2))
    assert history.links.get(live.id).link_id is None  # no session of it can run: the id goes
    assert history.links.revocable("emulator", NOW + dt.timedelta(hours=6, minutes=2)) == []


def test_revoked_links_are_recorded_once_and_lose_their_id(history: History) -> None:
    row = history.links.minted(
        history.links.pending(new_link()).id, "lnk_b", NOW + dt.timedelta(minutes=1), "f" * 64
    )
    assert history.links.revocable("emulator", NOW) == [row]
    assert history.links.revoked([row.id], "bo", NOW) == 1
    assert history.links.revoked([row.id], "cy", NOW + DAY) == 0
    again = history.links.get(row.id)
    assert (again.revoked_by, again.revoked_at, again.link_id, again.status(NOW)) == (
        "bo",
        NOW,
        None,
        "revoked",
    )
    assert history.links.revocable("emulator", NOW) == []


def test_an_invitation_keeps_only_its_tokens_hash_and_gets_a_reference(
    history: History, tmp_path: Path
) -> None:
    created = history.invitations.create(
        new_invitation(token="s3cret-token", recipient_email="it@acme.com", note="SUP-1")
    )
    assert created.reference == f"INV-{created.id:06d}"
    assert (created.status(NOW), created.open_count, created.recipient_email) == (
        "not opened",
        0,
        "it@acme.com",
    )
    assert history.invitations.by_token_hash(fingerprint("s3cret-token")) == created
    assert history.invitations.by_token_hash(fingerprint("other")) is None
    raw = everything(history).encode() + b"".join(f.read_bytes() for f in tmp_path.glob("history.db*"))
    assert b"s3cret-token" not in raw and b"SUP-1" in raw  # the scan sees real content


def test_opens_count_and_remember_first_and_last(history: History) -> None:
    item = history.invitations.create(new_invitation())
    history.invitations.record_open(item.id, NOW + dt.timedelta(hours=2))
    opened = history.invitations.record_open(item.id, NOW + dt.timedelta(hours=5))
    assert (opened.open_count, opened.first_opened_at, opened.last_opened_at) == (
        2,
        NOW + dt.timedelta(hours=2),
        NOW + dt.timedelta(hours=5),
    )
    assert opened.status(NOW + dt.timedelta(hours=6)) == "opened"
    assert history.invitations.opened_since("emulator", NOW + dt.timedelta(hours=4)) == ["org_1"]
    assert history.invitations.opened_since("emulator", NOW + dt.timedelta(hours=6)) == []


def test_revoke_extend_replace_and_sent(history: History) -> None:
    item = history.invitations.create(new_invitation(token="first"))
    extended = history.invitations.extend("emulator", item.id, NOW + 20 * DAY)
    assert extended.expires_at == NOW + 20 * DAY
    replaced = history.invitations.replace_token("emulator", item.id, fingerprint("second"))
    assert replaced.id == item.id
    assert history.invitations.by_token_hash(fingerprint("first")) is None
    assert history.invitations.by_token_hash(fingerprint("second")).id == item.id
    assert history.invitations.mark_sent("emulator", item.id, NOW).sent_at == NOW
    revoked = history.invitations.revoke("emulator", item.id, "bo", NOW + DAY)
    assert (revoked.revoked_by, revoked.status()) == ("bo", "revoked")
    assert history.invitations.revoke("emulator", item.id, "cy", NOW + 2 * DAY) is None  # once
    assert history.invitations.extend("emulator", item.id, NOW + 30 * DAY) is None  # a revoked one stays so
    assert (
        history.invitations.revoke("acme.scalekit.dev", item.id, "cy", NOW) is None
    )  # environments never mix


def test_summaries_per_organization(history: History) -> None:
    history.invitations.create(new_invitation("org_1", NOW - 10 * DAY, token="a"))  # expired
    latest = history.invitations.create(new_invitation("org_1", NOW - DAY, token="b", issued_by="bo"))
    history.invitations.create(new_invitation("org_1", NOW - 2 * DAY, token="c"))  # usable, expires first
    history.invitations.record_open(latest.id, NOW - dt.timedelta(hours=3))
    revoked = history.invitations.create(new_invitation("org_2", NOW - 3 * DAY, token="d"))
    history.invitations.revoke("emulator", revoked.id, "cy", NOW)
    history.invitations.create(new_invitation("org_3", NOW, token="e", environment="acme.scalekit.dev"))
    summaries = history.invitations.summaries("emulator", NOW)
    assert set(summaries) == {"org_1", "org_2"}
    one, two = summaries["org_1"], summaries["org_2"]
    assert (one.usable, one.opened, one.next_expiry) == (2, 1, NOW + 5 * DAY)
    assert (one.last_issued_by, one.last_issued_at, one.last_opened_at) == (
        "bo",
        NOW - DAY,
        NOW - dt.timedelta(hours=3),
    )
    assert (two.usable, two.next_expiry, two.last_revoked_at) == (0, None, NOW)


def test_events_and_an_unreadable_payload(history: History) -> None:
    event = PortalEvent(
        "org_1", "ORGANIZATION_SSO_ENABLED", "SSO on", '{"message": "SSO on"}', NOW, "emulator"
    )
    history.events.record(event)
    history.events.record(
        PortalEvent("org_1", "ORGANIZATION_SSO_DISABLED", "", "{not json", NOW + DAY, "emulator")
    )
    newest, oldest = history.events.for_organization("emulator", "org_1")
    assert (newest.message, oldest.message) == ("Unreadable event", "SSO on")
    history.events.observe_sso_enabled("emulator", "org_1", NOW, "status")
    history.events.observe_sso_enabled("emulator", "org_1", NOW - DAY, "portal_event")  # earlier wins
    history.events.observe_sso_enabled("emulator", "org_1", NOW + DAY, "status")
    assert history.events.sso_enabled_at("emulator", "org_1") == (NOW - DAY, "portal_event")


def test_a_new_database_is_at_the_newest_revision(history: History, tmp_path: Path) -> None:
    assert history.revision() == head() and history.upgraded.before == "new"
    assert History(history.url).upgraded.before == head()  # opened again: nothing to do
    if history.engine.dialect.name == "sqlite":
        raw = sqlite3.connect(tmp_path / "history.db")
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_upgrading_a_version_four_database_keeps_every_row(tmp_path: Path) -> None:
    """A file written before Alembic, at the fourth of the legacy steps (an early release)."""
    url = f"sqlite:///{tmp_path}/old.db"
    old = History.__new__(History)
    from dashboard.history.database import create_engine

    old.engine = create_engine(url)
    with old.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (4)")
        for step in LEGACY[:4]:
            step(conn)
    with old.engine.begin() as conn:
        for i in range(50):
            issued = (NOW - dt.timedelta(days=i)).replace(tzinfo=None)
            conn.exec_driver_sql(
                "INSERT INTO link_issuance (link_id, organization_id, organization_name, features, kind, "
                "issued_by, issued_at, expires_at, environment, link_fingerprint) "
                "VALUES (?, 'org_1', 'Acme', 'sso', 'shareable', 'ana', ?, ?, 'emulator', ?)",
                (f"legacy-{i}", issued, issued + 7 * DAY, "f" * 64),
            )
    old.close()

    upgraded = History(url)
    assert (upgraded.upgraded.before, upgraded.revision()) == ("legacy v4", head())
    rows = upgraded.links.for_organization("emulator", "org_1")
    assert (
        len(rows) == 50 and {r.kind for r in rows} == {"shareable"} and {r.state for r in rows} == {"minted"}
    )
    # Ids of links that can no longer be opened were forgotten; those still live were kept.
    assert {r.link_id for r in rows if r.expires_at <= dt.datetime.now(dt.UTC)} == {None}
    raw = sqlite3.connect(tmp_path / "old.db")
    assert raw.execute("SELECT count(*) FROM invitation").fetchone() == (0,)


@contextmanager
def loaded_machine(burners: int = 1) -> Iterator[None]:
    """CPU-burning processes for the block's duration: a loaded CI box, where SQLite's busy
    handler (sleeping 1, 2, 5 … 100 ms between tries) made waiters miss the lock's free moments."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(burners)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_sixteen_threads_write_without_locking_errors(history: History, tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(200):
                history.invitations.create(new_invitation(f"org_{n}", token=f"t{n}-{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    with loaded_machine():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    with history.engine.connect() as conn:
        counted = conn.exec_driver_sql("SELECT count(*), count(DISTINCT reference) FROM invitation").one()
    assert tuple(counted) == (3200, 3200)


def test_one_process_writes_wait_in_line_not_in_sqlites_busy_handler(tmp_path: Path) -> None:
    """While a write holds the file, the process's other writes wait on its lock for the file
    (woken when it frees) and never reach BEGIN IMMEDIATE, where SQLite's busy handler polls."""
    history = History(f"sqlite:///{tmp_path}/h.db")
    at_begin = 0
    count = threading.Lock()

    def began(conn: sa.Connection) -> None:
        nonlocal at_begin
        if conn.info.get("write"):
            with count:
                at_begin += 1

    sa.event.listen(history.engine, "begin", began, insert=True)  # before BEGIN IMMEDIATE is sent
    queued = getattr(database, "queued_writes", lambda engine: 0)
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with writing(history.engine):
            holding.set()
            release.wait(60)

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(30)
    writers = [
        threading.Thread(target=history.invitations.create, args=(new_invitation(f"org_{n}", token=f"q{n}"),))
        for n in range(6)
    ]
    try:
        for t in writers:
            t.start()
        for _ in range(600):  # every writer has got somewhere: to SQLite's BEGIN, or in line
            if at_begin + queued(history.engine) == 1 + len(writers):
                break
            threading.Event().wait(0.05)
        assert (at_begin, queued(history.engine)) == (1, len(writers))
    finally:
        release.set()
        first.join()
        for t in writers:
            t.join()
    assert len(history.invitations.for_organization("emulator", "org_5")) == 1


def test_a_write_in_progress_does_not_hold_up_reads(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db", busy_timeout_s=0.2)
    history.invitations.create(new_invitation(token="before"))
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with writing(history.engine):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(30)
        # A read meets no lock (WAL); a second write of this process waits in line, then is "busy".
        assert len(history.invitations.for_organization("emulator", "org_1")) == 1
        with pytest.raises(StoreBusy, match=r"busy.*Try again"):
            history.invitations.create(new_invitation(token="queued"))
    finally:
        release.set()
        thread.join()
    history.invitations.create(new_invitation(token="after"))
    assert len(history.invitations.for_organization("emulator", "org_1")) == 2


def test_a_held_write_lock_is_a_clear_busy_error(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db", busy_timeout_s=0.2)
    holder = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"busy.*Try again"):
            history.invitations.create(new_invitation())
    finally:
        holder.execute("ROLLBACK")
    assert history.invitations.for_organization("emulator", "org_1") == []


def test_an_unwritable_database_is_a_clear_error(tmp_path: Path) -> None:
    History(f"sqlite:///{tmp_path}/h.db").close()
    read_only = History(f"sqlite:///file:{tmp_path}/h.db?mode=ro&uri=true")
    with pytest.raises(StoreError, match="not writable"):
        read_only.invitations.create(new_invitation())


def test_on_postgresql_a_held_lock_is_a_clear_busy_error(postgres_url: str) -> None:
    history = History(postgres_url, busy_timeout_s=0.2)
    holder = sa.create_engine(postgres_url).connect()
    holder.exec_driver_sql("BEGIN")
    holder.exec_driver_sql("LOCK TABLE invitation IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(StoreBusy, match=r"busy.*Try again"):
            history.invitations.create(new_invitation())
    finally:
        holder.exec_driver_sql("ROLLBACK")
        holder.close()
    assert history.invitations.for_organization("emulator", "org_1") == []
    history.close()


def test_a_postgresql_server_that_does_not_answer_is_a_sentence_without_the_password() -> None:
    with pytest.raises(StoreError, match="does not answer") as refused:
        History("postgresql://desk:s3cret-pass@127.0.0.1:1/history")  # no driver named: psycopg 3
    assert "s3cret-pass" not in str(refused.value)


def test_close_leaves_no_connection_open_and_the_next_use_opens_one(history: History) -> None:
    history.invitations.create(new_invitation())
    assert history.engine.pool.checkedin() >= 1  # the read and write above left one pooled
    history.close()
    assert history.engine.pool.checkedin() == 0  # a PostgreSQL database can now be dropped
    assert len(history.invitations.for_organization("emulator", "org_1")) == 1
