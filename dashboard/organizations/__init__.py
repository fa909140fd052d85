"""The Organizations feature as services, without Streamlit: pages call these and nothing below.

- board: every organization with its status and invitations, as the history holds it (``board``);
  the worker keeps it fresh, so pages read and never list Scalekit themselves;
- search: Scalekit's own search for a query of three characters or more;
- detail: one organization, its four calls in parallel under one deadline (``detail``);
- changes: create, rename, delete, switch admin portal features; admins only, logged (``changes``);
- the table and Needs attention as DataFrames (``table``), and the history timeline (``timeline``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from ..errors import NotFound, PortalDeskError, StoreError
from ..gateway import SEARCH_MIN_LENGTH, ScalekitGateway
from ..history import History
from ..models import OnboardingStatus, Operator, Organization, OrganizationDetail, SsoState
from .board import Background, Board
from .changes import create, delete, set_feature, update
from .detail import load_detail
from .states import fetch_status, scim_state, sso_state
from .table import Filters, apply_filters, needs_attention, organization_frame
from .timeline import TimelinePage, history_timeline, timeline_page


def search(gateway: ScalekitGateway, query: str, everyone: list[Organization],
           remote: Callable[[str], list[Organization]] | None = None) -> list[Organization]:  # fmt: skip
    """Scalekit's own search from three characters on (its minimum); shorter queries filter the
    listing already at hand, so a rep typing "ac" sees matches instead of an error. ``remote``
    is the (cached) server-side search."""
    needle = query.strip()
    if not needle:
        return everyone
    if len(needle) < SEARCH_MIN_LENGTH:
        low = needle.lower()
        return [
            o
            for o in everyone
            if low in o.display_name.lower() or (o.external_id or "").lower().startswith(low)
        ]
    return (remote or gateway.search_organizations)(needle)


def newly_listed(
    gateway: ScalekitGateway, history: History, environment: str, org_id: str
) -> Organization | None:
    """An organization the history's listing lacks, asked of Scalekit and put in the listing (it
    was created since the worker last listed); None when Scalekit does not know it either."""
    try:
        found = gateway.get_organization(org_id)
    except NotFound:
        return None
    # A history that cannot be written costs the listing this organization, not the page: what
    # the rep does next meets the same trouble and says so.
    with contextlib.suppress(StoreError):
        history.listing.put(environment, found, dt.datetime.now(dt.UTC))
    return found


def last_visit(
    history: History, operator: Operator, environment: str, now: dt.datetime
) -> dt.datetime | None:
    """When this person last looked at the list (what changed since is marked), and now is the
    new last look. None for someone unknown, or on a first visit."""
    if not operator.known:
        return None
    try:
        before = history.statuses.last_visit(environment, operator.name or "")
        history.statuses.visited(environment, operator.name or "", now)
    except PortalDeskError:
        return None  # a busy history costs the marks, not the page
    return before


def noticed(history: History, environment: str, detail: OrganizationDetail) -> None:
    """A detail view saw the organization (a person asked): its status goes into the snapshot at
    once, and SSO enabled there is a sighting the stats count from. A busy history must not hide
    the organization, so its trouble is not raised: the worker's next poll writes it anyway."""
    sso, provider = sso_state(detail.connections)
    scim, users = scim_state(detail.directories)
    now = dt.datetime.now(dt.UTC)
    with contextlib.suppress(PortalDeskError):
        if not detail.missing:
            seen = OnboardingStatus(detail.organization.id, sso, provider, scim, users, now)
            history.statuses.save(environment, [seen])
        if sso == SsoState.ENABLED:
            history.events.observe_sso_enabled(environment, detail.organization.id, now, "status")


__all__ = [
    "Background",
    "Board",
    "Filters",
    "TimelinePage",
    "apply_filters",
    "create",
    "delete",
    "fetch_status",
    "history_timeline",
    "last_visit",
    "load_detail",
    "needs_attention",
    "newly_listed",
    "noticed",
    "organization_frame",
    "scim_state",
    "search",
    "set_feature",
    "sso_state",
    "timeline_page",
    "update",
]
