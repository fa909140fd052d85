"""The status snapshot (table ``org_status``): every organization's last known SSO/SCIM status,
so the Organizations page draws them all at once on any visit, restarts included, while a
background refresh brings them up to date. And each person's last look (``status_visit``), so
what changed since is marked for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..models import OnboardingStatus, ScimState, SsoState
from . import dialects
from .database import guard, writing
from .schema import org_status, status_visit

s, v = org_status.c, status_visit.c
BATCH = 500  # rows per write: short transactions, so pages reading the history never wait long


def _insert(engine: Engine, table: sa.Table) -> Any:
    return dialects.insert(engine, table)


class StatusSnapshot:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, environment: str) -> dict[str, OnboardingStatus]:
        statement = sa.select(org_status).where(s.environment == environment)
        with guard("read the status snapshot"), self._engine.connect() as conn:
            return {
                row.organization_id: OnboardingStatus(
                    organization_id=row.organization_id,
                    sso=SsoState(row.sso),
                    sso_provider=row.sso_provider,
                    scim=ScimState(row.scim),
                    scim_users=row.scim_users,
                    fetched_at=row.fetched_at,
                    changed_at=row.changed_at,
                )
                for row in conn.execute(statement)
            }

    def save(self, environment: str, statuses: Iterable[OnboardingStatus]) -> None:
        """Upsert complete statuses; ``changed_at`` moves only when the state itself changed (not
        a directory's user count)."""
        rows = [
            {
                "environment": environment,
                "organization_id": st.organization_id,
                "sso": st.sso,
                "sso_provider": st.sso_provider,
                "scim": st.scim,
                "scim_users": st.scim_users,
                "fetched_at": st.fetched_at,
                "changed_at": st.fetched_at,
            }
            for st in statuses
            if st.complete
        ]
        insert = _insert(self._engine, org_status)
        excluded = insert.excluded
        same = sa.and_(
            s.sso == excluded.sso,
            s.scim == excluded.scim,
            sa.func.coalesce(s.sso_provider, "") == sa.func.coalesce(excluded.sso_provider, ""),
        )
        statement = insert.on_conflict_do_update(
            index_elements=[s.environment, s.organization_id],
            set_={
                "sso": excluded.sso,
                "sso_provider": excluded.sso_provider,
                "scim": excluded.scim,
                "scim_users": excluded.scim_users,
                "fetched_at": excluded.fetched_at,
                "changed_at": sa.case((same, s.changed_at), else_=excluded.fetched_at),
                # Each half's own switch (null on a first sighting): what notifications tell.
                "sso_changed_at": sa.case(
                    (s.sso == excluded.sso, s.sso_changed_at), else_=excluded.fetched_at
                ),
                "scim_changed_at": sa.case(
                    (s.scim == excluded.scim, s.scim_changed_at), else_=excluded.fetched_at
                ),
            },
        )
        for start in range(0, len(rows), BATCH):
            with guard("save the status snapshot"), writing(self._engine) as conn:
                conn.execute(statement, rows[start : start + BATCH])

    def version(self, environment: str) -> tuple[object, ...]:
        """Moves whenever what ``load`` returns may have changed (pages redraw on it)."""
        statement = sa.select(sa.func.count(), sa.func.max(s.fetched_at), sa.func.max(s.changed_at)).where(
            s.environment == environment
        )
        with guard("read the status snapshot"), self._engine.connect() as conn:
            return tuple(conn.execute(statement).one())

    def switched_on(
        self, environment: str, since: dt.datetime
    ) -> list[tuple[str, str, str | None, dt.datetime]]:
        """(organization id, "sso" or "scim", provider, when) for each half switched on since then."""
        statement = sa.select(
            s.organization_id, s.sso, s.sso_provider, s.scim, s.sso_changed_at, s.scim_changed_at
        ).where(
            s.environment == environment,
            sa.or_(
                sa.and_(s.sso == SsoState.ENABLED, s.sso_changed_at >= since),
                sa.and_(s.scim == ScimState.ENABLED, s.scim_changed_at >= since),
            ),
        )
        found: list[tuple[str, str, str | None, dt.datetime]] = []
        with guard("read the status snapshot"), self._engine.connect() as conn:
            for row in conn.execute(statement):
                if (
                    row.sso == SsoState.ENABLED
                    and row.sso_changed_at is not None
                    and row.sso_changed_at >= since
                ):
                    found.append((row.organization_id, "sso", row.sso_provider, row.sso_changed_at))
                if (
                    row.scim == ScimState.ENABLED
                    and row.scim_changed_at is not None
                    and row.scim_changed_at >= since
                ):
                    found.append((row.organization_id, "scim", None, row.scim_changed_at))
        return found

    def forget(self, environment: str, organization_ids: Iterable[str]) -> None:
        """Organizations deleted at Scalekit leave the snapshot."""
        ids = list(organization_ids)
        if not ids:
            return
        with guard("update the status snapshot"), writing(self._engine) as conn:
            conn.execute(org_status.delete().where(s.environment == environment, s.organization_id.in_(ids)))

    def last_visit(self, environment: str, actor: str) -> dt.datetime | None:
        statement = sa.select(v.seen_at).where(v.environment == environment, v.actor == actor)
        with guard("read your last visit"), self._engine.connect() as conn:
            return conn.execute(statement).scalar_one_or_none()

    def visited(self, environment: str, actor: str, at: dt.datetime) -> None:
        insert = _insert(self._engine, status_visit).values(environment=environment, actor=actor, seen_at=at)
        statement = insert.on_conflict_do_update(
            index_elements=[v.environment, v.actor], set_={"seen_at": insert.excluded.seen_at}
        )
        with guard("record your visit"), writing(self._engine) as conn:
            conn.execute(statement)
