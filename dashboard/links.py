"""Issuing and revoking admin portal links: Scalekit and the history, kept in step.

A link is a credential: anyone holding it can change the customer's SSO and SCIM settings. So
no link may exist that the history does not know about (a failed record revokes the fresh link),
and the history never holds a location, only its fingerprint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InvalidInput, NotFound, ScalekitError
from .gateway import FEATURES, ScalekitGateway
from .models import ISSUANCE_KINDS, Issuance, Organization, PortalLink
from .store import REVOKED_OUTSIDE, IssuanceStore, NewIssuance, StoreError, fingerprint

# Pragmatic, not RFC 5322: one @, no spaces, a dot in the domain, sane length.
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
NOTE_MAX = 500
SHORT_LIVED = dt.timedelta(hours=1)


@dataclass(frozen=True)
class IssuedLink:
    link: PortalLink  # holds the location: show it once, never store or log it
    issuance: Issuance

    @property
    def short_lived(self) -> bool:
        remaining = self.link.remaining()
        return remaining is not None and remaining < SHORT_LIVED


@dataclass(frozen=True)
class ActiveLink:
    """A link Scalekit reports as active, with what the history knows of it (if anything)."""

    link_id: str
    expires_at: dt.datetime | None
    issuance: Issuance | None  # None: issued outside Portal Desk (e.g. Scalekit's dashboard)


def check_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput(f"“{email}” is not a valid email address. Fix it or leave it empty.")
    return email


def issue_link(
    gateway: ScalekitGateway,
    store: IssuanceStore,
    *,
    environment: str,
    organization: Organization | None,
    features: Sequence[str],
    operator: str | None,
    kind: str = "shareable",
    recipient_email: str | None = None,
    note: str | None = None,
) -> IssuedLink:
    """Generate at Scalekit, record in the history, return both. Bad input changes nothing."""
    if not operator:
        raise InvalidInput("Tell Portal Desk who you are (sidebar) before issuing links.")
    if organization is None:
        raise InvalidInput("Choose an organization first.")
    wanted = tuple(f for f in FEATURES if f in set(features))
    if not wanted:
        raise InvalidInput("Choose at least one feature: SSO or Directory sync.")
    if kind not in ISSUANCE_KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    email = check_email(recipient_email)
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is {len(note)} characters long; keep it to {NOTE_MAX} at most.")

    link = gateway.generate_portal_link(organization.id, wanted)
    try:
        issuance = store.record_issuance(
            NewIssuance(
                link_id=link.id,
                organization_id=organization.id,
                organization_name=organization.display_name,
                features=wanted,
                kind=kind,
                issued_by=operator,
                issued_at=dt.datetime.now(dt.UTC),
                expires_at=link.expires_at,
                environment=environment,
                link_fingerprint=fingerprint(link.location),
                recipient_email=email,
                note=note,
            )
        )
    except StoreError as exc:
        try:
            gateway.revoke_portal_link(organization.id, link.id)
        except ScalekitError as revoke_error:
            raise StoreError(
                f"{exc} The new link could not be revoked either ({revoke_error}) — revoke link "
                f"{link.id} in Scalekit's dashboard now."
            ) from exc
        raise type(exc)(f"{exc} The new link was revoked at Scalekit, so no unrecorded link exists.") from exc
    return IssuedLink(link=link, issuance=issuance)


def revoke_link(
    gateway: ScalekitGateway,
    store: IssuanceStore,
    *,
    environment: str,
    org_id: str,
    link_id: str,
    operator: str | None,
) -> None:
    """Revoke at Scalekit, then record who did it."""
    if not operator:
        raise InvalidInput("Tell Portal Desk who you are (sidebar) before revoking links.")
    try:
        gateway.revoke_portal_link(org_id, link_id)
    except NotFound as exc:
        # Gone already (revoked or expired elsewhere): say so; the next listing reconciles it.
        raise NotFound(
            "That link is no longer active at Scalekit: it was revoked or expired "
            "meanwhile. The list has been refreshed."
        ) from exc
    store.record_revocation(environment, [link_id], operator, dt.datetime.now(dt.UTC))


def active_links(
    gateway: ScalekitGateway, store: IssuanceStore, *, environment: str, org_id: str
) -> list[ActiveLink]:
    """The org's active links from Scalekit, joined with the history, newest first.

    Links the history thinks are active but Scalekit no longer lists were revoked outside Portal
    Desk; they are recorded as such, so the history stays true.
    """
    links = gateway.list_portal_links(org_id)
    listed = {link.id for link in links}
    now = dt.datetime.now(dt.UTC)
    history = store.issuances_for_organization(environment, org_id)
    vanished = [i.link_id for i in history if i.status(now) == "active" and i.link_id not in listed]
    store.record_revocation(environment, vanished, REVOKED_OUTSIDE, now)
    known = {i.link_id: i for i in history}
    rows = [ActiveLink(link.id, link.expires_at, known.get(link.id)) for link in links]
    return sorted(
        rows,
        key=lambda r: r.issuance.issued_at if r.issuance else dt.datetime.min.replace(tzinfo=dt.UTC),
        reverse=True,
    )
