"""Issuance statistics, aggregated in SQL: the database groups and counts, pandas only receives
the (small) results. With a million rows in SQLite, loading them all would take seconds.

Every query applies the same :class:`StatsFilter`, so KPIs, charts and the table always agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from .models import FEATURE_LABELS
from .schema import link_issuance, sso_observation
from .store import IssuanceStore

c = link_issuance.c
o = sso_observation.c
STATUSES = ("active", "expired", "revoked")
TABLE_COLUMNS = (
    "issued_at",
    "organization_name",
    "organization_id",
    "features",
    "kind",
    "issued_by",
    "recipient_email",
    "note",
    "expires_at",
    "revoked_at",
    "revoked_by",
    "link_id",
)


@dataclass(frozen=True)
class StatsFilter:
    environment: str
    start: dt.datetime  # inclusive, UTC
    end: dt.datetime  # exclusive, UTC
    reps: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()  # organization ids
    kinds: tuple[str, ...] = ()
    features: tuple[str, ...] = ()  # a row matches if it includes any of them

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where = [c.environment == self.environment, c.issued_at >= self.start, c.issued_at < self.end]
        if self.reps:
            where.append(c.issued_by.in_(self.reps))
        if self.organizations:
            where.append(c.organization_id.in_(self.organizations))
        if self.kinds:
            where.append(c.kind.in_(self.kinds))
        if self.features:
            padded = sa.literal(",").concat(c.features).concat(",")
            where.append(sa.or_(*(padded.like(f"%,{name},%") for name in self.features)))
        return where


@dataclass(frozen=True)
class Kpis:
    links_issued: int
    organizations_reached: int
    active_now: int
    revoked: int
    expired_unused: int
    converted: int  # organizations whose SSO was enabled after their first link in the range
    median_days_to_sso: float | None

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.organizations_reached if self.organizations_reached else None


def _status(now: dt.datetime) -> sa.ColumnElement[str]:
    return sa.case(
        (c.revoked_at.is_not(None), "revoked"),
        (sa.and_(c.expires_at.is_not(None), c.expires_at <= now), "expired"),
        else_="active",
    )


def _latest_name(environment: str, org_id: sa.ColumnElement[str]) -> sa.ScalarSelect[str]:
    """The organization's name on its latest row: one index seek, however busy the organization."""
    latest = link_issuance.alias("latest")
    return (
        sa.select(latest.c.organization_name)
        .where(latest.c.environment == environment, latest.c.organization_id == org_id)
        .order_by(latest.c.issued_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def feature_label(features: str) -> str:
    return " + ".join(FEATURE_LABELS.get(name, name) for name in features.split(",") if name)


class IssuanceStats:
    def __init__(self, store: IssuanceStore) -> None:
        self.store = store

    def _rows(self, action: str, statement: sa.Executable) -> list[sa.Row]:
        with self.store.guard(action), self.store.engine.connect() as conn:
            return list(conn.execute(statement))

    # -- choices for the filters -------------------------------------------------------------

    def environments(self) -> list[str]:
        statement = sa.select(c.environment).distinct().order_by(c.environment)
        return [row.environment for row in self._rows("list environments", statement)]

    def reps(self, environment: str) -> list[str]:
        statement = (
            sa.select(c.issued_by).where(c.environment == environment).distinct().order_by(c.issued_by)
        )
        return [row.issued_by for row in self._rows("list reps", statement)]

    def organizations(self, environment: str) -> dict[str, str]:
        """Organization id -> its latest name, for every organization in the history."""
        ids = sa.select(c.organization_id).where(c.environment == environment).distinct().subquery()
        name = _latest_name(environment, ids.c.organization_id)
        statement = sa.select(ids.c.organization_id, name.label("name")).order_by("name")
        return {row.organization_id: row.name for row in self._rows("list organizations", statement)}

    # -- aggregates --------------------------------------------------------------------------

    def kpis(self, f: StatsFilter, now: dt.datetime) -> Kpis:
        observed = sa.and_(o.environment == c.environment, o.organization_id == c.organization_id)
        status = _status(now)
        # Expired unused: it ran out while the organization's SSO was still not enabled.
        unused = sa.and_(status == "expired", sa.or_(o.enabled_at.is_(None), o.enabled_at > c.expires_at))
        counts = (
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(c.organization_id)),
                sa.func.coalesce(sa.func.sum(sa.case((status == "active", 1), else_=0)), 0),
                sa.func.coalesce(sa.func.sum(sa.case((status == "revoked", 1), else_=0)), 0),
                sa.func.coalesce(sa.func.sum(sa.case((unused, 1), else_=0)), 0),
            )
            .select_from(link_issuance.outerjoin(sso_observation, observed))
            .where(*f.conditions())
        )
        links, orgs, active, revoked, expired_unused = self._rows("count links", counts)[0]
        days = self._days_to_sso(f)
        converted = len(days)
        median = None
        if converted:
            middle = sorted(days)[(converted - 1) // 2 : converted // 2 + 1]
            median = sum(middle) / len(middle)
        return Kpis(links, orgs, active, revoked, expired_unused, converted, median)

    def _days_to_sso(self, f: StatsFilter) -> list[float]:
        """Per converted organization, days from its first link (in the filter) to SSO enabled.

        One row per converted organization: at most the number of organizations reached.
        """
        firsts = (
            sa.select(c.organization_id, sa.func.min(c.issued_at).label("first_at"))
            .where(*f.conditions())
            .group_by(c.organization_id)
            .subquery()
        )
        days = (sa.func.julianday(o.enabled_at) - sa.func.julianday(firsts.c.first_at)).label("days")
        statement = (
            sa.select(days)
            .select_from(
                firsts.join(
                    sso_observation,
                    sa.and_(o.environment == f.environment, o.organization_id == firsts.c.organization_id),
                )
            )
            .where(o.enabled_at > firsts.c.first_at)
        )
        return [float(row.days) for row in self._rows("measure time to SSO", statement)]

    def per_period(self, f: StatsFilter, grain: str = "week", by: str = "kind") -> pd.DataFrame:
        """Links per day or week (UTC; weeks start on Monday), split by kind or by features."""
        if grain == "day":
            period = sa.func.date(c.issued_at)
        else:
            period = sa.func.date(c.issued_at, "weekday 0", "-6 days")
        group = c.kind if by == "kind" else c.features
        statement = (
            sa.select(period.label("period"), group.label("group"), sa.func.count().label("links"))
            .where(*f.conditions())
            .group_by("period", "group")
            .order_by("period", "group")
        )
        frame = pd.DataFrame(
            self._rows("count links per period", statement), columns=["period", "group", "links"]
        )
        frame["period"] = pd.to_datetime(frame["period"])
        if by == "feature":
            frame["group"] = frame["group"].map(feature_label)
        return frame

    def per_rep(self, f: StatsFilter) -> pd.DataFrame:
        statement = (
            sa.select(
                c.issued_by.label("rep"),
                sa.func.count().label("links"),
                sa.func.count(sa.distinct(c.organization_id)).label("organizations"),
            )
            .where(*f.conditions())
            .group_by(c.issued_by)
            .order_by(sa.desc("links"), "rep")
        )
        return pd.DataFrame(
            self._rows("count links per rep", statement), columns=["rep", "links", "organizations"]
        )

    def top_organizations(self, f: StatsFilter, limit: int = 10) -> pd.DataFrame:
        # Rank on the covering index alone, then look up names for the few winners.
        ranked = (
            sa.select(c.organization_id, sa.func.count().label("links"))
            .where(*f.conditions())
            .group_by(c.organization_id)
            .order_by(sa.desc("links"), c.organization_id)
            .limit(limit)
            .subquery()
        )
        name = _latest_name(f.environment, ranked.c.organization_id)
        statement = sa.select(name.label("organization"), ranked.c.organization_id, ranked.c.links).order_by(
            sa.desc(ranked.c.links), ranked.c.organization_id
        )
        return pd.DataFrame(
            self._rows("rank organizations", statement), columns=["organization", "organization_id", "links"]
        )

    @staticmethod
    def status_breakdown(kpis: Kpis) -> pd.DataFrame:
        """Active, expired and revoked links: the KPI counts already hold them."""
        expired = kpis.links_issued - kpis.active_now - kpis.revoked
        return pd.DataFrame({"status": list(STATUSES), "links": [kpis.active_now, expired, kpis.revoked]})

    # -- the rows themselves -----------------------------------------------------------------

    def rows(self, f: StatsFilter, limit: int | None = None) -> pd.DataFrame:
        columns = [getattr(c, name) for name in TABLE_COLUMNS]
        statement = sa.select(*columns).where(*f.conditions()).order_by(c.issued_at.desc(), c.id.desc())
        if limit is not None:
            statement = statement.limit(limit)
        return pd.DataFrame(self._rows("read the filtered links", statement), columns=list(TABLE_COLUMNS))

    def csv(self, f: StatsFilter) -> str:
        """Every filtered row as CSV, streamed from the database in chunks."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(TABLE_COLUMNS)
        columns = [getattr(c, name) for name in TABLE_COLUMNS]
        statement = sa.select(*columns).where(*f.conditions()).order_by(c.issued_at.desc(), c.id.desc())
        with self.store.guard("export the filtered links"), self.store.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(statement):
                writer.writerow(
                    ["" if v is None else (v.isoformat() if isinstance(v, dt.datetime) else v) for v in row]
                )
        return out.getvalue()
