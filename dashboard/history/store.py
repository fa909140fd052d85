"""The one door to the history database: :class:`History` holds the engine, migrates it, and
hands out its parts (links, invitations, events); nothing outside this package touches the engine.

The schema is migrated by Alembic on open (``migrate.py``), on SQLite or PostgreSQL alike. A
portal link's location never reaches this package, nor an invitation's token: only their SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from ..errors import ConfigError
from ..models import Activity
from .activity import ActivityLog
from .database import create_engine, guard, writing
from .events import EventLog
from .invitations import InvitationBook, NewInvitation
from .links import LinkLog, NewLink
from .listing import OrganizationListing
from .migrate import Upgrade, current, upgrade
from .notifications import Notifications
from .owners import Owners
from .schema import (
    activity,
    invitation,
    link_issuance,
    metadata,
    org_status,
    organization_listing,
    sso_observation,
)
from .statuses import StatusSnapshot
from .sweepers import Sweepers
from .watching import Watching

EMULATOR = "emulator"  # the environment name of every emulator's rows


def fingerprint(secret: str) -> str:
    """What the history keeps of a location or a token: enough to match it, useless to open it."""
    return hashlib.sha256(secret.encode()).hexdigest()


class History:
    """Links, invitations and portal events of every environment Portal Desk has seen."""

    def __init__(self, url: str, busy_timeout_s: float = 10.0) -> None:
        self.url = url
        self.engine = create_engine(url, busy_timeout_s)
        with guard("open the history database"):
            self.migrate()
        self.links = LinkLog(self.engine)
        self.invitations = InvitationBook(self.engine)
        self.events = EventLog(self.engine)
        self.activity = ActivityLog(self.engine)
        self.statuses = StatusSnapshot(self.engine)
        self.listing = OrganizationListing(self.engine)
        self.sweepers = Sweepers(self.engine)
        self.notifications = Notifications(self.engine)
        self.watching = Watching(self.engine)
        self.owners = Owners(self.engine)

    def close(self) -> None:
        """Close every pooled connection (the next use opens new ones): a PostgreSQL database can
        then be dropped, and a SQLite file meets no connection of this process."""
        self.engine.dispose()

    # -- schema ------------------------------------------------------------------------------

    def revision(self) -> str:
        """The Alembic revision the database is at (migrate.py)."""
        with self.engine.connect() as conn:
            return current(conn) or ""

    def migrate(self) -> Upgrade:
        """Bring the database to this code's shape (migrate.py); a newer one is refused."""
        self.upgraded = upgrade(self.engine)
        return self.upgraded

    # -- reads for the stats -----------------------------------------------------------------

    def read(self, action: str, statement: sa.Executable) -> list[sa.Row[*tuple[Any, ...]]]:
        """Run a query composed elsewhere in this package (the stats); errors become sentences."""
        with guard(action), self.engine.connect() as conn:
            return list(conn.execute(statement))

    def stream(
        self, action: str, statement: sa.Executable, chunk: int = 5000
    ) -> Iterator[sa.Row[*tuple[Any, ...]]]:
        """Rows of a large query, fetched in chunks (CSV exports)."""
        with guard(action), self.engine.connect() as conn:
            yield from conn.execution_options(yield_per=chunk).execute(statement)

    def version(self) -> tuple[int, ...]:
        """Changes whenever something is issued, minted, opened (each open mints), seen enabled
        or done (revocations and extensions are logged): what a cache of figures is keyed on."""
        newest = [
            sa.select(sa.func.max(t.c.id)).scalar_subquery() for t in (invitation, link_issuance, activity)
        ]
        seen = sa.select(sa.func.count()).select_from(sso_observation).scalar_subquery()  # one row per org
        statement = sa.select(*newest, seen)
        with guard("read the history"), self.engine.connect() as conn:
            return tuple(value or 0 for value in conn.execute(statement).one())

    def board_version(self, environment: str) -> tuple[object, ...]:
        """Changes whenever the Organizations page's data may have: the listing, a status, an
        invitation issued, opened (each open mints), revoked or extended (both logged). One
        short query: pages ask it every few seconds and redraw only when it moved."""
        o, s = organization_listing.c, org_status.c
        listed, known = o.environment == environment, s.environment == environment
        figures = [
            sa.select(sa.func.count()).select_from(organization_listing).where(listed),
            sa.select(sa.func.max(o.listed_at)).where(listed),
            sa.select(sa.func.min(o.position)).where(listed),
            sa.select(sa.func.count()).select_from(org_status).where(known),
            sa.select(sa.func.max(s.fetched_at)).where(known),
            sa.select(sa.func.max(s.changed_at)).where(known),
            # The newest row of each, any environment's: read off the end of the table's own key
            # at once (one history serves one environment; another's news costs a redraw).
            *(sa.select(sa.func.max(t.c.id)) for t in (invitation, link_issuance, activity)),
        ]  # fmt: skip
        statement = sa.select(*(figure.scalar_subquery() for figure in figures))
        with guard("read the history"), self.engine.connect() as conn:
            return tuple(conn.execute(statement).one())

    # -- whole histories ---------------------------------------------------------------------

    def environments(self) -> list[str]:
        """Every environment the history holds rows of (issued items, activity, events, listings,
        statuses), in order."""
        tables = [t for t in metadata.sorted_tables if "environment" in t.c]
        union = sa.union(*(sa.select(t.c.environment) for t in tables)).subquery()
        statement = sa.select(union.c.environment).order_by(union.c.environment)
        with guard("read the history"), self.engine.connect() as conn:
            return [row.environment for row in conn.execute(statement)]

    def opened_for(self, emulator: bool) -> History:
        """This history, unless the emulator would open a live environment's records: without
        SCALEKIT_* anyone may sign in as a manager, so it must never show them."""
        live = [name for name in self.environments() if name != EMULATOR] if emulator else []
        if live:
            raise ConfigError(
                f"This history holds a live environment's records ({', '.join(live)}); the emulator "
                "must not share it: point DASHBOARD_DATABASE_URL at another file, or set SCALEKIT_* "
                "to open it on its environment."
            )
        return self

    def has_history(self, environment: str) -> bool:
        statements = [
            sa.select(table.c.id).where(table.c.environment == environment).limit(1)
            for table in (link_issuance, invitation)
        ]
        with guard("read the history"), self.engine.connect() as conn:
            return any(conn.execute(s).first() is not None for s in statements)

    def import_history(
        self,
        invitations: Sequence[NewInvitation],
        links: Sequence[NewLink],
        observations: Sequence[tuple[str, str, object, str]],
        activities: Sequence[Activity] = (),
    ) -> None:
        """Bulk-load a history in one transaction (demo data and benchmarks). Each NewLink may
        name its invitation by position in ``invitations`` (``invitation_index``)."""
        with guard("import the history"), writing(self.engine) as conn:
            ids = [self.invitations.insert(conn, new) for new in invitations]
            rows = [self.links.values(new, ids) for new in links]
            if rows:
                conn.execute(link_issuance.insert(), rows)
            seen = [
                {"environment": e, "organization_id": o, "enabled_at": t, "source": src}
                for e, o, t, src in observations
            ]
            if seen:
                conn.execute(sso_observation.insert(), seen)
            done = [{k: v for k, v in asdict(a).items() if k != "id"} for a in activities]
            if done:
                conn.execute(activity.insert(), done)
