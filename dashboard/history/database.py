"""The engine, transactions and error sentences of the history database.

SQLAlchemy Core over a database URL: SQLite by default, PostgreSQL (psycopg 3) when several
hosts share one history. SQLite runs in WAL mode and takes its write lock up front (BEGIN
IMMEDIATE). The writes of one process queue on a Python lock per database file: a waiting thread
sleeps until the lock is free and is woken then, where SQLite's busy handler polls (sleeping 1, 2,
5 … 100 ms), so under load its waiters piled up and missed the moment the lock freed. The busy
timeout stays for the other processes (the relay, a second dashboard). Reads take no lock: WAL
lets them run beside a write. PostgreSQL waits as long for a row lock, then says "busy" too.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from ..errors import ConfigError, StoreBusy, StoreError


def create_engine(url: str, busy_timeout_s: float = 10.0) -> Engine:
    """The engine for DASHBOARD_DATABASE_URL; a URL that cannot work is a ConfigError that says
    why (never echoing the URL: it may hold a password), and nothing is created on disk."""
    try:
        parsed = make_url(url)
        port = parsed.port
    except ArgumentError as exc:
        raise ConfigError(
            "DASHBOARD_DATABASE_URL is not a database URL. Use sqlite:///data/issuance.db (a file) or "
            "postgresql+psycopg://user:password@host/database."
        ) from exc
    except ValueError as exc:  # the port is not a number
        raise ConfigError(
            "DASHBOARD_DATABASE_URL has a port that is not a number. Write it as host:5432, or leave "
            "the port out for the default."
        ) from exc
    if port is not None and not 0 < port < 65536:
        raise ConfigError("DASHBOARD_DATABASE_URL has a port outside 1–65535. Write it as host:5432.")
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, the driver Portal Desk ships
    if not parsed.drivername.startswith("sqlite"):
        try:
            # lock_timeout: a write waiting that long for another's lock is "busy", as on SQLite.
            options = f"-c lock_timeout={int(busy_timeout_s * 1000)}"
            return sa.create_engine(
                parsed,
                pool_pre_ping=True,
                pool_size=10,
                max_overflow=20,
                connect_args={"options": options, "connect_timeout": 10}
                if parsed.drivername.endswith("psycopg")
                else {},
            )
        except (NoSuchModuleError, ImportError) as exc:
            raise ConfigError(
                f"DASHBOARD_DATABASE_URL asks for a database driver Portal Desk does not have "
                f"({parsed.drivername}). For PostgreSQL use postgresql+psycopg://…"
            ) from exc
    path = parsed.database or ""
    if parsed.query.get("uri") and path.startswith("file:"):
        path = path.removeprefix("file:")  # SQLite's URI form, e.g. read-only: file:/x.db?mode=ro
    if not path or path == ":memory:" or parsed.query.get("mode") == "memory":
        # Each connection would see its own empty database: the relay, the pages and the status
        # watcher would each keep a history of their own, and lose it on restart.
        raise ConfigError(
            "DASHBOARD_DATABASE_URL names an in-memory SQLite database, which every connection sees "
            "empty. Name a file, e.g. sqlite:///data/issuance.db."
        )
    if parsed.query.get("mode") != "ro":
        _private_file(Path(path))
    # As many connections kept as PostgreSQL's pool: the relay's threads (relay/app.py THREADS)
    # each find one open, where SQLite's default of five closed and reopened the rest.
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s}, pool_size=10, max_overflow=20)
    _queues[engine] = (_write_lock(path), busy_timeout_s)

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # SQLAlchemy's documented recipe for pysqlite: the driver stops issuing its own BEGIN,
        # so the "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode, much faster commits
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # Take the write lock at the start: a deferred transaction that upgrades to a writer
        # midway fails with "database is locked" at once, whatever the busy timeout says.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

    return engine


def _private_file(path: Path) -> None:
    """The folders Portal Desk creates (0700) and the database file (0600, made empty here, which
    SQLite takes as a new database). SQLite gives the -wal and -shm files it makes later the
    database file's own mode, so the three stay the owner's alone. Not a umask around the first
    connect: the umask belongs to the whole process, so other threads' files would change too
    while it is set. Existing files and folders keep their modes (an operator may share them)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=0o700, exist_ok=True)
        if not path.parent.is_dir():
            raise NotADirectoryError(20, "a file is where its folder should be")
    except OSError as exc:
        raise ConfigError(
            f"Portal Desk cannot create the folder for its history database ({path.parent}): "
            f"{exc.strerror or 'not possible here'}. Set DASHBOARD_DATABASE_URL to a writable place."
        ) from exc
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing history (or another process made it meanwhile)
    except OSError:
        pass  # SQLite says it on opening, as a sentence (guard: "not writable")


def _connection_problem(text: str) -> str | None:
    """What a failed PostgreSQL connection says, as the thing to change. libpq's texts (in
    English: the server's messages follow its lc_messages) all read "connection … failed", so
    the specific ones are asked first."""
    if "password authentication failed" in text or ("role" in text and "does not exist" in text):
        return "the history database refused its user or password. Check DASHBOARD_DATABASE_URL."
    if "database" in text and "does not exist" in text:
        return (
            "the database named in DASHBOARD_DATABASE_URL does not exist on its server. Create it "
            "(createdb, or CREATE DATABASE as an administrator), or correct its name in the URL."
        )
    if "does not support ssl" in text:
        return (
            "DASHBOARD_DATABASE_URL asks for TLS (sslmode) and the history database's server does not "
            "offer it. Enable TLS on the server, or set sslmode=prefer in the URL."
        )
    if "pg_hba.conf" in text and "no encryption" in text:
        return (
            "the history database's server accepts this user only over TLS. Add sslmode=require (or "
            "verify-full) to DASHBOARD_DATABASE_URL."
        )
    if "pg_hba.conf" in text and ("ssl encryption" in text or "gss encryption" in text):
        return (
            "the history database's server refuses this user over TLS. Set sslmode=disable in "
            "DASHBOARD_DATABASE_URL, or ask its administrator to allow TLS."
        )
    if "pg_hba.conf" in text:
        return (
            "the history database's server does not let this user in from this host (pg_hba.conf). "
            "Check DASHBOARD_DATABASE_URL, or ask its administrator."
        )
    if "resolve host" in text or "could not translate host name" in text:
        return "the history database's host name is not known here. Check the host in DASHBOARD_DATABASE_URL."
    if "connection" in text and ("refused" in text or "failed" in text or "timeout" in text):
        return (
            "the history database does not answer. Check DASHBOARD_DATABASE_URL and that the database "
            "server is running."
        )
    return None


@contextmanager
def guard(action: str) -> Iterator[None]:
    """Database errors become one sentence; the driver's text (SQL, paths, values) stays out."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text or "lock timeout" in text or "deadlock" in text:
            raise StoreBusy(
                f"The history database is busy, so Portal Desk could not {action}. Try again in a moment."
            ) from exc
        sentence = _connection_problem(text)
        if sentence:
            raise StoreError(f"Portal Desk could not {action}: {sentence}") from exc
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            raise StoreError(
                f"Portal Desk could not {action}: the history database is not writable. "
                "Check DASHBOARD_DATABASE_URL and the file's permissions."
            ) from exc
        raise StoreError(
            f"Portal Desk could not {action}: the history database failed ({type(exc.orig).__name__})."
        ) from exc
    except DatabaseError as exc:
        if "not a database" in str(exc.orig).lower() or "malformed" in str(exc.orig).lower():
            raise StoreError(
                f"Portal Desk could not {action}: the history file is not a database Portal Desk can "
                "read (damaged, or another kind of file). Point DASHBOARD_DATABASE_URL at the right file."
            ) from exc
        raise StoreError(
            f"Portal Desk could not {action}: the history database failed ({type(exc.orig).__name__})."
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(
            f"Portal Desk could not {action}: the history database failed ({type(exc).__name__})."
        ) from exc


class FairLock:
    """A lock taken in the order it was asked for. ``threading.Lock`` lets a thread that just
    released it take it again ahead of the sleepers, and under load one waiter can be passed
    over for seconds; here each waiter sleeps on a lock of its own, released to hand over."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # handed over by release()
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
            return True  # handed over just as the wait ran out: ours after all

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # still held: by the next in line now
            else:
                self._held = False


_write_locks: dict[str, FairLock] = {}  # per database file (its real path)
_write_locks_guard = threading.Lock()
_queues: weakref.WeakKeyDictionary[Engine, tuple[FairLock, float]] = weakref.WeakKeyDictionary()


def _write_lock(path: str) -> FairLock:
    """The one write queue of this process for a database file, whichever engine opens it."""
    key = os.path.realpath(path)
    with _write_locks_guard:
        return _write_locks.setdefault(key, FairLock())


def queues_writes(engine: Engine) -> bool:
    """Whether this process queues the engine's writes (SQLite) or the database does (PostgreSQL)."""
    return engine in _queues


def queued_writes(engine: Engine) -> int:
    """How many writes of this process wait in line for the engine's database file."""
    queue = _queues.get(engine)
    return queue[0].waiting if queue else 0


@contextmanager
def _queued(engine: Engine) -> Iterator[None]:
    queue = _queues.get(engine)
    if queue is None:  # PostgreSQL: its row locks queue the writers
        yield
        return
    lock, timeout_s = queue
    if not lock.acquire(timeout=timeout_s):
        # Said as SQLite says it, so guard() gives the same "busy" sentence.
        raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked (queued writes)"))
    try:
        yield
    finally:
        lock.release()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (on SQLite, holding the write lock from its first statement, after
    this process's other writes to the same file)."""
    with _queued(engine), engine.connect() as conn:
        conn.info["write"] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop("write", None)
