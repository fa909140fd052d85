"""An organization's SSO and SCIM state, from its connections and directories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..gateway import ScalekitGateway
from ..models import Connection, Directory, OnboardingStatus

_SSO_RANK = {"draft": 1, "in_progress": 2, "completed": 3}


def sso_state(connections: Iterable[Connection]) -> tuple[str, str | None]:
    """The furthest any connection has got, and its provider."""
    best, provider = "none", None
    best_rank = 0
    for conn in connections:
        if conn.enabled and conn.status == "completed":
            return "enabled", conn.provider
        rank = _SSO_RANK.get(conn.status, 0)
        if rank > best_rank:
            best_rank, provider = rank, conn.provider
            best = {1: "draft", 2: "in_progress", 3: "configured"}[rank]
    return best, provider


def scim_state(directories: Iterable[Directory]) -> tuple[str, int | None]:
    dirs = list(directories)
    if not dirs:
        return "none", None
    enabled = [d for d in dirs if d.enabled]
    if enabled:
        return "enabled", sum(d.total_users for d in enabled)
    return "disabled", None


def fetch_status(gateway: ScalekitGateway, org_id: str) -> OnboardingStatus:
    """One organization, now: two calls."""
    sso, provider = sso_state(gateway.list_connections(org_id))
    scim, users = scim_state(gateway.list_directories(org_id))
    return OnboardingStatus(org_id, sso, provider, scim, users, dt.datetime.now(dt.UTC))


def changed_status(new: OnboardingStatus, old: OnboardingStatus | None) -> OnboardingStatus:
    """``new`` with ``changed_at``: kept from ``old`` when the state is the same."""
    same = old is not None and (old.sso, old.sso_provider, old.scim) == (new.sso, new.sso_provider, new.scim)
    changed_at = old.changed_at if same and old is not None else new.fetched_at
    return OnboardingStatus(
        new.organization_id, new.sso, new.sso_provider, new.scim, new.scim_users, new.fetched_at, changed_at
    )
