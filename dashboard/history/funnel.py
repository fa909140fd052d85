"""The invitation funnel (issued -> opened -> SSO enabled after the first open) from the rows of
its invitations, with the medians of its steps; overall or per rep."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa


@dataclass(frozen=True)
class Funnel:
    """Invitations issued -> opened -> SSO enabled after the first open."""

    issued: int
    opened: int
    sso_enabled: int
    median_hours_to_open: float | None
    median_days_open_to_sso: float | None

    def rate(self, step: int) -> float | None:
        return step / self.issued if self.issued else None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def days_between(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds() / 86400


def _utc_value(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


FUNNEL_COLUMNS = ["rep", "issued", "opened", "sso_enabled", "median_hours_to_open", "median_days_open_to_sso"]


def funnel_frame(rows: list[sa.Row[*tuple[Any, ...]]], by_rep: bool) -> pd.DataFrame:
    groups: dict[str, list[sa.Row[*tuple[Any, ...]]]] = {}
    for row in rows:
        groups.setdefault(row.issued_by if by_rep else "everyone", []).append(row)
    records = []
    for name, items in sorted(groups.items(), key=lambda item: -len(item[1])):
        opened = [r for r in items if r.first_opened_at is not None]
        # A customer enabling SSO after opening this invitation: the conversion it led to.
        converted = [
            r
            for r in opened
            if r.enabled_at is not None and _utc_value(r.enabled_at) > _utc_value(r.first_opened_at)
        ]
        records.append(
            {
                "rep": name,
                "issued": len(items),
                "opened": len(opened),
                "sso_enabled": len(converted),
                "median_hours_to_open": median(
                    [(_utc_value(r.first_opened_at) - r.issued_at).total_seconds() / 3600 for r in opened]
                ),
                "median_days_open_to_sso": median(
                    [days_between(_utc_value(r.enabled_at), _utc_value(r.first_opened_at)) for r in converted]
                ),
            }
        )
    return pd.DataFrame.from_records(records, columns=FUNNEL_COLUMNS)


def totals(frame: pd.DataFrame) -> Funnel:
    if frame.empty:
        return Funnel(0, 0, 0, None, None)
    row = frame.iloc[0]
    return Funnel(
        int(row.issued),
        int(row.opened),
        int(row.sso_enabled),
        None if pd.isna(row.median_hours_to_open) else float(row.median_hours_to_open),
        None if pd.isna(row.median_days_open_to_sso) else float(row.median_days_open_to_sso),
    )
