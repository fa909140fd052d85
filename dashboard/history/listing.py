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
        rows = [
            {
                "environment": environment,
                "id": org.id,
                "position": n,
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
            for n, org in enumerate(orgs)
        ]
        with guard("save the organization listing"), writing(self._engine) as conn:
            conn.execute(organization_listing.delete().where(c.environment == environment))
            if rows:
                conn.execute(organization_listing.insert(), rows)
