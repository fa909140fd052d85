"""Invitations (table ``invitation``): the durable way in for a customer's IT admin.

Only the SHA-256 of an invitation's token is kept; the token itself is shown once, when the
invitation is created (or its token replaced), and is never written anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..models import Activity, Feature, Invitation, InvitationSummary, reference_for, stored_features
from .activity import insert as record_activity
from .database import guard, writing
from .schema import invitation, replaced_token

c = invitation.c


@dataclass(frozen=True)
class NewInvitation:
    token_hash: str
    environment: str
    organization_id: str
    organization_name: str
    features: tuple[Feature, ...]
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    recipient_email: str | None = None
    note: str | None = None
    # Only for imported histories (demo, benchmarks).
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    sent_at: dt.datetime | None = None
    first_opened_at: dt.datetime | None = None
    last_opened_at: dt.datetime | None = None
    open_count: int = 0


def count_open(invitation_id: int, at: dt.datetime) -> sa.Update:
    """One more open of the invitation, at ``at``; none once it is revoked (an open that raced
    the revoke ends on the revoked page, and is no open)."""
    return (
        invitation.update()
        .where(c.id == invitation_id, c.revoked_at.is_(None))
        .values(
            open_count=c.open_count + 1,
            first_opened_at=sa.func.coalesce(c.first_opened_at, at),
            last_opened_at=at,
        )
    )


# The relay's statements, built once: SQLAlchemy then reuses their compiled form and cache key
# (building a statement per call cost more than running it).
_OPENED_AT = sa.bindparam("opened_at", type_=c.last_opened_at.type)
COUNT_OPEN = (
    invitation.update()
    .where(c.id == sa.bindparam("invitation_id", type_=c.id.type), c.revoked_at.is_(None))
    .values(
        open_count=c.open_count + 1,
        first_opened_at=sa.func.coalesce(c.first_opened_at, _OPENED_AT),
        last_opened_at=_OPENED_AT,
    )
    .returning(invitation)
)  # parameters: invitation_id, opened_at (see count_open)
BY_ID = sa.select(invitation).where(c.id == sa.bindparam("invitation_id", type_=c.id.type))
_BY_TOKEN_HASH = sa.select(invitation).where(
    c.token_hash == sa.bindparam("token_hash", type_=c.token_hash.type)
)


def as_invitation(row: sa.Row[*tuple[Any, ...]]) -> Invitation:
    """An ``invitation`` row as the model (its token hash stays in the database)."""
    values = {k: v for k, v in row._mapping.items() if k != "token_hash"}
    return Invitation(**{**values, "features": stored_features(values["features"])})


_invitation = as_invitation


class InvitationBook:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- writes ------------------------------------------------------------------------------

    @staticmethod
    def insert(conn: Connection, new: NewInvitation) -> int:
        values = {**asdict(new), "features": ",".join(new.features)}
        new_id: int = conn.execute(invitation.insert().values(**values).returning(c.id)).scalar_one()
        conn.execute(invitation.update().where(c.id == new_id).values(reference=reference_for(new_id)))
        return new_id

    def create(self, new: NewInvitation, activity: Activity | None = None) -> Invitation:
        """Write the invitation (and, in the same transaction, the activity that made it)."""
        with guard("record the invitation in the history"), writing(self._engine) as conn:
            new_id = self.insert(conn, new)
            row = conn.execute(sa.select(invitation).where(c.id == new_id)).one()
            if activity is not None:
                record_activity(conn, activity, reference=row.reference)
        return _invitation(row)

    def _update(
        self,
        action: str,
        environment: str,
        invitation_id: int,
        *where: object,
        activity: Activity | None = None,
        **values: object,
    ) -> Invitation | None:
        statement = (
            invitation.update()
            .where(c.environment == environment, c.id == invitation_id, *where)  # type: ignore[arg-type]
            .values(**values)
            .returning(invitation)
        )
        with guard(action), writing(self._engine) as conn:
            row = conn.execute(statement).first()
            if row is not None and activity is not None:
                record_activity(conn, activity, reference=row.reference)
        return _invitation(row) if row is not None else None

    def revoke(
        self, environment: str, invitation_id: int, by: str, at: dt.datetime, activity: Activity | None = None
    ) -> Invitation | None:
        """Revoked once: None if it was revoked already (or does not exist)."""
        return self._update(
            "revoke the invitation",
            environment,
            invitation_id,
            c.revoked_at.is_(None),
            activity=activity,
            revoked_at=at,
            revoked_by=by,
        )

    def extend(
        self, environment: str, invitation_id: int, expires_at: dt.datetime, activity: Activity | None = None
    ) -> Invitation | None:
        return self._update(
            "extend the invitation",
            environment,
            invitation_id,
            c.revoked_at.is_(None),
            activity=activity,
            expires_at=expires_at,
        )

    def replace_token(
        self,
        environment: str,
        invitation_id: int,
        token_hash: str,
        activity: Activity | None = None,
        at: dt.datetime | None = None,
    ) -> Invitation | None:
        """A new token for the same invitation: the old URL stops working at once, and its hash is
        kept so that URL can say it was replaced."""
        usable = (c.environment == environment, c.id == invitation_id, c.revoked_at.is_(None))
        with guard("replace the invitation's link"), writing(self._engine) as conn:
            old = conn.execute(sa.select(c.token_hash).where(*usable)).scalar_one_or_none()
            if old is None:
                return None
            row = conn.execute(
                invitation.update().where(*usable).values(token_hash=token_hash).returning(invitation)
            ).one()
            conn.execute(
                replaced_token.insert().values(
                    token_hash=old,
                    invitation_id=invitation_id,
                    environment=environment,
                    replaced_at=at or dt.datetime.now(dt.UTC),
                )
            )
            if activity is not None:
                record_activity(conn, activity, reference=row.reference)
        return _invitation(row)

    def mark_sent(
        self, environment: str, invitation_id: int, at: dt.datetime, activity: Activity | None = None
    ) -> Invitation | None:
        return self._update(
            "record that the invitation was sent", environment, invitation_id, activity=activity, sent_at=at
        )

    def remind(
        self,
        environment: str,
        invitation_id: int,
        by: str,
        at: dt.datetime,
        activity: Activity | None = None,
    ) -> Invitation | None:
        """One more reminder, by ``by`` at ``at``; None once the invitation is revoked or expired
        (a reminder for a link that no longer opens would send the customer to a dead end)."""
        return self._update(
            "record the reminder",
            environment,
            invitation_id,
            c.revoked_at.is_(None),
            c.expires_at > at,
            activity=activity,
            reminder_count=c.reminder_count + 1,
            last_reminded_at=at,
            last_reminded_by=by,
        )

    def record_open(self, invitation_id: int, at: dt.datetime) -> Invitation:
        with guard("record the invitation's open"), writing(self._engine) as conn:
            return _invitation(conn.execute(count_open(invitation_id, at).returning(invitation)).one())

    # -- reads -------------------------------------------------------------------------------

    def _select(self, action: str, statement: sa.Select[*tuple[Any, ...]]) -> list[Invitation]:
        with guard(action), self._engine.connect() as conn:
            return [_invitation(row) for row in conn.execute(statement)]

    def by_token_hash(self, token_hash: str) -> Invitation | None:
        with guard("look the invitation up"), self._engine.connect() as conn:
            row = conn.execute(_BY_TOKEN_HASH, {"token_hash": token_hash}).first()
        return as_invitation(row) if row is not None else None

    def was_replaced(self, token_hash: str, environment: str) -> bool:
        """Whether a token with this hash belonged to an invitation before it got a new one."""
        statement = sa.select(replaced_token.c.token_hash).where(
            replaced_token.c.token_hash == token_hash, replaced_token.c.environment == environment
        )
        with guard("look the invitation up"), self._engine.connect() as conn:
            return conn.execute(statement).first() is not None

    def link_since(self, environment: str, invitation_id: int) -> dt.datetime | None:
        """When the invitation's current URL was made: its last "Resend with a new link", or None
        when it still has the URL it was created with (then it is ``issued_at``)."""
        r = replaced_token.c
        # type_coerce: an aggregate loses the column type, and the UTC conversion.
        latest = sa.type_coerce(sa.func.max(r.replaced_at), r.replaced_at.type)
        statement = sa.select(latest).where(r.environment == environment, r.invitation_id == invitation_id)
        with guard("read the invitation"), self._engine.connect() as conn:
            found: dt.datetime | None = conn.execute(statement).scalar_one_or_none()
        return found

    def get(self, environment: str, invitation_id: int) -> Invitation | None:
        statement = sa.select(invitation).where(c.environment == environment, c.id == invitation_id)
        found = self._select("read the invitation", statement)
        return found[0] if found else None

    def for_organization(self, environment: str, org_id: str, limit: int | None = None) -> list[Invitation]:
        """Newest first."""
        statement = (
            sa.select(invitation)
            .where(c.environment == environment, c.organization_id == org_id)
            .order_by(c.issued_at.desc(), c.id.desc())
            .limit(limit)
        )
        return self._select("read the organization's invitations", statement)

    def opened_since(self, environment: str, since: dt.datetime) -> list[str]:
        """Organizations with an invitation opened since then (their status is watched closely)."""
        statement = (
            sa.select(c.organization_id)
            .where(c.environment == environment, c.last_opened_at >= since)
            .distinct()
        )
        with guard("read recent invitation opens"), self._engine.connect() as conn:
            return [row.organization_id for row in conn.execute(statement)]

    def summaries(self, environment: str, now: dt.datetime) -> dict[str, InvitationSummary]:
        """Per organization: usable invitations, the soonest expiry, how many were opened, and the
        latest one issued. One query: window functions rank each organization's rows, so the
        database returns one row per organization instead of the whole history."""
        usable = sa.and_(c.revoked_at.is_(None), c.expires_at > now)
        org = c.organization_id
        ranked = (
            sa.select(
                c.organization_id,
                c.issued_by,
                c.issued_at,
                c.expires_at,
                c.revoked_at,
                c.open_count,
                sa.func.row_number()
                .over(partition_by=org, order_by=(c.issued_at.desc(), c.id.desc()))
                .label("rank"),
                sa.func.sum(sa.case((usable, 1), else_=0)).over(partition_by=org).label("usable"),
                sa.func.sum(sa.case((sa.and_(usable, c.open_count > 0), 1), else_=0))
                .over(partition_by=org)
                .label("opened"),
                # type_coerce: a CASE or an aggregate loses the column type, and the UTC conversion.
                sa.type_coerce(
                    sa.func.min(sa.case((usable, c.expires_at), else_=None)).over(partition_by=org),
                    invitation.c.expires_at.type,
                ).label("next_expiry"),
                sa.type_coerce(
                    sa.func.max(c.last_opened_at).over(partition_by=org), invitation.c.last_opened_at.type
                ).label("any_opened_at"),
            )
            .where(c.environment == environment)
            .subquery()
        )
        statement = sa.select(ranked).where(ranked.c.rank == 1)
        with guard("read the invitations"), self._engine.connect() as conn:
            rows = conn.execute(statement).all()
        return {
            row.organization_id: InvitationSummary(
                organization_id=row.organization_id,
                usable=int(row.usable or 0),
                next_expiry=row.next_expiry,
                opened=int(row.opened or 0),
                last_issued_at=row.issued_at,
                last_issued_by=row.issued_by,
                last_expires_at=row.expires_at,
                last_revoked_at=row.revoked_at,
                last_opened_at=row.any_opened_at,
                last_opened=bool(row.open_count),
            )
            for row in rows
        }
