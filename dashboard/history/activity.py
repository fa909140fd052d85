"""The activity log (table ``activity``): who did what, when, to which organization."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..models import Activity, ActivityAction, Role
from .database import guard, writing
from .schema import activity

c = activity.c


def _activity(row: sa.Row[*tuple[Any, ...]]) -> Activity:
    return Activity(**{**row._mapping, "role": Role(row.role), "action": ActivityAction(row.action)})


def insert(conn: Connection, entry: Activity, **more: object) -> None:
    """Write ``entry`` in the caller's transaction: an action and its record stand or fall together.
    ``more`` joins the details (e.g. a reference known only once the row exists)."""
    values = {k: v for k, v in asdict(entry).items() if k != "id"}
    if more:
        values["details"] = json.dumps({**json.loads(entry.details), **more})
    conn.execute(activity.insert().values(**values))


class ActivityLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, entry: Activity) -> Activity:
        values = {k: v for k, v in asdict(entry).items() if k != "id"}
        with guard("record the activity"), writing(self._engine) as conn:
            new_id = conn.execute(activity.insert().values(**values).returning(c.id)).scalar_one()
        return Activity(**{**values, "id": new_id})

    def record_once(self, entry: Activity) -> bool:
        """Record ``entry`` unless the same person's same action at the same instant is there
        already (a sign-in seen again by each new browser session). True if it was written."""
        same = sa.select(c.id).where(
            c.environment == entry.environment,
            c.actor == entry.actor,
            c.action == entry.action,
            c.at == entry.at,
        )
        with guard("record the activity"), writing(self._engine) as conn:
            if conn.execute(same).first() is not None:
                return False
            insert(conn, entry)
        return True

    def _statement(
        self,
        environment: str,
        *,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        actors: Sequence[str] = (),
        actions: Sequence[str] = (),
        organization_id: str | None = None,
    ) -> sa.Select[*tuple[Any, ...]]:
        where = [c.environment == environment]
        if start is not None:
            where.append(c.at >= start)
        if end is not None:
            where.append(c.at < end)
        if actors:
            where.append(c.actor.in_(list(actors)))
        if actions:
            where.append(c.action.in_(list(actions)))
        if organization_id:
            where.append(c.organization_id == organization_id)
        return sa.select(activity).where(*where).order_by(c.at.desc(), c.id.desc())

    def search(self, environment: str, *, limit: int | None = 1000, **filters: object) -> list[Activity]:
        """Newest first."""
        statement = self._statement(environment, **filters).limit(limit)  # type: ignore[arg-type]
        with guard("read the activity log"), self._engine.connect() as conn:
            return [_activity(row) for row in conn.execute(statement)]

    def actors(self, environment: str) -> list[str]:
        statement = sa.select(c.actor).where(c.environment == environment).distinct().order_by(c.actor)
        with guard("read the activity log"), self._engine.connect() as conn:
            return [row.actor for row in conn.execute(statement)]
