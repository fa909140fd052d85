"""A plausible history for the emulator's organizations, so the Organizations and stats pages mean
something on a first run: invitations that were opened (or not), direct links, previews, and SSO
enabled after an open where the emulator says SSO is on.

Demo rows are filed under the ``emulator`` environment only, never a live one. They are read
through the gateway like any other data, and deterministic from the seed like the emulator's own.
"""

from __future__ import annotations

import datetime as dt
import random

from .activity import entry
from .errors import ScalekitError
from .gateway import ScalekitGateway
from .history import History, NewInvitation, NewLink, fingerprint
from .models import Activity, ActivityAction, Feature, LinkKind, Operator, Role

# A few people do most of the work: the skew a manager expects to see. Every one of them can sign
# in on the emulator (its directory, scalekit_emulator/backends/identity.py), under that name and
# role, so whoever a demo signs in as sees their own work and the stats name everyone.
REPS: tuple[tuple[str, str, Role, int], ...] = (
    ("ana.silva@portaldesk.example", "Ana Silva", Role.REP, 30),
    ("ben.okafor@portaldesk.example", "Ben Okafor", Role.REP, 22),
    ("chloe.martin@portaldesk.example", "Chloe Martin", Role.REP, 18),
    ("maya.chen@portaldesk.example", "Maya Chen", Role.MANAGER, 9),
    ("omar.haddad@portaldesk.example", "Omar Haddad", Role.ADMIN, 4),
)
ROLES: dict[str, Role] = {email: role for email, _, role, _ in REPS}
ORGANIZATIONS = 150
DAYS = 182
LINK_LIFETIME = dt.timedelta(minutes=1)


def _workday(rng: random.Random, day: dt.datetime) -> dt.datetime:
    """Reps work on working days, mostly in office hours."""
    while day.weekday() >= 5 and rng.random() < 0.85:
        day -= dt.timedelta(days=1)
    return day.replace(hour=rng.choice((9, 10, 11, 13, 14, 15, 16)), minute=rng.randrange(60))


def _mint(
    rng: random.Random,
    org_id: str,
    name: str,
    features: tuple[Feature, ...],
    kind: LinkKind,
    by: str,
    at: dt.datetime,
    invitation_index: int | None = None,
) -> NewLink:
    return NewLink(
        organization_id=org_id,
        organization_name=name,
        features=features,
        kind=kind,
        issued_by=by,
        issued_at=at,
        environment="emulator",
        invitation_id=None,
        expires_at=at + LINK_LIFETIME,
        link_fingerprint=fingerprint(f"demo-{rng.getrandbits(64):016x}"),
        invitation_index=invitation_index,
    )


def seed_demo_history(history: History, gateway: ScalekitGateway, *, seed: int = 7) -> int:
    """Fill an empty emulator history; returns the number of items written (0 if not empty)."""
    if history.has_history("emulator"):
        return 0
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    try:
        picks = gateway.list_organizations()[:ORGANIZATIONS]
        enabled = {org.id for org in picks if any(c.enabled for c in gateway.list_connections(org.id))}
    except ScalekitError:
        return 0  # no demo history is better than a half one; the next start tries again
    reps = [email for email, *_ in REPS]
    weights = [weight for *_, weight in REPS]
    invitations: list[NewInvitation] = []
    links: list[NewLink] = []
    observations: list[tuple[str, str, object, str]] = []
    for org in picks:
        features = org.enabled_features or (Feature.SSO,)
        owner = rng.choices(reps, weights)[0]
        first = _workday(rng, now - dt.timedelta(days=rng.uniform(3, DAYS)))
        first_open: dt.datetime | None = None
        for n in range(rng.choice((1, 1, 2, 2, 3, 4))):
            issued = first + dt.timedelta(days=n * rng.uniform(6, 20))
            if issued >= now:
                break
            lifetime = dt.timedelta(days=rng.choice((7, 7, 7, 14, 30)))
            opens: list[dt.datetime] = []
            if rng.random() < 0.72:
                opened = issued + dt.timedelta(
                    hours=min(lifetime.total_seconds() / 3600 - 1, rng.lognormvariate(2.2, 1.1))
                )
                opens = sorted(
                    opened + dt.timedelta(hours=rng.uniform(0, 48)) for _ in range(rng.choice((1, 1, 2, 3)))
                )
                opens = [t for t in opens if t < min(now, issued + lifetime)]
            revoked = (
                issued + dt.timedelta(hours=rng.uniform(1, 60)) if not opens and rng.random() < 0.08 else None
            )
            if revoked is not None and revoked >= now:
                revoked = None
            index = len(invitations)
            invitations.append(
                NewInvitation(
                    token_hash=fingerprint(f"demo-token-{rng.getrandbits(128):032x}"),
                    environment="emulator",
                    organization_id=org.id,
                    organization_name=org.display_name,
                    features=features,
                    issued_by=owner,
                    issued_at=issued,
                    expires_at=issued + lifetime,
                    recipient_email=f"it-admin@{org.display_name.split()[0].lower()}.example",
                    note=f"SUP-{rng.randrange(1000, 9999)}" if rng.random() < 0.4 else None,
                    sent_at=issued + dt.timedelta(minutes=1) if rng.random() < 0.6 else None,
                    revoked_at=revoked,
                    revoked_by=owner if revoked else None,
                    first_opened_at=opens[0] if opens else None,
                    last_opened_at=opens[-1] if opens else None,
                    open_count=len(opens),
                )
            )
            links += [
                _mint(rng, org.id, org.display_name, features, LinkKind.INVITATION, owner, t, index)
                for t in opens
            ]
            if opens and first_open is None:
                first_open = opens[0]
        if rng.random() < 0.12:
            links.append(
                _mint(
                    rng,
                    org.id,
                    org.display_name,
                    features,
                    LinkKind.DIRECT,
                    owner,
                    _workday(rng, first + dt.timedelta(days=rng.uniform(1, 30))),
                )
            )
        # Previews: a Pareto-shaped spread, busy organizations get far more.
        for _ in range(int(rng.paretovariate(1.3) * 3)):
            when = first + dt.timedelta(days=rng.uniform(0, 40), hours=rng.uniform(0, 8))
            if when < now:
                links.append(
                    _mint(
                        rng,
                        org.id,
                        org.display_name,
                        features,
                        LinkKind.EMBED,
                        rng.choices(reps, weights)[0],
                        when,
                    )
                )
        if org.id in enabled:
            start = first_open or first
            lag = dt.timedelta(days=min(60.0, rng.lognormvariate(0.8, 0.9)))
            observations.append(("emulator", org.id, min(start + lag, now - dt.timedelta(hours=1)), "demo"))
    links = [link for link in links if link.issued_at < now]
    signed_in = [
        entry(Operator(email, role, "sign-in", name), ActivityAction.SIGNED_IN, "emulator",
              at=now - dt.timedelta(days=DAYS + 1), details={"provider": "demo", "name": name})
        for email, name, role, _ in REPS
    ]  # fmt: skip
    history.import_history(invitations, links, observations, signed_in + _activities(invitations, links))
    return len(invitations) + len(links)


_LINK_ACTIONS = {LinkKind.DIRECT: ActivityAction.DIRECT_LINK, LinkKind.EMBED: ActivityAction.PREVIEW_STARTED}


def _activities(invitations: list[NewInvitation], links: list[NewLink]) -> list[Activity]:
    """What the reps did, as the activity log would have recorded it."""
    done: list[Activity] = []

    def did(
        by: str, action: ActivityAction, at: dt.datetime, org_id: str, name: str, **details: object
    ) -> None:
        rep = Operator(by, ROLES.get(by, Role.REP), "sign-in")
        done.append(
            entry(
                rep,
                action,
                "emulator",
                organization_id=org_id,
                organization_name=name,
                at=at,
                details=details,
            )
        )

    for item in invitations:
        org = (item.organization_id, item.organization_name)
        days = round((item.expires_at - item.issued_at) / dt.timedelta(days=1))
        did(
            item.issued_by,
            ActivityAction.INVITATION_CREATED,
            item.issued_at,
            *org,
            features=list(item.features),
            days=days,
        )
        if item.sent_at:
            sent = ActivityAction.INVITATION_SENT
            did(item.issued_by, sent, item.sent_at, *org, recipient=item.recipient_email or "")
        if item.revoked_at and item.revoked_by:
            revoked = ActivityAction.INVITATION_REVOKED
            did(item.revoked_by, revoked, item.revoked_at, *org, issued_by=item.issued_by)
    for link in links:
        action = _LINK_ACTIONS.get(link.kind)
        if action:
            did(link.issued_by, action, link.issued_at, link.organization_id, link.organization_name,
                features=list(link.features))  # fmt: skip
    return done
