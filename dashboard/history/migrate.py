"""Bringing a history database to the shape this Portal Desk expects, with Alembic.

- A new database (SQLite or PostgreSQL): Alembic builds it from its first revision.
- A SQLite file from before Alembic (a ``schema_version`` table counting the steps in
  ``legacy.py``): those steps bring it to the baseline, every row kept; it is stamped at the
  baseline revision and goes on like any database.
- A database at a revision this code does not know was written by a newer Portal Desk: refused,
  untouched.

It all happens in one transaction that holds the database's write lock (SQLite's BEGIN
IMMEDIATE; on PostgreSQL an advisory lock), so a dashboard and a relay starting together never
migrate twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from ..errors import StoreError
from .database import writing
from .legacy import LEGACY

SCRIPTS = Path(__file__).parent / "migrations"
BASELINE = "0001"  # what a legacy file, brought up to date, is stamped as
LOCK_KEY = 7_316_002  # PostgreSQL advisory lock: "Portal Desk migrates"
log = logging.getLogger("portal_desk")


@dataclass(frozen=True)
class Upgrade:
    before: str  # "new", "legacy v4", or a revision
    after: str  # the revision now

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def head() -> str:
    heads = ScriptDirectory(str(SCRIPTS)).get_heads()
    assert len(heads) == 1, "the history's revisions must form one line"
    return heads[0]


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _legacy_version(conn: Connection) -> int | None:
    if not sa.inspect(conn).has_table("schema_version"):
        return None
    return int(conn.exec_driver_sql("SELECT version FROM schema_version").scalar_one())


def upgrade(engine: Engine) -> Upgrade:
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        known = {s.revision for s in ScriptDirectory(str(SCRIPTS)).walk_revisions()}
        found = current(conn)
        if found is not None and found not in known:
            raise StoreError(
                f"This history database was written by a newer Portal Desk (revision {found}; this one "
                f"knows up to {head()}). Upgrade Portal Desk, or point DASHBOARD_DATABASE_URL at another "
                "database. Nothing was changed."
            )
        legacy = _legacy_version(conn) if found is None else None
        if legacy is not None:
            if legacy > len(LEGACY):
                raise StoreError(
                    f"This history file was written by a newer Portal Desk (schema version {legacy}). "
                    "Upgrade Portal Desk, or point DASHBOARD_DATABASE_URL at another database. Nothing "
                    "was changed."
                )
            for step in LEGACY[legacy:]:
                step(conn)
            conn.exec_driver_sql("DROP TABLE schema_version")
            command.stamp(_config(conn), BASELINE)
            found = BASELINE
        before = (
            "new"
            if found is None and legacy is None
            else (f"legacy v{legacy}" if legacy is not None else found)
        )
        command.upgrade(_config(conn), "head")
        after = current(conn) or ""
    done = Upgrade(before or "", after)
    if done.changed:
        log.warning("Portal Desk upgraded its history database: %s -> %s", done.before, done.after)
    return done
