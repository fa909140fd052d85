"""An organization's SSO and SCIM state, from its connections and directories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..gateway import ScalekitGateway
from ..models import (
    SSO_STATE_OF,
    SSO_STATES,
    Connection,
    ConnectionStatus,
    Directory,
    OnboardingStatus,
    ScimState,
    SsoState,
)


def sso_state(connections: Iterable[Connection]) -> tuple[SsoState, str | None]:
    """The furthest any connection has got (SSO_STATES are in order), and its provider."""
    best, provider = SsoState.NONE, None
    for conn in connections:
        if conn.enabled and conn.status == ConnectionStatus.COMPLETED:
            return SsoState.ENABLED, conn.provider
        known = conn.status in set(ConnectionStatus)
        state = SSO_STATE_OF[ConnectionStatus(conn.status)] if known else SsoState.NONE
        if SSO_STATES.index(state) > SSO_STATES.index(best):
            best, provider = state, conn.provider
    return best, provider


def scim_state(directories: Iterable[Directory]) -> tuple[ScimState, int | None]:
    dirs = list(directories)
    if not dirs:
        return ScimState.NONE, None
    enabled = [d for d in dirs if d.enabled]
    if enabled:
        return ScimState.ENABLED, sum(d.total_users for d in enabled)
    return ScimState.DISABLED, None


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
