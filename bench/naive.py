"""The naive way: load every row into pandas, then filter and aggregate there.

It is the baseline bench/stats.py measures dashboard/stats.py against, and, being plain pandas
with nothing clever, the reference the tests check each SQL aggregate against.
"""

from __future__ import annotations

import datetime as dt
import statistics

import pandas as pd
import sqlalchemy as sa

from dashboard.stats import STATUSES, Kpis, StatsFilter, feature_label


def load(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    links = pd.read_sql_table("link_issuance", engine)
    observations = pd.read_sql_table("sso_observation", engine)
    for frame, columns in (
        (links, ("issued_at", "expires_at", "revoked_at")),
        (observations, ("enabled_at",)),
    ):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return links, observations


def filtered(links: pd.DataFrame, f: StatsFilter) -> pd.DataFrame:
    keep = (
        (links["environment"] == f.environment)
        & (links["issued_at"] >= f.start)
        & (links["issued_at"] < f.end)
    )
    if f.reps:
        keep &= links["issued_by"].isin(f.reps)
    if f.organizations:
        keep &= links["organization_id"].isin(f.organizations)
    if f.kinds:
        keep &= links["kind"].isin(f.kinds)
    if f.features:
        keep &= links["features"].str.split(",").apply(lambda names: bool(set(names) & set(f.features)))
    return links[keep]


def statuses(rows: pd.DataFrame, now: dt.datetime) -> pd.Series:
    status = pd.Series("active", index=rows.index)
    status[rows["expires_at"].notna() & (rows["expires_at"] <= now)] = "expired"
    status[rows["revoked_at"].notna()] = "revoked"
    return status


def kpis(links: pd.DataFrame, observations: pd.DataFrame, f: StatsFilter, now: dt.datetime) -> Kpis:
    rows = filtered(links, f)
    seen = observations[observations["environment"] == f.environment].set_index("organization_id")[
        "enabled_at"
    ]
    status = statuses(rows, now)
    enabled_at = pd.to_datetime(rows["organization_id"].map(seen.to_dict()), utc=True)
    unused = (status == "expired") & (enabled_at.isna() | (enabled_at > rows["expires_at"]))
    firsts = rows.groupby("organization_id")["issued_at"].min()
    days = [
        (seen[org] - first).total_seconds() / 86400
        for org, first in firsts.items()
        if org in seen.index and seen[org] > first
    ]
    return Kpis(
        links_issued=len(rows),
        organizations_reached=rows["organization_id"].nunique(),
        active_now=int((status == "active").sum()),
        revoked=int((status == "revoked").sum()),
        expired_unused=int(unused.sum()),
        converted=len(days),
        median_days_to_sso=statistics.median(days) if days else None,
    )


def per_period(links: pd.DataFrame, f: StatsFilter, grain: str, by: str) -> pd.DataFrame:
    rows = filtered(links, f)
    day = rows["issued_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    period = day if grain == "day" else day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    group = rows["kind"] if by == "kind" else rows["features"].map(feature_label)
    out = (
        pd.DataFrame({"period": period, "group": group})
        .groupby(["period", "group"])
        .size()
        .rename("links")
        .reset_index()
    )
    return out.sort_values(["period", "group"]).reset_index(drop=True)


def per_rep(links: pd.DataFrame, f: StatsFilter) -> pd.DataFrame:
    rows = filtered(links, f)
    out = rows.groupby("issued_by").agg(links=("id", "size"), organizations=("organization_id", "nunique"))
    out = out.reset_index().rename(columns={"issued_by": "rep"})
    return out.sort_values(["links", "rep"], ascending=[False, True]).reset_index(drop=True)


def top_organizations(links: pd.DataFrame, f: StatsFilter, limit: int = 10) -> pd.DataFrame:
    rows = filtered(links, f)
    out = rows.groupby("organization_id").agg(organization=("organization_name", "max"), links=("id", "size"))
    out = out.reset_index()[["organization", "organization_id", "links"]]
    out = out.sort_values(["links", "organization_id"], ascending=[False, True])
    return out.head(limit).reset_index(drop=True)


def status_breakdown(links: pd.DataFrame, f: StatsFilter, now: dt.datetime) -> pd.DataFrame:
    """Counted row by row, not derived from the KPIs as dashboard.stats does: an independent check."""
    counts = statuses(filtered(links, f), now).value_counts()
    return pd.DataFrame({"status": list(STATUSES), "links": [int(counts.get(s, 0)) for s in STATUSES]})
