"""The activity log's service side: building entries for the actions services take, the sign-in
entry, and what the Activity page reads (filters, CSV). The rows live in ``history.activity``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .history import History
from .models import ACTIVITY_LABELS, ROLE_LABELS, Activity, ActivityAction, Operator, Organization
from .permissions import require

COLUMNS = ("When (UTC)", "Who", "Role", "Action", "Organization", "Details", "Organization id")


def entry(
    operator: Operator,
    action: ActivityAction,
    environment: str,
    *,
    organization: Organization | None = None,
    organization_id: str | None = None,
    organization_name: str | None = None,
    at: dt.datetime | None = None,
    details: Mapping[str, object] | None = None,
) -> Activity:
    """One action by ``operator``. ``details`` are facts (a reference, a feature, a count), never a
    link, a token or anything that could reopen a portal."""
    if action not in ACTIVITY_LABELS:
        raise ValueError(f"unknown activity {action!r}")
    return Activity(
        environment=environment,
        at=at or dt.datetime.now(dt.UTC),
        actor=operator.name or "",
        role=operator.role,
        action=action,
        organization_id=organization.id if organization else organization_id,
        organization_name=organization.display_name if organization else organization_name,
        details=json.dumps(dict(details or {}), sort_keys=True, default=str),
    )


def record(history: History, activity: Activity) -> Activity:
    """For actions whose own record is elsewhere (at Scalekit): written after they succeeded."""
    return history.activity.record(activity)


def record_sign_in(
    history: History, operator: Operator, environment: str, claims: Mapping[str, object]
) -> bool:
    """Record a sign-in once: the ID token's ``iat`` tells one sign-in from the next, whereas every
    reload of the page is a new Streamlit session for the same sign-in. True if it was new."""
    issued = claims.get("iat")
    if operator.source != "sign-in" or not isinstance(issued, int | float):
        return False
    at = dt.datetime.fromtimestamp(int(issued), dt.UTC)
    provider = claims.get("iss")
    made = entry(
        operator,
        ActivityAction.SIGNED_IN,
        environment,
        at=at,
        # The directory's display name: the stats name reps by it (their email stays the key).
        details={
            "provider": provider if isinstance(provider, str) else "",
            "name": operator.display_name or "",
        },
    )
    return history.activity.record_once(made)


@dataclass(frozen=True)
class ActivityFilter:
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    actors: Sequence[str] = ()
    actions: Sequence[str] = ()
    organization_id: str | None = None


def search(
    history: History, operator: Operator, environment: str, where: ActivityFilter, limit: int = 1000
) -> list[Activity]:
    """Newest first; managers and admins only."""
    require(operator, "activity")
    return history.activity.search(
        environment,
        limit=limit,
        start=where.start,
        end=where.end,
        actors=where.actors,
        actions=where.actions,
        organization_id=where.organization_id,
    )


def actors(history: History, operator: Operator, environment: str) -> list[str]:
    """Everyone with a recorded action in this environment, by name; managers and admins only."""
    require(operator, "activity")
    return history.activity.actors(environment)


def describe(activity: Activity) -> str:
    """The details in words, for tables and timelines."""
    details = json.loads(activity.details or "{}")
    parts = [
        f"{key.replace('_', ' ')}: {_value(value)}"
        for key, value in sorted(details.items())
        if value not in ("", None)
    ]
    return "; ".join(parts)


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def table(rows: Sequence[Activity]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "When (UTC)": row.at.astimezone(dt.UTC).replace(tzinfo=None),
                "Who": row.actor,
                "Role": ROLE_LABELS.get(row.role, row.role),
                "Action": ACTIVITY_LABELS.get(row.action, row.action),
                "Organization": row.organization_name or "",
                "Organization id": row.organization_id or "",
                "Details": describe(row),
            }
            for row in rows
        ],
        columns=list(COLUMNS),
    )
