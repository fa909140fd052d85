"""The Organizations table and the Needs attention list, as DataFrames (no Streamlit here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .formatting import countdown
from .models import SSO_LABELS, LinkSummary, OnboardingStatus, Organization

URGENT = dt.timedelta(hours=48)
CHECKING = "Checking…"
COLUMNS = [
    "Name",
    "ID",
    "External ID",
    "Region",
    "Created",
    "SSO",
    "Provider",
    "Directory sync",
    "Active links",
    "Last link",
    "Last link by",
    "sso_state",
    "scim_state",
]


def _scim_label(status: OnboardingStatus) -> str:
    if status.scim == "enabled":
        return f"Enabled · {status.scim_users or 0:,} users"
    return {"disabled": "Disabled", "none": "None"}[status.scim]


def organization_frame(
    orgs: Sequence[Organization], statuses: Mapping[str, OnboardingStatus], links: Mapping[str, LinkSummary]
) -> pd.DataFrame:
    """One row per organization. Unknown statuses read "Checking…" until the board fills them.

    ``sso_state`` and ``scim_state`` are the raw values the filters use; pages hide them.
    """
    rows = []
    for org in orgs:
        status = statuses.get(org.id)
        summary = links.get(org.id)
        rows.append(
            (
                org.display_name,
                org.id,
                org.external_id or "",
                org.region,
                org.created_at,
                SSO_LABELS[status.sso] if status else CHECKING,
                (status.sso_provider or "") if status else "",
                _scim_label(status) if status else CHECKING,
                summary.active_links if summary else 0,
                summary.last_issued_at if summary else None,
                summary.last_issued_by if summary else "",
                status.sso if status else None,
                status.scim if status else None,
            )
        )
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


@dataclass(frozen=True)
class Filters:
    sso: Collection[str] = ()  # SSO_STATES values; empty means any
    scim: Collection[str] = ()  # SCIM_STATES values
    regions: Collection[str] = ()
    active_link_only: bool = False

    @property
    def any(self) -> bool:
        return bool(self.sso or self.scim or self.regions or self.active_link_only)


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
        keep &= frame["Active links"] > 0
    return frame[keep]


ATTENTION_COLUMNS = ["Name", "ID", "Why", "SSO", "Link expires", "When", "Urgent", "Last link by"]


def needs_attention(
    orgs: Sequence[Organization],
    statuses: Mapping[str, OnboardingStatus],
    links: Mapping[str, LinkSummary],
    now: dt.datetime,
) -> pd.DataFrame:
    """The rep's to-do list.

    First, organizations with a link out whose SSO is not enabled yet, soonest expiry first
    (under 48 hours is urgent). Then organizations whose last link expired while SSO was still
    not enabled (newest first): the link went unused, so the customer needs a nudge and a new one.
    An organization whose status is still being checked is listed; it may well need attention.
    """
    by_id = {org.id: org for org in orgs}
    out_now, lapsed = [], []
    for org_id, summary in links.items():
        org = by_id.get(org_id)
        status = statuses.get(org_id)
        if org is None or (status is not None and status.sso == "enabled"):
            continue
        sso = SSO_LABELS[status.sso] if status else CHECKING
        if summary.active_links and summary.next_expiry is not None:
            left = summary.next_expiry - now
            out_now.append(
                (
                    org.display_name,
                    org_id,
                    "Link out, SSO not enabled",
                    sso,
                    summary.next_expiry,
                    countdown(summary.next_expiry, now),
                    left < URGENT,
                    summary.last_issued_by,
                )
            )
        elif (
            summary.last_revoked_at is None
            and summary.last_expires_at is not None
            and summary.last_expires_at <= now
        ):
            lapsed.append(
                (
                    org.display_name,
                    org_id,
                    "Last link expired unused",
                    sso,
                    summary.last_expires_at,
                    countdown(summary.last_expires_at, now),
                    False,
                    summary.last_issued_by,
                )
            )
    out_now.sort(key=lambda row: row[4])
    lapsed.sort(key=lambda row: row[4], reverse=True)
    return pd.DataFrame.from_records(out_now + lapsed, columns=ATTENTION_COLUMNS)
