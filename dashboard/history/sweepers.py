"""Who sweeps each environment (table ``sweeper``): one worker at a time, whatever the hosts.

The worker holding an environment's row renews it every few seconds; a row whose lease has run
out may be taken by any other worker, in one conditional UPDATE, so two workers never both hold
it (SQLite's write lock or PostgreSQL's row lock decides). The row also carries what pages show
about the background work, and the page's request for a refresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from . import dialects
from .database import guard, writing
from .schema import sweeper

c = sweeper.c


@dataclass(frozen=True)
class SweeperState:
    """What a page says about the background work of one environment."""

    environment: str
    holder: str
    expires_at: dt.datetime
    heartbeat_at: dt.datetime
    listed_at: dt.datetime | None
    round_started_at: dt.datetime | None
    round_finished_at: dt.datetime | None
    problem: str | None
    refresh_requested_at: dt.datetime | None
    notify_since: dt.datetime | None

    def alive(self, now: dt.datetime) -> bool:
        return self.expires_at > now

    @property
    def refreshing(self) -> bool:
        started, finished = self.round_started_at, self.round_finished_at
        return started is not None and (finished is None or finished < started)


class Sweepers:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def acquire(self, environment: str, holder: str, now: dt.datetime, lease: dt.timedelta) -> bool:
        """Take or renew the environment's lease; False while another holder's is still good."""
        insert = dialects.insert(self._engine, sweeper).values(
            environment=environment, holder=holder, expires_at=now + lease, heartbeat_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[c.environment],
            set_={"holder": holder, "expires_at": now + lease, "heartbeat_at": now},
            where=sa.or_(c.holder == holder, c.expires_at <= now),
        )
        with guard("take the sweeping lease"), writing(self._engine) as conn:
            conn.execute(statement)
            held = conn.execute(sa.select(c.holder).where(c.environment == environment)).scalar_one()
        return bool(held == holder)

    def release(self, environment: str, holder: str, now: dt.datetime) -> None:
        """A worker stopping hands the environment over at once."""
        statement = (
            sweeper.update().where(c.environment == environment, c.holder == holder).values(expires_at=now)
        )
        with guard("release the sweeping lease"), writing(self._engine) as conn:
            conn.execute(statement)

    def note(self, environment: str, holder: str, **values: object) -> None:
        """Record progress (``listed_at``, ``round_started_at``, ``problem``…) while holding the lease."""
        statement = sweeper.update().where(c.environment == environment, c.holder == holder).values(**values)
        with guard("record the worker's progress"), writing(self._engine) as conn:
            conn.execute(statement)

    def request_refresh(self, environment: str, now: dt.datetime) -> bool:
        """A page's Refresh: the holder lists and refreshes every status next. False: no worker."""
        statement = sweeper.update().where(c.environment == environment).values(refresh_requested_at=now)
        with guard("ask the worker for a refresh"), writing(self._engine) as conn:
            return bool(conn.execute(statement).rowcount)

    def state(self, environment: str) -> SweeperState | None:
        with guard("read the worker's state"), self._engine.connect() as conn:
            row = conn.execute(sa.select(sweeper).where(c.environment == environment)).first()
        return SweeperState(**row._mapping) if row is not None else None
