"""The relay's side of invitations: what a token meets on a GET, and an open on the POST.

An open mints with the invitation's features in one call to Scalekit. Only when Scalekit refuses
does the relay ask for the organization, so that the page says what is true: a feature is "no
longer enabled" only when the organization's features say so; a refusal they do not explain is
transient ("try again in a minute"), never blamed on a switch nobody turned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import InvalidRequest, NotFound, ScalekitError
from ..gateway import ScalekitGateway
from ..history import History, fingerprint
from ..links import mint, revoke_live
from ..models import FEATURE_LABELS, Feature, Invitation, InvitationStatus, LinkKind, Organization, Outcome


@dataclass(frozen=True)
class Opened:
    outcome: Outcome
    invitation: Invitation | None = None
    location: str | None = field(default=None, repr=False)  # the fresh link: redirect to it, once
    detail: str = ""  # the features switched off since, in words ("Directory sync")
    features: tuple[Feature, ...] = ()  # what opens (or would open): fewer than asked when some are off


def look_up(history: History, token: str, environment: str, now: dt.datetime | None = None) -> Opened:
    """What an open of this token would meet in the history, without asking Scalekit."""
    token_hash = fingerprint(token) if token else ""
    found = history.invitations.by_token_hash(token_hash) if token else None
    if found is None or found.environment != environment:
        if token and history.invitations.was_replaced(token_hash, environment):
            return Opened(Outcome.REPLACED)
        return Opened(Outcome.UNKNOWN)
    status = found.status(now)
    if status in (InvitationStatus.REVOKED, InvitationStatus.EXPIRED):
        return Opened(Outcome(status.value), found)
    return Opened(Outcome.PORTAL, found, features=found.features)


def _words(features: tuple[Feature, ...]) -> str:
    return " and ".join(FEATURE_LABELS[f] for f in features)


def current(gateway: ScalekitGateway, invitation: Invitation) -> Opened:
    """What the organization lets the invitation open now: its features still switched on
    ("portal", naming any switched off in ``detail``), none ("feature_off"), no organization
    ("organization_gone"), or "unavailable" when Scalekit cannot say."""
    try:
        organization = gateway.get_organization(invitation.organization_id)
    except NotFound:
        return Opened(Outcome.ORGANIZATION_GONE, invitation)
    except ScalekitError:
        return Opened(Outcome.UNAVAILABLE, invitation)
    on = tuple(f for f in invitation.features if f in organization.enabled_features)
    off = tuple(f for f in invitation.features if f not in on)
    return Opened(Outcome.PORTAL if on else Outcome.FEATURE_OFF, invitation, detail=_words(off), features=on)


def preview(
    gateway: ScalekitGateway, history: History, token: str, environment: str, now: dt.datetime | None = None
) -> Opened:
    """The interstitial's GET: the history's answer, then the organization's features, so a page
    never offers a button that can only fail. Scalekit failing here does not hide the button: the
    open may still work, and says so if not."""
    seen = look_up(history, token, environment, now)
    if seen.outcome != Outcome.PORTAL or seen.invitation is None:
        return seen
    now_on = current(gateway, seen.invitation)
    return seen if now_on.outcome == Outcome.UNAVAILABLE else now_on


def open_invitation(
    gateway: ScalekitGateway,
    history: History,
    token: str,
    *,
    environment: str,
    now: dt.datetime | None = None,
) -> Opened:
    """An IT admin opened the invitation: mint a fresh link with its features, count the open.
    A feature switched off since leaves the others to open; none left is said plainly."""
    now = now or dt.datetime.now(dt.UTC)
    seen = look_up(history, token, environment, now)
    if seen.outcome != Outcome.PORTAL or seen.invitation is None:
        return seen
    found = seen.invitation
    try:
        return _mint(gateway, history, found, found.features, environment, now)
    except NotFound:
        return Opened(Outcome.ORGANIZATION_GONE, found)
    except InvalidRequest:
        pass  # a feature switched off since, or a refusal the organization does not explain
    except ScalekitError as error:
        return Opened(Outcome.UNAVAILABLE, found, detail=str(error))
    now_on = current(gateway, found)
    if now_on.outcome != Outcome.PORTAL:
        return now_on  # deleted, nothing left switched on, or Scalekit cannot say
    if now_on.features == found.features:
        # Nothing switched off: the refusal is Scalekit's own, so it is worth trying again later.
        return Opened(Outcome.UNAVAILABLE, found)
    try:
        return _mint(gateway, history, found, now_on.features, environment, now, now_on.detail)
    except NotFound:
        return Opened(Outcome.ORGANIZATION_GONE, found)
    except ScalekitError as error:
        return Opened(Outcome.UNAVAILABLE, found, detail=str(error))


def _mint(
    gateway: ScalekitGateway,
    history: History,
    found: Invitation,
    features: tuple[Feature, ...],
    environment: str,
    now: dt.datetime,
    off: str = "",
) -> Opened:
    organization = Organization(
        id=found.organization_id,
        display_name=found.organization_name,
        external_id=None,
        region="",
        created_at=None,
        updated_at=None,
        sso_feature=Feature.SSO in features,
        dir_sync_feature=Feature.DIR_SYNC in features,
    )
    minted = mint(
        gateway,
        history,
        environment=environment,
        organization=organization,
        features=features,
        kind=LinkKind.INVITATION,
        issued_by=found.issued_by,
        invitation_id=found.id,
        now=now,
    )
    # A revoke may have landed while Scalekit was minting: its sweep of the invitation's links
    # ran before this link was recorded, so this open deletes its own fresh link and answers as
    # the revoke would have. The transaction that recorded the link says so (the open was not
    # counted: see history's count_open), so no read follows.
    again = minted.invitation
    if again is not None and again.revoked_at is not None:
        revoke_live(gateway, history, [minted.record], revoked_by=again.revoked_by or "", now=now)
        return Opened(Outcome.REVOKED, again)
    return Opened(Outcome.PORTAL, found, location=minted.link.location, detail=off, features=features)
