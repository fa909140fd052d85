"""The Organizations table and the Needs attention list, as DataFrames (no Streamlit here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..formatting import countdown
from ..models import (
    SCIM_LABELS,
    SSO_LABELS,
    InvitationSummary,
    OnboardingStatus,
    Organization,
    ScimState,
    SsoState,
)
from .owners import owner_of

URGENT = dt.timedelta(hours=48)
CHECKING = "Checking…"
COLUMNS = [
    "New",
    "Name",
    "SSO",
    "Directory sync",
    "Last invitation",
    "Invitation",
    "Owner",
    "Open invitations",
    "Changed",
    "Last by",
    "Region",
    "Created",
    "External ID",
    "ID",
    "sso_state",
    "scim_state",
    "owner",
]
NEW = "●"  # the status changed while the rep had the page open
SHOWN = [c for c in COLUMNS if c[0].isupper()]  # the others are raw values for filters and sorting


def _sso_label(status: OnboardingStatus | None) -> str:
    if status is None or status.sso is None:
        return CHECKING
    label = SSO_LABELS[status.sso]
    if status.sso_provider and status.sso != SsoState.NONE:
        return f"{label} · {status.sso_provider}"
    return label


def _scim_label(status: OnboardingStatus | None) -> str:
    if status is None or status.scim is None:
        return CHECKING
    if status.scim == ScimState.ENABLED:
        return f"{SCIM_LABELS[status.scim]} · {status.scim_users or 0:,} users"
    return SCIM_LABELS[status.scim]


def _short(rep: str | None) -> str:
    return rep.split("@")[0] if rep else ""


def _last_state(summary: InvitationSummary | None, now: dt.datetime) -> str:
    """Where the latest invitation stands, in the words of the invitation list."""
    if summary is None:
        return ""
    if summary.last_revoked_at is not None:
        return "Revoked"
    if summary.last_expires_at <= now:
        return "Expired" if summary.last_opened else "Expired unopened"
    return "Opened" if summary.last_opened else "Not opened"


def organization_frame(
    orgs: Sequence[Organization],
    statuses: Mapping[str, OnboardingStatus],
    links: Mapping[str, InvitationSummary],
    *,
    since: dt.datetime | None = None,
    watching_since: dt.datetime | None = None,
    owners: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per organization. Unknown statuses read "Checking…" until the worker has them;
    "Changed" is when a status changed, if that was after ``since`` (the rep's last visit), and
    "New" marks a change after ``watching_since`` (the rep opened the page). Times are values,
    shown relative by the browser, so an unchanged table is the same table a minute later.

    ``sso_state``, ``scim_state``, ``owner`` (in full) and ``changed_at`` are raw values; pages
    hide them. The owner is the one someone set (``owners``), else the last inviter.
    """
    return mark_changes(base_frame(orgs, statuses, links, owners, now), since, watching_since)


def base_frame(
    orgs: Sequence[Organization],
    statuses: Mapping[str, OnboardingStatus],
    links: Mapping[str, InvitationSummary],
    owners: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> pd.DataFrame:
    """The table before anyone's marks: the same for every person, so built once per change
    (and once a minute: an invitation's state depends on the time)."""
    owners = owners or {}
    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for org in orgs:
        status = statuses.get(org.id)
        summary = links.get(org.id)
        owner = owner_of(org.id, owners, links).name
        rows.append(
            (
                "",
                org.display_name,
                _sso_label(status),
                _scim_label(status),
                summary.last_issued_at if summary else None,
                _last_state(summary, now),
                _short(owner),
                summary.usable if summary else 0,
                None,
                _short(summary.last_issued_by) if summary else "",
                org.region,
                org.created_at,
                org.external_id or "",
                org.id,
                status.sso if status else None,
                status.scim if status else None,
                owner or "",
                status.changed_at if status else None,
            )
        )
    frame = pd.DataFrame.from_records(rows, columns=[*COLUMNS, "changed_at"])
    for column in ("Changed", "Last invitation", "Created", "changed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def mark_changes(
    frame: pd.DataFrame, since: dt.datetime | None, watching_since: dt.datetime | None
) -> pd.DataFrame:
    """One person's marks on the shared table (a few column operations, not a rebuild)."""
    changed = frame["changed_at"]
    marked = frame.copy(deep=False)
    marked["Changed"] = changed.where(changed > since) if since is not None else pd.NaT
    marked["Changed"] = pd.to_datetime(marked["Changed"], utc=True)
    new = (changed > watching_since).fillna(False) if watching_since is not None else False
    marked["New"] = pd.Series(NEW, index=frame.index).where(new, "") if watching_since is not None else ""
    return marked


@dataclass(frozen=True)
class Filters:
    sso: Collection[SsoState] = ()  # empty means any
    scim: Collection[ScimState] = ()
    regions: Collection[str] = ()
    active_link_only: bool = False  # an invitation that can still be opened
    owner: str | None = None  # "My organizations": the operator's name

    @property
    def any(self) -> bool:
        return bool(self.sso or self.scim or self.regions or self.active_link_only or self.owner)


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows whose status is still being checked drop out of a status filter until it is known."""
    keep = pd.Series(True, index=frame.index)
    if filters.sso:
        keep &= frame["sso_state"].isin(list(filters.sso))
    if filters.scim:
        keep &= frame["scim_state"].isin(list(filters.scim))
    if filters.regions:
        keep &= frame["Region"].isin(list(filters.regions))
    if filters.active_link_only:
        keep &= frame["Open invitations"] > 0
    if filters.owner:
        keep &= frame["owner"] == filters.owner
    return frame[keep]


# Why first, then when and how urgent, and whose: the id last (it names, it is not read).
ATTENTION_COLUMNS = [
    "Name",
    "Why",
    "Invitation expires",
    "When",
    "Urgent",
    "Last by",
    "Owner",
    "SSO",
    "ID",
    "last_by",
    "owner",
]
ATTENTION_SHOWN = [c for c in ATTENTION_COLUMNS if c[0].isupper()]


def needs_attention(
    orgs: Sequence[Organization],
    statuses: Mapping[str, OnboardingStatus],
    links: Mapping[str, InvitationSummary],
    now: dt.datetime,
    owners: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The rep's to-do list, for organizations whose SSO is not enabled yet.

    First, invitations out that nobody has opened, soonest expiry first (under 48 hours is
    urgent); then invitations the IT admin opened without finishing (they may need a hand); then
    organizations whose last invitation expired unopened (newest first): a nudge and a new one.
    An organization whose status is still being checked is listed; it may well need attention.
    """
    by_id = {org.id: org for org in orgs}
    unopened: list[tuple[Any, ...]] = []
    started: list[tuple[Any, ...]] = []
    lapsed: list[tuple[Any, ...]] = []
    for org_id, summary in links.items():
        org = by_id.get(org_id)
        status = statuses.get(org_id)
        if org is None or (status is not None and status.sso == SsoState.ENABLED):
            continue
        sso = _sso_label(status)
        if summary.usable and summary.next_expiry is not None:
            expiry = summary.next_expiry
            if summary.opened:
                target, why, urgent = started, "Opened, SSO not enabled yet", False
            else:
                target, why, urgent = unopened, "Invitation not opened yet", expiry - now < URGENT
        elif (
            summary.last_revoked_at is None
            and summary.last_expires_at <= now
            and summary.last_opened_at is None
        ):
            target, why, urgent, expiry = (
                lapsed,
                "Last invitation expired unopened",
                False,
                summary.last_expires_at,
            )
        else:
            continue
        owner = owner_of(org_id, owners or {}, links).name or ""
        target.append(
            (
                org.display_name,
                why,
                expiry,
                countdown(expiry, now),
                urgent,
                _short(summary.last_issued_by),
                _short(owner),
                sso,
                org_id,
                summary.last_issued_by,
                owner,
            )
        )
    unopened.sort(key=lambda r: r[2])
    started.sort(key=lambda r: r[2])
    lapsed.sort(key=lambda r: r[2], reverse=True)
    return pd.DataFrame.from_records(unopened + started + lapsed, columns=ATTENTION_COLUMNS)
