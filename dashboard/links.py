"""Minting admin portal links: Scalekit and the history kept in step.

Every link Portal Desk can get from Scalekit's API is single-use and lives a minute. It is minted
for a purpose: an invitation's open (on the relay), a rep who opens the portal now on a call
("direct"), or the Portal preview ("embed").

No link may exist that the history does not know about. So the mint is written as pending before
GeneratePortalLink is called; completed with the answer; marked failed when Scalekit refuses;
and left pending when no answer comes (a time-out), to close as "unknown" once its minute has
passed. If the history cannot record a fresh link, the link is revoked at Scalekit before the
error is shown. The history keeps only a fingerprint of a location, never the location.

A lost answer (UNAVAILABLE after Scalekit made the link) is the same case as a time-out: the
gateway never lets the SDK retry GeneratePortalLink, since each retry would mint again and leave
the earlier links unknown. What Scalekit guarantees there: a link nobody holds the location of
cannot be opened by anyone, and stops opening after its minute. What it does not: tell an API
client about it (GetPortalLinks is reserved to its dashboard), so its id is never known.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .activity import entry
from .errors import InvalidInput, NotFound, ScalekitError, StoreError, TimedOut, Unavailable
from .gateway import ScalekitGateway
from .history import History, NewLink, fingerprint
from .models import (
    FEATURE_LABELS,
    FEATURES,
    Activity,
    ActivityAction,
    Feature,
    Invitation,
    Issuance,
    LinkKind,
    Operator,
    Organization,
    PortalLink,
)
from .permissions import Permission, require


@dataclass(frozen=True)
class MintedLink:
    link: PortalLink  # holds the location: use it once (redirect, iframe, screen), never store it
    record: Issuance
    invitation: Invitation | None = None  # an invitation's open: counted, or as a revoke left it


def wanted_features(organization: Organization, features: Iterable[str]) -> tuple[Feature, ...]:
    """The features asked for, in order; refused when none, or when one is off for the org."""
    wanted = tuple(f for f in FEATURES if f in set(features))
    if not wanted:
        raise InvalidInput("Choose at least one feature: SSO or Directory sync.")
    off = [f for f in wanted if f not in organization.enabled_features]
    if off:
        raise InvalidInput(
            f"{FEATURE_LABELS[off[0]]} is switched off in this organization's admin portal settings, so "
            "Scalekit would refuse the link. Turn it on from the organization's page, or leave it out."
        )
    return wanted


def mint(
    gateway: ScalekitGateway,
    history: History,
    *,
    environment: str,
    organization: Organization,
    features: Sequence[Feature],
    kind: LinkKind,
    issued_by: str,
    invitation_id: int | None = None,
    activity: Activity | None = None,
    now: dt.datetime | None = None,
) -> MintedLink:
    """A fresh one-minute link, recorded before and after Scalekit is asked. A mint for an
    invitation (``invitation_id``) is one open of it, counted with the completed record; a rep's
    mint is recorded in the activity log with it (``activity``), so neither exists without the other."""
    now = now or dt.datetime.now(dt.UTC)
    history.links.sweep_if_due(now)
    row = history.links.pending(
        NewLink(
            organization_id=organization.id,
            organization_name=organization.display_name,
            features=tuple(features),
            kind=kind,
            issued_by=issued_by,
            issued_at=now,
            environment=environment,
            invitation_id=invitation_id,
        )
    )
    try:
        link = gateway.generate_portal_link(organization.id, features)
    except (TimedOut, Unavailable):
        raise  # no answer: a link may exist; the pending row closes as "unknown" after its minute
    except ScalekitError:
        history.links.failed(row.id)  # Scalekit answered: no link exists
        raise
    try:
        completed = history.links.complete(
            row.id,
            link.id,
            link.expires_at,
            fingerprint(link.location),
            opened_at=now if invitation_id is not None else None,
            activity=activity,
        )
    except StoreError as exc:
        if _held_elsewhere(history, link.id, row.id):
            # Handed back by Scalekit (links-reusable) to a mint the history knows: not unknown,
            # and deleting it would end that mint's session.
            raise type(exc)(
                f"{exc} The link Scalekit handed back belongs to another mint too, so it was kept."
            ) from exc
        try:
            gateway.revoke_portal_link(organization.id, link.id)
        except ScalekitError as revoke_error:
            raise type(exc)(
                f"{exc} The new link could not be revoked either ({revoke_error}); it stops working by "
                "itself within a minute."
            ) from exc
        raise type(exc)(f"{exc} The new link was revoked at Scalekit, so no unrecorded link exists.") from exc
    return MintedLink(link=link, record=completed.record, invitation=completed.invitation)


def _held_elsewhere(history: History, link_id: str, row_id: int) -> bool:
    """Whether another unrevoked mint holds this link id. When the history cannot say, no:
    a link the history may not know is worse than a shared one ended early."""
    try:
        return bool(history.links.shared([link_id], [row_id]))
    except StoreError:
        return False


def open_now(
    gateway: ScalekitGateway,
    history: History,
    *,
    environment: str,
    organization: Organization | None,
    features: Iterable[str],
    operator: Operator,
) -> MintedLink:
    """A direct link for a rep on a call with the customer: open it at once, it lives a minute."""
    return _for_rep(gateway, history, environment, organization, features, operator, LinkKind.DIRECT)


def start_preview(
    gateway: ScalekitGateway,
    history: History,
    *,
    environment: str,
    organization: Organization | None,
    features: Iterable[str],
    operator: Operator,
) -> MintedLink:
    """A link for the Portal preview: the customer's live portal, in the rep's own session."""
    return _for_rep(gateway, history, environment, organization, features, operator, LinkKind.EMBED)


_ACTIONS: dict[LinkKind, tuple[Permission, ActivityAction]] = {
    LinkKind.DIRECT: ("direct_link", ActivityAction.DIRECT_LINK),
    LinkKind.EMBED: ("preview", ActivityAction.PREVIEW_STARTED),
}


def _for_rep(
    gateway: ScalekitGateway,
    history: History,
    environment: str,
    organization: Organization | None,
    features: Iterable[str],
    operator: Operator,
    kind: LinkKind,
) -> MintedLink:
    permission, action = _ACTIONS[kind]
    issued_by = require(operator, permission)
    if organization is None:
        raise InvalidInput("Choose an organization first.")
    wanted = wanted_features(organization, features)
    now = dt.datetime.now(dt.UTC)
    return mint(
        gateway,
        history,
        environment=environment,
        organization=organization,
        features=wanted,
        kind=kind,
        issued_by=issued_by,
        activity=entry(
            operator,
            action,
            environment,
            organization=organization,
            at=now,
            details={"features": list(wanted)},
        ),
        now=now,
    )


def revoke_live(
    gateway: ScalekitGateway, history: History, rows: Iterable[Issuance], *, revoked_by: str, now: dt.datetime
) -> int:
    """Revoke links that may still be opened or back a portal session (DeletePortalLinkByID ends
    the session a link started). A link that expired unopened, or whose session ended, is gone
    already at Scalekit; it is recorded all the same.

    A link id another unrevoked mint also holds (another invitation, a preview, a direct link) is
    left alone at Scalekit and only recorded as revoked here: under the links-reusable reading
    GeneratePortalLink may hand one link to several mints, and deleting it would end the other's
    session too. That link stops opening when its minute ends; a session it started runs on."""
    rows = [row for row in rows if row.link_id is not None]
    shared = history.links.shared([row.link_id for row in rows if row.link_id], [row.id for row in rows])
    done = []
    for row in rows:
        if row.link_id not in shared:
            # Expired unopened, or its session over: nothing left at Scalekit, which is what was wanted.
            with contextlib.suppress(NotFound):
                gateway.revoke_portal_link(row.organization_id, row.link_id)  # type: ignore[arg-type]
        done.append(row.id)
    return history.links.revoked(done, revoked_by, now)
