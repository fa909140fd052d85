"""One organization's story as the history tells it, newest first: invitations and their opens,
links minted for reps and previews, the admin portal's events, changes made from Portal Desk, and
when SSO was first seen enabled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..activity import describe
from ..history import History
from ..models import (
    ACTIVITY_LABELS,
    Activity,
    ActivityAction,
    Invitation,
    Issuance,
    PortalEvent,
    features_text,
)

# Activity shown as its own timeline entry; invitations created, emailed and revoked, direct
# links and previews already have theirs, from the rows they made.
TIMELINE_ACTIVITY = (
    ActivityAction.ORGANIZATION_CREATED,
    ActivityAction.ORGANIZATION_UPDATED,
    ActivityAction.FEATURE_TOGGLED,
    ActivityAction.INVITATION_EXTENDED,
    ActivityAction.INVITATION_RESENT,
    ActivityAction.INVITATION_REMINDED,
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
        label = {"direct": "direct link opened by the rep", "embed": "Portal preview session"}.get(
            link.kind, "shareable link issued"
        )
        ref = link_reference(link)
        state = "" if link.state == "minted" else f" ({link.state})"
        entries.append(
            TimelineEntry(
                link.issued_at, f"{ref} {label} ({features_text(link.features)}){state}", link.issued_by
            )
        )
        if link.kind == "shareable" and link.revoked_at is not None:
            entries.append(TimelineEntry(link.revoked_at, f"{ref} revoked", link.revoked_by or ""))
    if sso_enabled is not None:
        when, source = sso_enabled
        how = {
            "portal_event": "reported by the admin portal",
            "preview": "by a rep in the Portal preview; not counted as the customer's",
        }.get(source, "seen by a status check")
        entries.append(TimelineEntry(when, f"SSO enabled ({how})"))
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def link_reference(link: Issuance) -> str:
    """``LNK-000045``: the history's row, not Scalekit's link id (which could reopen a portal)."""
    return f"LNK-{link.id:06d}"


PER_PAGE = 25


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    page: int  # 1-based
    pages: int
    total: int


def timeline_page(
    history: History,
    environment: str,
    org_id: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    now: dt.datetime | None = None,
) -> TimelinePage:
    """One page of the organization's timeline, newest first (the newest 500 of each kind of row)."""
    entries = history_timeline(
        history.invitations.for_organization(environment, org_id),
        history.links.for_organization(environment, org_id, limit=500),
        history.events.for_organization(environment, org_id, limit=500),
        history.events.sso_enabled_at(environment, org_id),
        now or dt.datetime.now(dt.UTC),
        history.activity.search(environment, organization_id=org_id, limit=500),
    )
    pages = max(1, -(-len(entries) // per_page))
    page = min(max(1, page), pages)
    return TimelinePage(entries[(page - 1) * per_page : page * per_page], page, pages, len(entries))
