"""What the worker reads to keep watch and tell: which organizations to poll often, and the
events worth a notification (an invitation's first open, one about to expire unopened, the
invitations behind an organization whose SSO was just switched on)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import Invitation
from .database import guard
from .schema import invitation, link_issuance, org_status, organization_listing

i, lk = invitation.c, link_issuance.c


def _invitations(rows: Iterable[sa.Row[*tuple[Any, ...]]]) -> list[Invitation]:
    found = []
    for row in rows:
        values = {k: v for k, v in row._mapping.items() if k != "token_hash"}
        found.append(
            Invitation(**{**values, "features": tuple(f for f in values["features"].split(",") if f)})
        )
    return found


class Watching:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def watch_list(self, environment: str, now: dt.datetime, recent: dt.timedelta) -> list[str]:
        """Organizations whose status may change any minute: an invitation that can still be
        opened, one opened lately, or a portal link (preview, call, open) minted lately."""
        since = now - recent
        open_or_recent = sa.select(i.organization_id).where(
            i.environment == environment,
            sa.or_(
                sa.and_(i.revoked_at.is_(None), i.expires_at > now),
                i.last_opened_at >= since,
            ),
        )
        minted = sa.select(lk.organization_id).where(lk.environment == environment, lk.issued_at >= since)
        statement = sa.union(open_or_recent, minted)
        with guard("read the watch list"), self._engine.connect() as conn:
            return sorted({row[0] for row in conn.execute(statement)})

    def unchecked(self, environment: str) -> list[str]:
        """Listed organizations with no status yet (new since the last round): fetched next."""
        o, s = organization_listing.c, org_status.c
        statement = (
            sa.select(o.id)
            .outerjoin(org_status, sa.and_(s.environment == o.environment, s.organization_id == o.id))
            .where(o.environment == environment, s.organization_id.is_(None))
            .order_by(o.position)
        )
        with guard("read the organization listing"), self._engine.connect() as conn:
            return [row.id for row in conn.execute(statement)]

    def first_opened_since(self, environment: str, since: dt.datetime) -> list[Invitation]:
        statement = sa.select(invitation).where(i.environment == environment, i.first_opened_at >= since)
        with guard("read the invitations"), self._engine.connect() as conn:
            return _invitations(conn.execute(statement))

    def expiring_unopened(self, environment: str, now: dt.datetime, within: dt.timedelta) -> list[Invitation]:
        statement = sa.select(invitation).where(
            i.environment == environment,
            i.revoked_at.is_(None),
            i.open_count == 0,
            i.expires_at > now,
            i.expires_at <= now + within,
        )
        with guard("read the invitations"), self._engine.connect() as conn:
            return _invitations(conn.execute(statement))

    def latest_per_rep(self, environment: str, organization_id: str, before: dt.datetime) -> list[Invitation]:
        """Each rep's latest invitation of the organization issued before ``before`` (whose reps
        to tell when its SSO goes live, and how long after their invitation)."""
        statement = (
            sa.select(invitation)
            .where(i.environment == environment, i.organization_id == organization_id, i.issued_at <= before)
            .order_by(i.issued_at.desc(), i.id.desc())
        )
        with guard("read the invitations"), self._engine.connect() as conn:
            latest: dict[str, Invitation] = {}
            for item in _invitations(conn.execute(statement)):
                latest.setdefault(item.issued_by, item)
        return list(latest.values())
