"""Notifications (table ``notification``) and who wants them (``notify_preference``).

A notice is written once per event, channel and recipient: ``add`` ignores one already there, so
whoever finds the event again (a restart, a second worker, the next pass) adds nothing. Delivery
then moves it from ``pending`` to ``sent``, or back to ``pending`` with a later attempt time, or
to ``failed`` after the last attempt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import Channel, NoticeKind, NoticeState
from . import dialects
from .database import guard, writing
from .schema import notification, notify_preference

n, p = notification.c, notify_preference.c


@dataclass(frozen=True)
class NewNotice:
    environment: str
    event_key: str  # e.g. "first_open:123": one event, however often it is found
    channel: Channel
    recipient: str  # the rep's email for Channel.EMAIL, "" for Channel.TEAM
    kind: NoticeKind
    title: str
    body: str
    created_at: dt.datetime
    organization_id: str | None = None
    organization_name: str | None = None
    invitation_id: int | None = None


@dataclass(frozen=True)
class Notice(NewNotice):
    id: int = 0
    state: NoticeState = NoticeState.PENDING
    attempts: int = 0
    next_attempt_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None
    last_error: str | None = None


def _notice(row: sa.Row[*tuple[Any, ...]]) -> Notice:
    return Notice(
        **{
            **row._mapping,
            "channel": Channel(row.channel),
            "kind": NoticeKind(row.kind),
            "state": NoticeState(row.state),
        }
    )


class Notifications:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, notices: Sequence[NewNotice]) -> int:
        """Write the notices not written before; returns how many were new."""
        if not notices:
            return 0
        rows = [
            {**asdict(x), "state": NoticeState.PENDING, "attempts": 0, "next_attempt_at": x.created_at}
            for x in notices
        ]
        statement = dialects.insert(self._engine, notification).on_conflict_do_nothing(
            index_elements=[n.environment, n.event_key, n.channel, n.recipient]
        )
        with guard("record the notifications"), writing(self._engine) as conn:
            return sum(conn.execute(statement, [row]).rowcount for row in rows)

    def due(self, environment: str, now: dt.datetime, limit: int = 50) -> list[Notice]:
        statement = (
            sa.select(notification)
            .where(n.environment == environment, n.state == NoticeState.PENDING, n.next_attempt_at <= now)
            .order_by(n.id)
            .limit(limit)
        )
        with guard("read the notifications"), self._engine.connect() as conn:
            return [_notice(row) for row in conn.execute(statement)]

    def sent(self, notice_id: int, at: dt.datetime) -> None:
        self._set(notice_id, state=NoticeState.SENT, sent_at=at, attempts=n.attempts + 1, last_error=None)

    def retry(self, notice_id: int, error: str, next_at: dt.datetime | None) -> None:
        """A failed attempt: tried again at ``next_at``, or given up (None)."""
        state = NoticeState.PENDING if next_at is not None else NoticeState.FAILED
        self._set(
            notice_id, state=state, attempts=n.attempts + 1, next_attempt_at=next_at, last_error=error[:500]
        )

    def skip(self, notice_id: int, reason: str) -> None:
        """Nowhere to send it (no channel configured): listed, never retried."""
        self._set(notice_id, state=NoticeState.SKIPPED, last_error=reason[:500])

    def _set(self, notice_id: int, **values: object) -> None:
        with guard("record the notification's delivery"), writing(self._engine) as conn:
            conn.execute(notification.update().where(n.id == notice_id).values(**values))

    def newest(self, environment: str, limit: int = 200) -> list[Notice]:
        statement = (
            sa.select(notification)
            .where(n.environment == environment)
            .order_by(n.created_at.desc(), n.id.desc())
            .limit(limit)
        )
        with guard("read the notifications"), self._engine.connect() as conn:
            return [_notice(row) for row in conn.execute(statement)]

    # -- preferences -------------------------------------------------------------------------

    def email_wanted(self, actor: str) -> bool:
        with guard("read your notification settings"), self._engine.connect() as conn:
            found = conn.execute(sa.select(p.email).where(p.actor == actor)).scalar_one_or_none()
        return True if found is None else bool(found)

    def quiet(self) -> set[str]:
        """Everyone who switched their email notifications off."""
        with guard("read the notification settings"), self._engine.connect() as conn:
            return {row.actor for row in conn.execute(sa.select(p.actor).where(p.email.is_(False)))}

    def set_email(self, actor: str, wanted: bool, at: dt.datetime) -> None:
        insert = dialects.insert(self._engine, notify_preference).values(
            actor=actor, email=wanted, updated_at=at
        )
        statement = insert.on_conflict_do_update(
            index_elements=[p.actor], set_={"email": wanted, "updated_at": at}
        )
        with guard("save your notification settings"), writing(self._engine) as conn:
            conn.execute(statement)
