"""The Organizations feature as services, without Streamlit: pages call these and nothing below.

- listing: every organization of the environment (``catalog``), and search;
- status: SSO/SCIM of every organization, from the snapshot and background rounds (``status``);
- detail: one organization, its four calls in parallel under one deadline (``detail``);
- changes: create, rename, delete, switch admin portal features; admins only, logged (``changes``);
- the table and Needs attention as DataFrames (``table``), and the history timeline (``timeline``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable

from ..errors import PortalDeskError
from ..gateway import SEARCH_MIN_LENGTH, ScalekitGateway
from ..history import History
from ..models import OnboardingStatus, Operator, Organization, OrganizationDetail
from .catalog import OrganizationCatalog
from .changes import create, delete, set_feature, update
from .detail import load_detail
from .rounds import FOREGROUND
from .states import fetch_status, scim_state, sso_state
from .status import StatusBoard
from .table import Filters, apply_filters, needs_attention, organization_frame
from .timeline import TimelinePage, history_timeline, timeline_page

# Organizations whose IT admin opened an invitation in the last day are refetched every minute.
WATCH_OPENED_FOR = dt.timedelta(hours=24)
WATCH_INTERVAL_S = 60.0


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


def status_board(gateway: ScalekitGateway, history: History | None, environment: str) -> StatusBoard:
    """A board for one environment: the snapshot in ``history`` first; the first sighting of each
    organization's SSO enabled recorded for the stats; recently opened organizations watched."""

    def remember_sso(batch: list[OnboardingStatus]) -> None:
        enabled = [(s.organization_id, s.fetched_at) for s in batch if s.sso == "enabled"]
        if history is not None:
            history.events.observe_many(environment, enabled, "status")

    board = StatusBoard(
        gateway, history.statuses if history is not None else None, environment, on_statuses=remember_sso
    )
    if history is not None:
        board.watch(lambda: watch_list(history, environment), interval_s=WATCH_INTERVAL_S)
    return board


def watch_list(history: History, environment: str) -> list[str]:
    """Organizations whose IT admin opened an invitation in the last day: refreshed first."""
    return history.invitations.opened_since(environment, dt.datetime.now(dt.UTC) - WATCH_OPENED_FOR)


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
    """A detail view saw the organization: SSO enabled there is a sighting the stats count from.
    A busy history must not hide the organization, so its trouble is not raised."""
    if sso_state(detail.connections)[0] != "enabled":
        return
    with contextlib.suppress(PortalDeskError):
        history.events.observe_sso_enabled(
            environment, detail.organization.id, dt.datetime.now(dt.UTC), "status"
        )


def first_wanted(shown: Iterable[str], history: History | None, environment: str) -> list[str]:
    """What a round fetches first: the watch list, then the rows on screen in their order."""
    watched: list[str] = []
    if history is not None:
        try:
            watched = watch_list(history, environment)
        except PortalDeskError:
            watched = []
    return list(dict.fromkeys([*watched, *shown]))


foreground = FOREGROUND.page  # ``with organizations.foreground():`` around a page's drawing

__all__ = [
    "Filters",
    "OrganizationCatalog",
    "StatusBoard",
    "TimelinePage",
    "apply_filters",
    "create",
    "delete",
    "fetch_status",
    "first_wanted",
    "foreground",
    "history_timeline",
    "last_visit",
    "load_detail",
    "needs_attention",
    "noticed",
    "organization_frame",
    "scim_state",
    "search",
    "set_feature",
    "sso_state",
    "status_board",
    "timeline_page",
    "update",
    "watch_list",
]
