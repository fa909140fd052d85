"""The issuance history: every database access in Portal Desk goes through this module.

SQLAlchemy Core over a database URL (SQLite by default). SQLite runs in WAL mode with a busy
timeout and takes its write lock up front (BEGIN IMMEDIATE), so concurrent Streamlit sessions
queue for a moment instead of failing with "database is locked". The schema is versioned:
``schema_version`` holds the number of migrations applied, and migrations only ever add.

A portal link's location never reaches this module: only its SHA-256 fingerprint does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.dialects.sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .errors import PortalDeskError
from .models import Issuance, LinkSummary, PortalEvent
from .schema import MIGRATIONS, UTCDateTime, link_issuance, portal_event, sso_observation

REVOKED_OUTSIDE = "outside Portal Desk"


class StoreError(PortalDeskError):
    """The history could not be read or written; the message says what to do."""


class StoreBusy(StoreError):
    pass


def fingerprint(location: str) -> str:
    """What the history keeps of a link's location: enough to match it, useless to open it."""
    return hashlib.sha256(location.encode()).hexdigest()


@dataclass(frozen=True)
class NewIssuance:
    link_id: str
    organization_id: str
    organization_name: str
    features: tuple[str, ...]
    kind: str
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    environment: str
    link_fingerprint: str
    recipient_email: str | None = None
    note: str | None = None


def _values(new: NewIssuance) -> dict[str, object]:
    return {**asdict(new), "features": ",".join(new.features)}


def _issuance(row: sa.Row) -> Issuance:
    # The table's columns are exactly Issuance's fields; only features is stored joined.
    return Issuance(**{**row._mapping, "features": tuple(f for f in row.features.split(",") if f)})


def create_engine(url: str, busy_timeout_s: float = 10.0) -> Engine:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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


class IssuanceStore:
    """Link issuance history and portal events for every environment Portal Desk has seen."""

    def __init__(self, url: str, busy_timeout_s: float = 10.0) -> None:
        self.url = url
        self.engine = create_engine(url, busy_timeout_s)
        with self.guard("open the issuance history"):
            self.migrate()

    # -- plumbing ----------------------------------------------------------------------------

    @contextmanager
    def guard(self, action: str) -> Iterator[None]:
        """Database errors become one sentence; the driver's text (SQL, paths) stays out."""
        try:
            yield
        except OperationalError as exc:
            text = str(exc.orig).lower()
            if "locked" in text or "busy" in text:
                raise StoreBusy(
                    f"The issuance history is busy, so Portal Desk could not {action}. Try again in a moment."
                ) from exc
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                raise StoreError(
                    f"Portal Desk could not {action}: the history database is not "
                    "writable. Check DASHBOARD_DATABASE_URL and the file's permissions."
                ) from exc
            raise StoreError(
                f"Portal Desk could not {action}: the history database failed ({type(exc.orig).__name__})."
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Portal Desk could not {action}: the history database failed ({type(exc).__name__})."
            ) from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("write", None)

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return self._version(conn)

    @staticmethod
    def _version(conn: Connection) -> int:
        if not sa.inspect(conn).has_table("schema_version"):
            return 0
        return conn.exec_driver_sql("SELECT version FROM schema_version").scalar_one()

    def migrate(self, target: int | None = None) -> int:
        """Apply pending migrations (up to ``target``), each in its own transaction."""
        target = len(MIGRATIONS) if target is None else target
        with self._write() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                conn.exec_driver_sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (0)")
        while (version := self.schema_version()) < target:
            with self._write() as conn:
                if self._version(conn) != version:
                    continue  # another process migrated meanwhile
                MIGRATIONS[version](conn)
                conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": version + 1})
        return self.schema_version()

    # -- writes ------------------------------------------------------------------------------

    def record_issuance(self, new: NewIssuance) -> Issuance:
        with self.guard("record the link in the issuance history"), self._write() as conn:
            row = conn.execute(link_issuance.insert().values(**_values(new)).returning(link_issuance)).one()
        return _issuance(row)

    def record_revocation(
        self, environment: str, link_ids: Iterable[str], revoked_by: str, revoked_at: dt.datetime
    ) -> int:
        """Mark links revoked (once: an earlier revocation is kept). Returns rows changed."""
        ids = list(link_ids)
        if not ids:
            return 0
        statement = (
            link_issuance.update()
            .where(
                link_issuance.c.environment == environment,
                link_issuance.c.link_id.in_(ids),
                link_issuance.c.revoked_at.is_(None),
            )
            .values(revoked_at=revoked_at, revoked_by=revoked_by)
        )
        with self.guard("record the revocation in the issuance history"), self._write() as conn:
            return conn.execute(statement).rowcount

    # -- reads -------------------------------------------------------------------------------

    def _select(self, action: str, statement: sa.Select) -> list[Issuance]:
        with self.guard(action), self.engine.connect() as conn:
            return [_issuance(row) for row in conn.execute(statement)]

    def issuances_for_organization(self, environment: str, org_id: str) -> list[Issuance]:
        """This organization's history, newest first."""
        statement = (
            sa.select(link_issuance)
            .where(link_issuance.c.environment == environment, link_issuance.c.organization_id == org_id)
            .order_by(link_issuance.c.issued_at.desc(), link_issuance.c.id.desc())
        )
        return self._select("read the organization's link history", statement)

    def issuances_by_link_id(self, environment: str, link_ids: Sequence[str]) -> dict[str, Issuance]:
        if not link_ids:
            return {}
        statement = sa.select(link_issuance).where(
            link_issuance.c.environment == environment, link_issuance.c.link_id.in_(list(link_ids))
        )
        return {i.link_id: i for i in self._select("read the link history", statement)}

    def link_summaries(self, environment: str, now: dt.datetime) -> dict[str, LinkSummary]:
        """Per organization: active shareable links, the soonest expiry, and the latest one issued.

        Only shareable links count: they are the ones out with a customer. Embed links are the
        preview's own single-use links. One query: window functions rank each organization's rows,
        so the database returns one row per organization instead of the whole history.
        """
        c = link_issuance.c
        active = sa.and_(c.revoked_at.is_(None), sa.or_(c.expires_at.is_(None), c.expires_at > now))
        by_org = {"partition_by": c.organization_id}
        ranked = (
            sa.select(
                c.organization_id,
                c.issued_by,
                c.issued_at,
                c.expires_at,
                c.revoked_at,
                sa.func.row_number().over(**by_org, order_by=(c.issued_at.desc(), c.id.desc())).label("rank"),
                sa.func.sum(sa.case((active, 1), else_=0)).over(**by_org).label("active_links"),
                # type_coerce: a CASE loses the column type, and with it the datetime conversion.
                sa.type_coerce(
                    sa.func.min(sa.case((active, c.expires_at), else_=None)).over(**by_org), UTCDateTime
                ).label("next_expiry"),
            )
            .where(c.environment == environment, c.kind == "shareable")
            .subquery()
        )
        statement = sa.select(ranked).where(ranked.c.rank == 1)
        with self.guard("read the link history"), self.engine.connect() as conn:
            rows = conn.execute(statement).all()
        return {
            row.organization_id: LinkSummary(
                organization_id=row.organization_id,
                active_links=int(row.active_links or 0),
                next_expiry=row.next_expiry,
                last_issued_at=row.issued_at,
                last_issued_by=row.issued_by,
                last_expires_at=row.expires_at,
                last_revoked_at=row.revoked_at,
            )
            for row in rows
        }

    # -- portal events -----------------------------------------------------------------------

    def record_portal_event(self, event: PortalEvent) -> PortalEvent:
        values = {
            "organization_id": event.organization_id,
            "event_type": event.event_type,
            "payload": event.payload,
            "received_at": event.received_at,
            "environment": event.environment,
        }
        with self.guard("record the portal event"), self._write() as conn:
            new_id = conn.execute(
                portal_event.insert().values(**values).returning(portal_event.c.id)
            ).scalar_one()
        return replace(event, id=new_id)

    def portal_events(self, environment: str, org_id: str) -> list[PortalEvent]:
        """This organization's portal events, newest first."""
        c = portal_event.c
        statement = (
            sa.select(portal_event)
            .where(c.environment == environment, c.organization_id == org_id)
            .order_by(c.received_at.desc(), c.id.desc())
        )
        with self.guard("read the portal events"), self.engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [
            PortalEvent(
                organization_id=row.organization_id,
                event_type=row.event_type,
                message=str(json.loads(row.payload).get("message") or ""),
                payload=row.payload,
                received_at=row.received_at,
                environment=row.environment,
                id=row.id,
            )
            for row in rows
        ]

    # -- SSO observations --------------------------------------------------------------------

    def observe_sso_enabled(
        self, environment: str, org_id: str, enabled_at: dt.datetime, source: str
    ) -> None:
        """Remember when SSO was first seen enabled; an earlier sighting replaces a later one."""
        insert = sa.dialects.sqlite.insert(sso_observation).values(
            environment=environment, organization_id=org_id, enabled_at=enabled_at, source=source
        )
        excluded = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=[sso_observation.c.environment, sso_observation.c.organization_id],
            set_={"enabled_at": excluded.enabled_at, "source": excluded.source},
            where=excluded.enabled_at < sso_observation.c.enabled_at,
        )
        with self.guard("record when SSO was enabled"), self._write() as conn:
            conn.execute(statement)

    def has_history(self, environment: str) -> bool:
        statement = sa.select(link_issuance.c.id).where(link_issuance.c.environment == environment).limit(1)
        with self.guard("read the link history"), self.engine.connect() as conn:
            return conn.execute(statement).first() is not None

    def import_history(
        self,
        issuances: Sequence[NewIssuance],
        revocations: dict[str, tuple[dt.datetime, str]],
        observations: Sequence[tuple[str, str, dt.datetime, str]],
    ) -> None:
        """Bulk-load a history in one transaction (demo data and benchmarks)."""
        rows = []
        for item in issuances:
            revoked_at, revoked_by = revocations.get(item.link_id, (None, None))
            rows.append({**_values(item), "revoked_at": revoked_at, "revoked_by": revoked_by})
        seen = [
            {"environment": e, "organization_id": o, "enabled_at": t, "source": src}
            for e, o, t, src in observations
        ]
        with self.guard("import the link history"), self._write() as conn:
            if rows:
                conn.execute(link_issuance.insert(), rows)
            if seen:
                conn.execute(sso_observation.insert(), seen)
