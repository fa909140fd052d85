"""The straightforward way a competent engineer would write the stats: read the rows the page
needs (only their columns, the environment and date range filtered in SQL), then filter and
aggregate in pandas.

It is the baseline bench/stats.py measures dashboard/history/stats.py against and, being plain
pandas with nothing clever, the reference the tests check each SQL aggregate against.
"""

from __future__ import annotations

import datetime as dt
import statistics

import pandas as pd
import sqlalchemy as sa

from dashboard.history.issued import StatsFilter, feature_label, kind_label
from dashboard.history.schema import invitation, link_issuance, sso_observation
from dashboard.history.stats import STATUSES, Kpis

COLUMNS = [
    "kind",
    "organization_id",
    "organization_name",
    "features",
    "issued_by",
    "issued_at",
    "expires_at",
    "revoked_at",
    "opens",
    "first_opened_at",
]


def load(engine: sa.Engine, f: StatsFilter) -> tuple[pd.DataFrame, pd.Series]:
    """Items issued in the filter's environment and range; SSO first seen enabled, per organization."""
    i, k, o = invitation.c, link_issuance.c, sso_observation.c
    invitations = sa.select(
        sa.literal("invitation").label("kind"),
        i.organization_id,
        i.organization_name,
        i.features,
        i.issued_by,
        i.issued_at,
        i.expires_at,
        i.revoked_at,
        i.open_count.label("opens"),
        i.first_opened_at,
    ).where(i.environment == f.environment, i.issued_at >= f.start, i.issued_at < f.end)
    links = sa.select(
        k.kind,
        k.organization_id,
        k.organization_name,
        k.features,
        k.issued_by,
        k.issued_at,
        k.expires_at,
        k.revoked_at,
        sa.literal(0).label("opens"),
        sa.null().label("first_opened_at"),
    ).where(
        k.environment == f.environment,
        k.issued_at >= f.start,
        k.issued_at < f.end,
        k.kind != "invitation",
        k.state == "minted",  # a mint that never became a link was not issued
    )
    with engine.connect() as conn:
        frames = [pd.DataFrame(conn.execute(q).all(), columns=COLUMNS) for q in (invitations, links)]
        seen = pd.DataFrame(
            conn.execute(
                sa.select(o.organization_id, o.enabled_at).where(
                    o.environment == f.environment, o.source != "preview"
                )
            ).all(),
            columns=["organization_id", "enabled_at"],
        )
    items = pd.concat([frame for frame in frames if not frame.empty] or frames[:1], ignore_index=True)
    for column in ("issued_at", "expires_at", "revoked_at", "first_opened_at"):
        items[column] = pd.to_datetime(items[column], utc=True)
    enabled = pd.to_datetime(seen["enabled_at"], utc=True)
    return items, pd.Series(enabled.array, index=seen["organization_id"].astype(object))


def filtered(items: pd.DataFrame, f: StatsFilter) -> pd.DataFrame:
    keep = items["kind"].isin(f.counted_kinds)
    if f.reps:
        keep &= items["issued_by"].isin(f.reps)
    if f.organizations:
        keep &= items["organization_id"].isin(f.organizations)
    if f.features:
        keep &= items["features"].str.split(",").apply(lambda names: bool(set(names) & set(f.features)))
    return items[keep]


def kpis(items: pd.DataFrame, seen: pd.Series, f: StatsFilter, now: dt.datetime) -> Kpis:
    rows = filtered(items, f)
    revoked = rows["revoked_at"].notna()
    expired = ~revoked & rows["expires_at"].notna() & (rows["expires_at"] <= now)
    unopened = expired & rows["kind"].isin(["invitation", "shareable"]) & (rows["opens"] == 0)
    days = []
    for org, group in rows.groupby("organization_id"):
        if org not in seen.index:
            continue
        start = group["first_opened_at"].min()
        start = group["issued_at"].min() if pd.isna(start) else start
        if seen[org] > start:
            days.append((seen[org] - start).total_seconds() / 86400)
    return Kpis(
        issued=len(rows),
        organizations_reached=rows["organization_id"].nunique(),
        active_now=int((~revoked & ~expired).sum()),
        revoked=int(revoked.sum()),
        expired_unopened=int(unopened.sum()),
        converted=len(days),
        median_days_to_sso=statistics.median(days) if days else None,
        active_opened=int((~revoked & ~expired & (rows["opens"] > 0)).sum()),
    )


def funnel(items: pd.DataFrame, seen: pd.Series, f: StatsFilter) -> tuple[int, int, int]:
    rows = filtered(items, f)
    rows = rows[rows["kind"] == "invitation"]
    opened = rows[rows["first_opened_at"].notna()]
    enabled = pd.to_datetime(opened["organization_id"].map(seen.to_dict()), utc=True)
    return len(rows), len(opened), int((enabled.notna() & (enabled > opened["first_opened_at"])).sum())


def per_period(items: pd.DataFrame, f: StatsFilter, grain: str, by: str) -> pd.DataFrame:
    rows = filtered(items, f)
    day = rows["issued_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    period = day if grain == "day" else day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    group = rows["kind"].map(kind_label) if by == "kind" else rows["features"].map(feature_label)
    out = (
        pd.DataFrame({"period": period, "group": group})
        .groupby(["period", "group"])
        .size()
        .rename("items")
        .reset_index()
    )
    return out.sort_values(["period", "group"]).reset_index(drop=True)


def per_rep(items: pd.DataFrame, f: StatsFilter) -> pd.DataFrame:
    rows = filtered(items, f)
    out = rows.groupby("issued_by").agg(items=("kind", "size"), organizations=("organization_id", "nunique"))
    out = out.reset_index().rename(columns={"issued_by": "rep"})
    return out.sort_values(["items", "rep"], ascending=[False, True]).reset_index(drop=True)


def top_organizations(items: pd.DataFrame, f: StatsFilter, limit: int = 10) -> pd.DataFrame:
    rows = filtered(items, f)
    out = rows.groupby("organization_id").agg(
        organization=("organization_name", "max"), items=("kind", "size")
    )
    out = out.reset_index()[["organization", "organization_id", "items"]]
    out = out.sort_values(["items", "organization_id"], ascending=[False, True])
    return out.head(limit).reset_index(drop=True)


def status_of(row: dict, now: dt.datetime) -> str:
    """One item's status, decided on its own: the first that holds of revoked, expired, opened."""
    if not pd.isna(row["revoked_at"]):
        return "revoked"
    if not pd.isna(row["expires_at"]) and row["expires_at"] <= now:
        return "expired"
    return "active, opened" if row["opens"] > 0 else "active, not opened"


def status_breakdown(items: pd.DataFrame, f: StatsFilter, now: dt.datetime) -> pd.DataFrame:
    """Counted row by row in plain Python, not derived from the KPIs as the SQL version is: an
    independent check that each item is in exactly one status."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in filtered(items, f).to_dict("records"):
        counts[status_of(row, now)] += 1
    return pd.DataFrame({"status": list(STATUSES), "items": [counts[s] for s in STATUSES]})
