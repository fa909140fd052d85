"""The engine, transactions and error sentences of the history database.

SQLAlchemy Core over a database URL (SQLite by default). SQLite runs in WAL mode with a busy
timeout and takes its write lock up front (BEGIN IMMEDIATE), so concurrent Streamlit sessions
queue for a moment instead of failing with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import StoreBusy, StoreError


def create_engine(url: str, busy_timeout_s: float = 10.0) -> Engine:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    path = parsed.database or ""
    if parsed.query.get("uri") and path.startswith("file:"):
        path = path.removeprefix("file:")  # SQLite's URI form, e.g. read-only: file:/x.db?mode=ro
    if path and path != ":memory:" and parsed.query.get("mode") != "ro":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s})

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI objects
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


@contextmanager
def guard(action: str) -> Iterator[None]:
    """Database errors become one sentence; the driver's text (SQL, paths, values) stays out."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if "locked" in text or "busy" in text:
            raise StoreBusy(
                f"The history database is busy, so Portal Desk could not {action}. Try again in a moment."
            ) from exc
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            raise StoreError(
                f"Portal Desk could not {action}: the history database is not writable. "
                "Check DASHBOARD_DATABASE_URL and the file's permissions."
            ) from exc
        raise StoreError(
            f"Portal Desk could not {action}: the history database failed ({type(exc.orig).__name__})."
        ) from exc
    except SQLAlchemyError as exc:
        raise StoreError(
            f"Portal Desk could not {action}: the history database failed ({type(exc).__name__})."
        ) from exc


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (on SQLite, holding the write lock from its first statement)."""
    with engine.connect() as conn:
        conn.info["write"] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info.pop("write", None)
