"""Links minted at Scalekit through Portal Desk (table ``link_issuance``).

A mint is written as pending *before* GeneratePortalLink is called and completed after it, so a
time-out or a crash leaves a pending row, never a link the history does not know. A pending row
whose minute has passed is closed as "unknown": whatever happened, that link can no longer be
opened. A link's Scalekit id is kept for as long as a portal session it started may last (six
hours after its minute), so that revoking an invitation can end that session
(DeletePortalLinkByID), then forgotten. The id is not a credential: it cannot open a portal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..models import Activity, Feature, Invitation, Issuance, LinkKind, MintState, stored_features
from . import batched
from .activity import insert as record_activity
from .database import guard, writing
from .invitations import BY_ID, COUNT_OPEN, as_invitation
from .schema import link_issuance

c = link_issuance.c
# The mint's statements, built once: SQLAlchemy then reuses their compiled form and cache key.
_PENDING = link_issuance.insert().returning(link_issuance)  # parameters: LinkLog.values()
_COMPLETE = (
    link_issuance.update()
    .where(c.id == sa.bindparam("row_id", type_=c.id.type))
    .values(
        link_id=sa.bindparam("new_link_id", type_=c.link_id.type),
        expires_at=sa.bindparam("new_expires_at", type_=c.expires_at.type),
        link_fingerprint=sa.bindparam("new_fingerprint", type_=c.link_fingerprint.type),
        state=MintState.MINTED,
    )
    .returning(link_issuance)
)
# A link lives a minute; a pending mint older than this cannot have left anything openable.
PENDING_GRACE = dt.timedelta(minutes=2)
SWEEP_EVERY = dt.timedelta(seconds=30)
# A portal session lasts up to six hours from the open, and an open happens within the link's
# minute: past its expiry plus this, no session of that link can still run.
SESSION_LIFETIME = dt.timedelta(hours=6)


@dataclass(frozen=True)
class NewLink:
    organization_id: str
    organization_name: str
    features: tuple[Feature, ...]
    kind: LinkKind
    issued_by: str
    issued_at: dt.datetime
    environment: str
    recipient_email: str | None = None
    note: str | None = None
    invitation_id: int | None = None
    # Only for imported histories (demo, benchmarks): a finished mint and its position-named invitation.
    expires_at: dt.datetime | None = None
    link_fingerprint: str | None = None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    invitation_index: int | None = None


@dataclass(frozen=True)
class Completed:
    record: Issuance
    invitation: Invitation | None = None  # an invitation's open: after counting it, or as revoked


def _issuance(row: sa.Row[*tuple[Any, ...]]) -> Issuance:
    values = dict(row._mapping)
    return Issuance(
        **{
            **values,
            "features": stored_features(values["features"]),
            "kind": LinkKind(values["kind"]),
            "state": MintState(values["state"]),
        }
    )


class LinkLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._swept_at: dt.datetime | None = None

    @staticmethod
    def values(new: NewLink, invitation_ids: Sequence[int] = ()) -> dict[str, object]:
        values = dict(vars(new))  # shallow: asdict() copies each field deeply, slower than the insert's SQL
        index = values.pop("invitation_index")
        if index is not None:
            values["invitation_id"] = invitation_ids[index]
        finished = new.link_fingerprint is not None
        state = MintState.MINTED if finished else MintState.PENDING
        return {**values, "features": ",".join(new.features), "state": state}

    # -- the mint protocol -------------------------------------------------------------------

    def pending(self, new: NewLink) -> Issuance:
        """Write the mint before Scalekit is asked; returns the row to complete or fail."""
        values = self.values(new)
        with guard("record the link in the history"):
            return batched.write(self._engine, lambda conn: _issuance(conn.execute(_PENDING, values).one()))

    def minted(
        self,
        row_id: int,
        link_id: str,
        expires_at: dt.datetime | None,
        link_fingerprint: str,
        *,
        opened_at: dt.datetime | None = None,
        activity: Activity | None = None,
    ) -> Issuance:
        """Complete a mint (see ``complete``)."""
        return self.complete(
            row_id, link_id, expires_at, link_fingerprint, opened_at=opened_at, activity=activity
        ).record

    def complete(
        self,
        row_id: int,
        link_id: str,
        expires_at: dt.datetime | None,
        link_fingerprint: str,
        *,
        opened_at: dt.datetime | None = None,
        activity: Activity | None = None,
    ) -> Completed:
        """Complete a mint. For an invitation's open (``opened_at``), the open is counted in the
        same transaction, which also says whether a revoke landed while Scalekit was minting
        (the open is then not counted): the relay writes twice per open and reads once."""
        values: dict[str, object] = {"row_id": row_id, "new_link_id": link_id, "new_expires_at": expires_at}
        values["new_fingerprint"] = link_fingerprint

        def complete(conn: Connection) -> Completed:
            row = _issuance(conn.execute(_COMPLETE, values).one())
            found = None
            if opened_at is not None and row.invitation_id is not None:
                opened = {"invitation_id": row.invitation_id, "opened_at": opened_at}
                # Not counted: a revoke landed meanwhile; the invitation as the revoke left it.
                found = conn.execute(COUNT_OPEN, opened).first() or conn.execute(BY_ID, opened).first()
            if activity is not None:
                record_activity(conn, activity)
            return Completed(row, as_invitation(found) if found is not None else None)

        with guard("record the link in the history"):
            return batched.write(self._engine, complete)

    def failed(self, row_id: int) -> None:
        """Scalekit answered with an error: no link exists."""
        with guard("record the failed link"), writing(self._engine) as conn:
            conn.execute(link_issuance.update().where(c.id == row_id).values(state=MintState.FAILED))

    def sweep_if_due(self, now: dt.datetime) -> None:
        """Sweep at most every SWEEP_EVERY per process: minting calls this, so no timer is needed."""
        if self._swept_at is None or now - self._swept_at >= SWEEP_EVERY:
            self._swept_at = now
            self.sweep(now)

    def sweep(self, now: dt.datetime) -> None:
        """Forget the ids of links that can no longer back a portal session; close stale pending
        mints. A link whose expiry Scalekit did not say is counted from its issue."""
        with guard("tidy the link history"), writing(self._engine) as conn:
            conn.execute(
                link_issuance.update().where(c.link_id.is_not(None), _ended(now)).values(link_id=None)
            )
            conn.execute(
                link_issuance.update()
                .where(c.state == MintState.PENDING, c.issued_at < now - PENDING_GRACE)
                .values(state=MintState.UNKNOWN)
            )

    def revoked(self, row_ids: Iterable[int], revoked_by: str, revoked_at: dt.datetime) -> int:
        """Mark links revoked (once: an earlier revocation is kept); their ids are forgotten."""
        ids = list(row_ids)
        if not ids:
            return 0
        statement = (
            link_issuance.update()
            .where(c.id.in_(ids), c.revoked_at.is_(None))
            .values(revoked_at=revoked_at, revoked_by=revoked_by, link_id=None)
        )
        with guard("record the revocation in the history"), writing(self._engine) as conn:
            return conn.execute(statement).rowcount

    # -- reads -------------------------------------------------------------------------------

    def _select(self, action: str, statement: sa.Select[*tuple[Any, ...]]) -> list[Issuance]:
        with guard(action), self._engine.connect() as conn:
            return [_issuance(row) for row in conn.execute(statement)]

    def get(self, row_id: int) -> Issuance | None:
        found = self._select("read the link history", sa.select(link_issuance).where(c.id == row_id))
        return found[0] if found else None

    def for_organization(self, environment: str, org_id: str, limit: int | None = None) -> list[Issuance]:
        """This organization's links, newest first."""
        statement = (
            sa.select(link_issuance)
            .where(c.environment == environment, c.organization_id == org_id)
            .order_by(c.issued_at.desc(), c.id.desc())
            .limit(limit)
        )
        return self._select("read the organization's link history", statement)

    def revocable(
        self, environment: str, now: dt.datetime, *, invitation_id: int | None = None
    ) -> list[Issuance]:
        """Links that may still be opened or back a portal session (of one invitation): their id
        is kept, they are not revoked, and their minute ended less than six hours ago."""
        where = [
            c.environment == environment,
            c.link_id.is_not(None),
            c.revoked_at.is_(None),
            sa.not_(_ended(now)),
        ]
        if invitation_id is not None:
            where.append(c.invitation_id == invitation_id)
        return self._select("read the live links", sa.select(link_issuance).where(*where))

    def shared(self, link_ids: Iterable[str], besides: Iterable[int]) -> set[str]:
        """Which of these link ids another unrevoked mint (not among ``besides``) also holds.
        Under the links-reusable reading Scalekit may hand one link back to several mints."""
        ids, rows = list(link_ids), list(besides)
        if not ids:
            return set()
        statement = sa.select(c.link_id).where(c.link_id.in_(ids), c.id.not_in(rows), c.revoked_at.is_(None))
        with guard("read the live links"), self._engine.connect() as conn:
            return {row.link_id for row in conn.execute(statement)}


def _ended(now: dt.datetime) -> sa.ColumnElement[bool]:
    """No session of the link can run any more: its minute ended over six hours ago."""
    return sa.func.coalesce(c.expires_at, c.issued_at) <= now - SESSION_LIFETIME
