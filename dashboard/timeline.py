"""One organization's story as the history tells it, newest first: invitations and their opens,
links minted for reps and previews, the admin portal's events, changes made from Portal Desk, and
when SSO was first seen enabled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .activity import describe
from .models import ACTIVITY_LABELS, Activity, Invitation, Issuance, PortalEvent, features_text

# Activity shown as its own timeline entry; invitations created, emailed and revoked, direct
# links and previews already have theirs, from the rows they made.
TIMELINE_ACTIVITY = (
    "organization_created",
    "organization_updated",
    "feature_toggled",
    "invitation_extended",
    "invitation_resent",
)


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.datetime
    what: str
    who: str = ""


def history_timeline(
    invitations: Iterable[Invitation],
    links: Iterable[Issuance],
    events: Iterable[PortalEvent],
    sso_enabled: tuple[dt.datetime, str] | None,
    now: dt.datetime,
    activities: Iterable[Activity] = (),
) -> list[TimelineEntry]:
    """Everything the history knows about one organization, newest first: invitations (issued,
    emailed, opened, revoked, expired), links minted for reps and previews, the portal's events
    (a rep's in the Portal preview named as theirs), changes made from Portal Desk, and when SSO
    was first seen enabled."""
    entries = [
        TimelineEntry(
            e.received_at,
            f"Portal: {e.message or e.event_type}",
            f"changed by {e.actor} in preview" if e.actor else "customer's admin portal",
        )
        for e in events
    ]
    for done in activities:
        if done.action in TIMELINE_ACTIVITY:  # the others have their own entries above or below
            text = describe(done)
            what = ACTIVITY_LABELS[done.action] + (f" ({text})" if text else "")
            entries.append(TimelineEntry(done.at, what, done.actor))
    for item in invitations:
        ref, to = item.reference, f" for {item.recipient_email}" if item.recipient_email else ""
        entries.append(
            TimelineEntry(
                item.issued_at, f"{ref} created ({features_text(item.features)}){to}", item.issued_by
            )
        )
        if item.sent_at:
            entries.append(TimelineEntry(item.sent_at, f"{ref} emailed{to}", item.issued_by))
        if item.first_opened_at:
            entries.append(
                TimelineEntry(item.first_opened_at, f"{ref} opened for the first time", "customer")
            )
        if item.open_count > 1 and item.last_opened_at:
            entries.append(
                TimelineEntry(
                    item.last_opened_at, f"{ref} opened again ({item.open_count}× in all)", "customer"
                )
            )
        if item.revoked_at is not None:
            entries.append(TimelineEntry(item.revoked_at, f"{ref} revoked", item.revoked_by or ""))
        elif item.expires_at <= now:
            entries.append(
                TimelineEntry(item.expires_at, f"{ref} expired" + ("" if item.open_count else " unopened"))
            )
    for link in links:
        if link.kind == "invitation":
            continue  # an invitation's opens are on its own entries
        label = {"direct": "Direct link opened by the rep", "embed": "Portal preview session"}.get(
            link.kind, "Shareable link issued"
        )
        state = "" if link.state == "minted" else f" ({link.state})"
        entries.append(
            TimelineEntry(link.issued_at, f"{label} ({features_text(link.features)}){state}", link.issued_by)
        )
        if link.kind == "shareable" and link.revoked_at is not None:
            entries.append(TimelineEntry(link.revoked_at, "Shareable link revoked", link.revoked_by or ""))
    if sso_enabled is not None:
        when, source = sso_enabled
        how = {
            "portal_event": "reported by the admin portal",
            "preview": "by a rep in the Portal preview; not counted as the customer's",
        }.get(source, "seen by a status check")
        entries.append(TimelineEntry(when, f"SSO enabled ({how})"))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
