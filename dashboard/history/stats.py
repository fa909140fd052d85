"""Issuance statistics, aggregated in SQL: the database groups and counts, pandas only receives
the (small) results.

Every query reads the same relation of issued items through the same :class:`StatsFilter`
(issued.py), so KPIs, funnel, charts and table always agree. Preview links count only when
that kind is picked: a rep's previews are not a customer's onboarding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from ..spreadsheet import cell
from .dialects import period_start
from .events import PREVIEW
from .funnel import Funnel, days_between, funnel_frame, median, totals
from .issued import StatsFilter, branches, feature_label, issued_items, kind_label, utc
from .schema import activity, invitation, link_issuance, sso_observation
from .store import History

# Each item is in exactly one: revoked, else expired, else (still open) opened or not. Links are
# not counted when opened (only invitations are), so an open link is "not opened".
STATUSES = ("active, not opened", "active, opened", "expired", "revoked")
TABLE_COLUMNS = (
    "issued_at",
    "reference",
    "kind",
    "organization_name",
    "organization_id",
    "features",
    "issued_by",
    "recipient_email",
    "note",
    "expires_at",
    "opens",
    "first_opened_at",
    "revoked_at",
    "revoked_by",
)
i, k, o = invitation.c, link_issuance.c, sso_observation.c
# SSO a rep switched on in the Portal preview is not the customer's conversion.
CUSTOMER = o.source != PREVIEW


@dataclass(frozen=True)
class Kpis:
    issued: int
    organizations_reached: int
    active_now: int
    revoked: int
    expired_unopened: int  # invitations (and legacy links) that ran out with nobody opening them
    converted: int  # organizations whose SSO was enabled after their first item in the range
    median_days_to_sso: float | None  # from the first open (invitations), else from the first issue
    active_opened: int  # of active_now, the invitations opened at least once

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.organizations_reached if self.organizations_reached else None


@dataclass(frozen=True)
class StatsReport:
    """Everything the stats page shows for one filter but the chart over time (which has its own
    grain and split): made in one go, so it can be kept as a whole."""

    kpis: Kpis
    funnel: Funnel
    funnel_by_rep: pd.DataFrame
    per_rep: pd.DataFrame
    top_organizations: pd.DataFrame
    newest: pd.DataFrame  # the newest rows, at most ``limit``

    @property
    def status(self) -> pd.DataFrame:
        return IssuanceStats.status_breakdown(self.kpis)


@dataclass(frozen=True)
class Choices:
    """What the filters offer: environments, reps (emails), organizations (id -> name), and the
    reps' display names (email -> name) for those whose sign-in gave one."""

    environments: list[str]
    reps: list[str]
    organizations: dict[str, str]
    names: dict[str, str]


class IssuanceStats:
    def __init__(self, history: History) -> None:
        self.history = history

    def _rows(self, action: str, statement: sa.Executable) -> list[sa.Row[*tuple[Any, ...]]]:
        return self.history.read(action, statement)

    # -- choices for the filters -------------------------------------------------------------

    def environments(self) -> list[str]:
        union = sa.union(sa.select(i.environment), sa.select(k.environment)).subquery()
        rows = self._rows("list environments", sa.select(union.c.environment).order_by(union.c.environment))
        return [row.environment for row in rows]

    def reps(self, environment: str) -> list[str]:
        """Everyone who issued anything in this environment (each table's index answers)."""
        union = sa.union(
            sa.select(i.issued_by).where(i.environment == environment),
            sa.select(k.issued_by).where(k.environment == environment),
        ).subquery()
        statement = sa.select(union.c.issued_by).order_by(union.c.issued_by)
        return [row.issued_by for row in self._rows("list reps", statement)]

    def rep_names(self, environment: str) -> dict[str, str]:
        """Email -> the display name the identity provider gave at the rep's latest sign-in (the
        activity log keeps it); reps who never signed in with a name are not in it."""
        a = activity.c
        statement = (
            sa.select(a.actor, a.details)
            .where(a.environment == environment, a.action == "signed_in")
            .order_by(a.id)
        )
        names: dict[str, str] = {}
        for row in self._rows("list reps' names", statement):
            try:
                name = json.loads(row.details).get("name")
            except (ValueError, AttributeError):
                continue  # a row older than names in the log, or not a JSON object
            if isinstance(name, str) and name.strip():
                names[row.actor] = name.strip()
        return names

    def organizations(self, environment: str) -> dict[str, str]:
        """Organization id -> its latest name, for every organization in the history, the most
        recently issued to first. Per table, each organization's newest row, looked up through its
        (environment, organization, issued at) index; the newer of the two tables wins."""
        newest: dict[str, tuple[dt.datetime, str]] = {}
        for table in (invitation, link_issuance):
            c = table.c
            last = (
                sa.select(c.organization_id, sa.func.max(c.issued_at).label("at"))
                .where(c.environment == environment)
                .group_by(c.organization_id)
                .subquery()
            )
            name = (
                sa.select(c.organization_name)
                .where(c.environment == environment, c.organization_id == last.c.organization_id)
                .order_by(c.issued_at.desc())
                .limit(1)
                .scalar_subquery()
            )
            statement = sa.select(last.c.organization_id, utc(last.c.at).label("at"), name.label("name"))
            for row in self._rows("list organizations", statement):
                if row.organization_id not in newest or newest[row.organization_id][0] < row.at:
                    newest[row.organization_id] = (row.at, row.name)
        ordered = sorted(newest.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
        return {org_id: name for org_id, (_, name) in ordered}

    # -- aggregates --------------------------------------------------------------------------

    def kpis(self, f: StatsFilter, now: dt.datetime) -> Kpis:
        rel = issued_items(f.environment, f.counted_kinds)
        c = rel.c
        expired = sa.and_(c.revoked_at.is_(None), c.expires_at.is_not(None), c.expires_at <= now)
        unopened = sa.and_(expired, c.kind.in_(("invitation", "shareable")), c.opens == 0)
        active = sa.and_(c.revoked_at.is_(None), sa.or_(c.expires_at.is_(None), c.expires_at > now))

        def counted(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
            return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

        counts = sa.select(
            sa.func.count(),
            sa.func.count(sa.distinct(c.organization_id)),
            counted(active),
            counted(c.revoked_at.is_not(None)),
            counted(unopened),
            counted(sa.and_(active, c.opens > 0)),
        ).where(*f.conditions(rel))
        issued, orgs, active_now, revoked, expired_unopened, active_opened = self._rows(
            "count what was issued", counts
        )[0]
        days = self._days_to_sso(f)
        return Kpis(
            issued, orgs, active_now, revoked, expired_unopened, len(days), median(days), active_opened
        )

    def _days_to_sso(self, f: StatsFilter) -> list[float]:
        """Per converted organization, days from its first open (else first issue) to SSO enabled.

        One row per organization reached: at most the number of organizations in the range.
        """
        rel = issued_items(f.environment, f.counted_kinds)
        c = rel.c
        firsts = (
            sa.select(
                c.organization_id,
                utc(sa.func.min(c.issued_at)).label("first_issued"),
                utc(sa.func.min(c.first_opened_at)).label("first_opened"),
            )
            .where(*f.conditions(rel))
            .group_by(c.organization_id)
            .subquery()
        )
        statement = sa.select(firsts.c.first_issued, firsts.c.first_opened, o.enabled_at).select_from(
            firsts.join(
                sso_observation,
                sa.and_(
                    o.environment == f.environment, o.organization_id == firsts.c.organization_id, CUSTOMER
                ),
            )
        )
        days = []
        for row in self._rows("measure time to SSO", statement):
            start = row.first_opened or row.first_issued
            if row.enabled_at > start:
                days.append(days_between(row.enabled_at, start))
        return days

    def _funnel_rows(self, f: StatsFilter) -> list[sa.Row[*tuple[Any, ...]]]:
        """Each invitation in the filter: who issued it, when, its first open, and when its
        organization's SSO was first seen enabled by the customer."""
        rel = issued_items(f.environment, ("invitation",))
        c = rel.c
        statement = (
            sa.select(c.issued_by, c.issued_at, c.first_opened_at, o.enabled_at)
            .select_from(
                rel.outerjoin(
                    sso_observation,
                    sa.and_(o.environment == f.environment, o.organization_id == c.organization_id, CUSTOMER),
                )
            )
            .where(*f.conditions(rel))
        )
        return self._rows("measure the invitation funnel", statement)

    def funnel(self, f: StatsFilter, by_rep: bool = False) -> pd.DataFrame:
        """The invitation funnel, overall (one row) or per rep; with the medians of its steps."""
        return funnel_frame(self._funnel_rows(f), by_rep)

    def funnel_totals(self, f: StatsFilter) -> Funnel:
        return totals(funnel_frame(self._funnel_rows(f), by_rep=False))

    def funnels(self, f: StatsFilter) -> tuple[Funnel, pd.DataFrame]:
        """The totals and the funnel per rep, from one read of the invitations."""
        rows = self._funnel_rows(f)
        return totals(funnel_frame(rows, by_rep=False)), funnel_frame(rows, by_rep=True)

    def per_period(self, f: StatsFilter, grain: str = "week", by: str = "kind") -> pd.DataFrame:
        """Items per day or week (UTC; weeks start on Monday), split by kind or by features."""
        rel = issued_items(f.environment, f.counted_kinds)
        c = rel.c
        period = period_start(c.issued_at, grain)  # a date string (dialects.py)
        group = c.kind if by == "kind" else c.features
        statement = (
            sa.select(period.label("period"), group.label("group"), sa.func.count().label("items"))
            .where(*f.conditions(rel))
            .group_by("period", "group")
            .order_by("period", "group")
        )
        frame = pd.DataFrame(self._rows("count per period", statement), columns=["period", "group", "items"])
        frame["period"] = pd.to_datetime(frame["period"])
        frame["group"] = frame["group"].map(feature_label if by == "feature" else kind_label)
        return frame.sort_values(["period", "group"]).reset_index(drop=True)  # in label order

    def per_rep(self, f: StatsFilter) -> pd.DataFrame:
        rel = issued_items(f.environment, f.counted_kinds)
        c = rel.c
        statement = (
            sa.select(
                c.issued_by.label("rep"),
                sa.func.count().label("items"),
                sa.func.count(sa.distinct(c.organization_id)).label("organizations"),
            )
            .where(*f.conditions(rel))
            .group_by(c.issued_by)
            .order_by(sa.desc("items"), "rep")
        )
        return pd.DataFrame(self._rows("count per rep", statement), columns=["rep", "items", "organizations"])

    def top_organizations(self, f: StatsFilter, limit: int = 10) -> pd.DataFrame:
        rel = issued_items(f.environment, f.counted_kinds)
        c = rel.c
        statement = (
            sa.select(
                sa.func.max(c.organization_name).label("organization"),
                c.organization_id,
                sa.func.count().label("items"),
            )
            .where(*f.conditions(rel))
            .group_by(c.organization_id)
            .order_by(sa.desc("items"), c.organization_id)
            .limit(limit)
        )
        return pd.DataFrame(
            self._rows("rank organizations", statement), columns=["organization", "organization_id", "items"]
        )

    def report(self, f: StatsFilter, now: dt.datetime, limit: int = 1000) -> StatsReport:
        """The page's queries at once, each on its own connection: the database reads (SQLite in
        this process, releasing the GIL; PostgreSQL in its own backends) overlap on several cores."""
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="stats") as pool:
            kpis = pool.submit(self.kpis, f, now)
            funnels = pool.submit(self.funnels, f)
            per_rep = pool.submit(self.per_rep, f)
            top = pool.submit(self.top_organizations, f)
            newest = pool.submit(self.rows, f, limit)
            funnel, by_rep = funnels.result()
            return StatsReport(kpis.result(), funnel, by_rep, per_rep.result(), top.result(), newest.result())

    def choices(self, environment: str) -> Choices:
        """Environments, reps (with their names) and organizations for the filters, read at once."""
        with ThreadPoolExecutor(max_workers=4, thread_name_prefix="stats") as pool:
            environments = pool.submit(self.environments)
            reps = pool.submit(self.reps, environment)
            names = pool.submit(self.rep_names, environment)
            organizations = pool.submit(self.organizations, environment)
            return Choices(environments.result(), reps.result(), organizations.result(), names.result())

    @staticmethod
    def status_breakdown(kpis: Kpis) -> pd.DataFrame:
        """Each issued item once (STATUSES), so the slices add up to the items issued: from the
        counts the KPIs already made."""
        expired = kpis.issued - kpis.active_now - kpis.revoked
        items = [kpis.active_now - kpis.active_opened, kpis.active_opened, expired, kpis.revoked]
        return pd.DataFrame({"status": list(STATUSES), "items": items})

    # -- the rows themselves -----------------------------------------------------------------

    def _rows_statement(self, f: StatsFilter, limit: int | None = None) -> sa.Select[*tuple[Any, ...]]:
        """The filtered items, newest first. With a limit, each table gives its newest ``limit``
        through its (environment, issued at) index before they are merged: the database never
        sorts the whole range."""
        parts = [part.subquery() for part in branches(f.environment, f.counted_kinds)]
        if limit is not None:
            parts = [
                sa.select(part)
                .where(*f.conditions(part))
                .order_by(part.c.issued_at.desc())
                .limit(limit)
                .subquery()
                for part in parts
            ]
        rel = (
            sa.union_all(*(sa.select(p) for p in parts)) if len(parts) > 1 else sa.select(parts[0])
        ).subquery()
        columns = [utc(rel.c[n]).label(n) if n.endswith("_at") else rel.c[n] for n in TABLE_COLUMNS]
        return sa.select(*columns).where(*f.conditions(rel)).order_by(rel.c.issued_at.desc()).limit(limit)

    def rows(self, f: StatsFilter, limit: int | None = None) -> pd.DataFrame:
        statement = self._rows_statement(f, limit)
        frame = pd.DataFrame(self._rows("read the filtered items", statement), columns=list(TABLE_COLUMNS))
        frame["kind"] = frame["kind"].map(kind_label)
        frame["reference"] = frame["reference"].fillna("")  # links have none
        return frame

    def csv_chunks(self, f: StatsFilter) -> Iterator[str]:
        """Every filtered row as CSV, streamed from the database in chunks. No id that could open
        a portal is in it: invitations are named by reference, and a link's id is never kept.
        Text a spreadsheet would run as a formula is neutralised (``spreadsheet.cell``)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(TABLE_COLUMNS)
        for row in self.history.stream("export the filtered items", self._rows_statement(f)):
            writer.writerow([cell(v) for v in row])
            if out.tell() > 1 << 16:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    def csv(self, f: StatsFilter) -> str:
        return "".join(self.csv_chunks(f))
