"""Owners (table ``organization_owner``): the rep who looks after each organization, as someone
set it. A change and its activity entry are written in one transaction: both or neither."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import Activity
from . import dialects
from .activity import insert as insert_activity
from .database import guard, writing
from .schema import organization_owner

w = organization_owner.c


class Owners:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, environment: str) -> dict[str, str]:
        """Organization id -> owner, for every organization someone gave an owner."""
        statement = sa.select(w.organization_id, w.owner).where(w.environment == environment)
        with guard("read the owners"), self._engine.connect() as conn:
            return {row.organization_id: row.owner for row in conn.execute(statement)}

    def of(self, environment: str, organization_id: str) -> str | None:
        statement = sa.select(w.owner).where(
            w.environment == environment, w.organization_id == organization_id
        )
        with guard("read the owner"), self._engine.connect() as conn:
            return conn.execute(statement).scalar_one_or_none()

    def set(self, made: Activity, owner: str | None) -> None:
        """``owner`` for the organization ``made`` names (None: nobody), recorded as ``made``."""
        key = {"environment": made.environment, "organization_id": made.organization_id}
        with guard("record the owner"), writing(self._engine) as conn:
            if owner is None:
                conn.execute(
                    organization_owner.delete().where(
                        w.environment == made.environment, w.organization_id == made.organization_id
                    )
                )
            else:
                insert = dialects.insert(conn, organization_owner)
                row = {**key, "owner": owner, "set_by": made.actor, "set_at": made.at}
                conn.execute(
                    insert.values(**row).on_conflict_do_update(
                        index_elements=[w.environment, w.organization_id],
                        set_={"owner": owner, "set_by": made.actor, "set_at": made.at},
                    )
                )
            insert_activity(conn, made)
