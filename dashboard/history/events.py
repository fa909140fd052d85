"""What the history learns about organizations: the embedded portal's UI events (``portal_event``)
and the first moment each organization's SSO was seen enabled (``sso_observation``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import PortalEvent, PortalEventType
from . import dialects
from .database import guard, writing
from .schema import portal_event, sso_observation

UNREADABLE = "Unreadable event"
PREVIEW = "preview"  # an sso_observation source that is a rep's doing, not the customer's


def _message(payload: str) -> str:
    """The event's message; a stored payload that is not an object of JSON reads as unreadable."""
    try:
        data = json.loads(payload)
    except ValueError:
        return UNREADABLE
    return str(data.get("message") or "") if isinstance(data, dict) else UNREADABLE


class EventLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, event: PortalEvent) -> PortalEvent:
        values = {
            "organization_id": event.organization_id,
            "event_type": event.event_type,
            "payload": event.payload,
            "received_at": event.received_at,
            "environment": event.environment,
            "actor": event.actor,
        }
        with guard("record the portal event"), writing(self._engine) as conn:
            new_id = conn.execute(
                portal_event.insert().values(**values).returning(portal_event.c.id)
            ).scalar_one()
        return PortalEvent(**{**values, "message": event.message, "id": new_id})

    def for_organization(self, environment: str, org_id: str, limit: int | None = None) -> list[PortalEvent]:
        """This organization's portal events, newest first."""
        c = portal_event.c
        statement = (
            sa.select(portal_event)
            .where(c.environment == environment, c.organization_id == org_id)
            .order_by(c.received_at.desc(), c.id.desc())
            .limit(limit)
        )
        with guard("read the portal events"), self._engine.connect() as conn:
            rows = conn.execute(statement).all()
        return [
            PortalEvent(
                organization_id=row.organization_id,
                event_type=PortalEventType(row.event_type),
                message=_message(row.payload),
                payload=row.payload,
                received_at=row.received_at,
                environment=row.environment,
                id=row.id,
                actor=row.actor,
            )
            for row in rows
        ]

    # -- SSO observations --------------------------------------------------------------------

    def observe_sso_enabled(
        self, environment: str, org_id: str, enabled_at: dt.datetime, source: str
    ) -> None:
        """Remember when SSO was first seen enabled; an earlier sighting replaces a later one.

        Sources: ``status`` (a status check saw it), ``preview`` (a rep enabled it in the Portal
        preview: not the customer's doing, so the stats never count it as a conversion), ``demo``.
        A status check never replaces a preview sighting: the preview explains what it sees."""
        self.observe_many(environment, [(org_id, enabled_at)], source)

    def observe_many(
        self, environment: str, sightings: Sequence[tuple[str, dt.datetime]], source: str
    ) -> None:
        """``observe_sso_enabled`` for many organizations in one transaction (a status round)."""
        if not sightings:
            return
        rows = [
            {"environment": environment, "organization_id": org_id, "enabled_at": at, "source": source}
            for org_id, at in sightings
        ]
        insert = dialects.insert(self._engine, sso_observation)
        statement = insert.on_conflict_do_update(
            index_elements=[sso_observation.c.environment, sso_observation.c.organization_id],
            set_={"enabled_at": insert.excluded.enabled_at, "source": insert.excluded.source},
            where=sa.and_(
                insert.excluded.enabled_at < sso_observation.c.enabled_at,
                sa.or_(insert.excluded.source == PREVIEW, sso_observation.c.source != PREVIEW),
            ),
        )
        with guard("record when SSO was enabled"), writing(self._engine) as conn:
            conn.execute(statement, rows)

    def forget_preview_sighting(self, environment: str, org_id: str) -> None:
        """A rep switched SSO off again in the preview: the next enabling is unexplained, so a
        status check may count it (as the customer's)."""
        o = sso_observation.c
        statement = sso_observation.delete().where(
            o.environment == environment, o.organization_id == org_id, o.source == PREVIEW
        )
        with guard("record that SSO was disabled"), writing(self._engine) as conn:
            conn.execute(statement)

    def sso_enabled_at(self, environment: str, org_id: str) -> tuple[dt.datetime, str] | None:
        o = sso_observation.c
        statement = sa.select(o.enabled_at, o.source).where(
            o.environment == environment, o.organization_id == org_id
        )
        with guard("read when SSO was enabled"), self._engine.connect() as conn:
            row = conn.execute(statement).first()
        return (row.enabled_at, row.source) if row else None
