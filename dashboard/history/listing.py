"""The organization listing (table ``organization_listing``): every organization as last listed,
in Scalekit's order, so a restart draws the Organizations table without listing them again (a
hundred pages for 10,000 organizations: seconds against a distant Scalekit)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import Organization
from .database import guard, writing
from .schema import organization_listing

c = organization_listing.c


class OrganizationListing:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, environment: str) -> tuple[list[Organization], dt.datetime] | None:
        """The last listing and when it was made; None when there is none."""
        statement = sa.select(organization_listing).where(c.environment == environment).order_by(c.position)
        with guard("read the organization listing"), self._engine.connect() as conn:
            rows = conn.execute(statement).all()
        if not rows:
            return None
        orgs = [
            Organization(
                id=row.id,
                display_name=row.display_name,
                external_id=row.external_id,
                region=row.region,
                created_at=row.created_at,
                updated_at=row.updated_at,
                sso_feature=row.sso_feature,
                dir_sync_feature=row.dir_sync_feature,
                metadata=tuple((str(k), str(v)) for k, v in json.loads(row.metadata).items()),
            )
            for row in rows
        ]
        return orgs, min(row.listed_at for row in rows)

    def save(self, environment: str, orgs: Sequence[Organization], listed_at: dt.datetime) -> None:
        """Replace the environment's listing with ``orgs``, in one transaction."""
        rows = [_row(environment, org, n, listed_at) for n, org in enumerate(orgs)]
        with guard("save the organization listing"), writing(self._engine) as conn:
            conn.execute(organization_listing.delete().where(c.environment == environment))
            if rows:
                conn.execute(organization_listing.insert(), rows)

    def put(self, environment: str, org: Organization, at: dt.datetime) -> None:
        """One organization created or changed from Portal Desk: in the listing at once (a new one
        first, as Scalekit lists newest first), before the worker lists again."""
        where = (c.environment == environment, c.id == org.id)
        with guard("update the organization listing"), writing(self._engine) as conn:
            position = conn.execute(sa.select(c.position).where(*where)).scalar_one_or_none()
            if position is None:
                low = conn.execute(sa.select(sa.func.min(c.position)).where(c.environment == environment))
                position = (low.scalar_one() or 0) - 1
            conn.execute(organization_listing.delete().where(*where))
            conn.execute(organization_listing.insert(), [_row(environment, org, position, at)])

    def drop(self, environment: str, org_id: str) -> None:
        """An organization deleted from Portal Desk leaves the listing at once."""
        with guard("update the organization listing"), writing(self._engine) as conn:
            conn.execute(organization_listing.delete().where(c.environment == environment, c.id == org_id))

    def version(self, environment: str) -> tuple[object, ...]:
        """Moves whenever what ``load`` returns may have changed (pages redraw on it)."""
        statement = sa.select(sa.func.count(), sa.func.max(c.listed_at), sa.func.min(c.position)).where(
            c.environment == environment
        )
        with guard("read the organization listing"), self._engine.connect() as conn:
            return tuple(conn.execute(statement).one())


def _row(environment: str, org: Organization, position: int, listed_at: dt.datetime) -> dict[str, object]:
    return {
        "environment": environment,
        "id": org.id,
        "position": position,
        "display_name": org.display_name,
        "external_id": org.external_id,
        "region": org.region,
        "created_at": org.created_at,
        "updated_at": org.updated_at,
        "sso_feature": org.sso_feature,
        "dir_sync_feature": org.dir_sync_feature,
        "metadata": json.dumps(dict(org.metadata)),
        "listed_at": listed_at,
    }
