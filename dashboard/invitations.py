"""Invitations: the durable way into the admin portal for a customer's IT admin.

A link from Scalekit's API lives a minute and opens once, so it cannot be emailed. An invitation
is a URL on Portal Desk's relay instead; every open of it mints a fresh portal link and redirects
to it, and the rep sees whether, and when, it was opened. The invitation's token is the durable
credential: 32 random bytes, shown once, and only its SHA-256 is kept.

So a reminder cannot carry the URL: nothing can recover it, by design. ``remind`` points the
customer to the message that carries the link (the invitation email of that date, or the link the
rep sent that day) and offers a new one by reply. Keeping an encrypted copy of every token, with a
key from the settings, would let a reminder repeat the URL, but then the database and that key
together would open every live invitation; today the database alone opens none.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .activity import entry
from .errors import InvalidInput
from .gateway import ScalekitGateway
from .history import History, NewInvitation, fingerprint
from .links import revoke_live, wanted_features
from .mailer import EMAIL, Mailer
from .messages import invitation_email, reminder_chat, reminder_email, sender_for
from .models import (
    FEATURES,
    MAX_INVITATION_DAYS,
    MIN_INVITATION_DAYS,
    Activity,
    ActivityAction,
    Feature,
    Invitation,
    Operator,
    Organization,
)
from .permissions import require, revoking

NOTE_MAX = 500
TOKEN_BYTES = 32


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    url: str = field(repr=False)  # holds the token: show it once, never store or log it
    # Features the organization had switched off when the invitation was made, so it opens less
    # of the portal than it could; the card says so rather than leave the rep to notice.
    switched_off: tuple[Feature, ...] = ()


def check_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidInput("That is not a valid email address. Fix it or leave it empty.")
    return email


def check_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is {len(note)} characters long; keep it to {NOTE_MAX} at most.")
    return note


def check_days(days: int) -> int:
    if not MIN_INVITATION_DAYS <= days <= MAX_INVITATION_DAYS:
        raise InvalidInput(
            f"An invitation lasts {MIN_INVITATION_DAYS} to {MAX_INVITATION_DAYS} days; "
            "choose a lifetime in that range."
        )
    return days


def invitation_url(relay_url: str, token: str) -> str:
    return f"{relay_url.rstrip('/')}/i/{token}"


def _relay(relay_url: str | None) -> str:
    if not relay_url:
        raise InvalidInput(
            "Invitations need the relay's public address: set DASHBOARD_RELAY_URL (see the README's "
            "deployment section). Meanwhile, open the portal now on a call instead."
        )
    return relay_url


def _done(
    operator: Operator, action: ActivityAction, invitation: Invitation, at: dt.datetime, **details: object
) -> Activity:
    """The activity entry for ``action`` on ``invitation`` (its reference is added as it is written)."""
    return entry(
        operator,
        action,
        invitation.environment,
        organization_id=invitation.organization_id,
        organization_name=invitation.organization_name,
        at=at,
        details=details,
    )


def create(
    gateway: ScalekitGateway,
    history: History,
    *,
    environment: str,
    relay_url: str | None,
    organization: Organization | None,
    features: Sequence[str],
    days: int,
    operator: Operator,
    recipient_email: str | None = None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> IssuedInvitation:
    """A new invitation; its URL is returned once. Bad input (or a role that may not invite)
    changes nothing.

    The organization is read afresh from Scalekit: one deleted, or a feature switched off, since
    the rep's list was loaded would otherwise make an invitation that cannot open."""
    issued_by = require(operator, "invite")
    base = _relay(relay_url)
    if organization is None:
        raise InvalidInput("Choose an organization first.")
    email, text = check_email(recipient_email), check_note(note)
    lifetime = dt.timedelta(days=check_days(days))
    organization = gateway.get_organization(organization.id)
    wanted = wanted_features(organization, features)
    now = now or dt.datetime.now(dt.UTC)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    made = NewInvitation(
        token_hash=fingerprint(token),
        environment=environment,
        organization_id=organization.id,
        organization_name=organization.display_name,
        features=wanted,
        issued_by=issued_by,
        issued_at=now,
        expires_at=now + lifetime,
        recipient_email=email,
        note=text,
    )
    did = entry(
        operator,
        ActivityAction.INVITATION_CREATED,
        environment,
        organization=organization,
        at=now,
        details={"features": list(wanted), "days": days, "recipient": email or ""},
    )
    saved = history.invitations.create(made, activity=did)
    off = tuple(f for f in FEATURES if f not in organization.enabled_features)
    return IssuedInvitation(invitation=saved, url=invitation_url(base, token), switched_off=off)


def of_organization(history: History, environment: str, org_id: str, limit: int = 50) -> list[Invitation]:
    """The organization's invitations, newest first, as the history has them now."""
    return history.invitations.for_organization(environment, org_id, limit=limit)


def _existing(history: History, environment: str, invitation_id: int) -> Invitation:
    found = history.invitations.get(environment, invitation_id)
    if found is None:
        raise InvalidInput("That invitation is not in this environment's history. Refresh the page.")
    return found


def revoke(
    gateway: ScalekitGateway,
    history: History,
    *,
    environment: str,
    invitation_id: int,
    operator: Operator,
    now: dt.datetime | None = None,
) -> Invitation:
    """The invitation stops opening at once, and access through it ends: every link it minted that
    may still be opened or back a portal session (six hours) is deleted at Scalekit, which ends
    the session (a link another mint shares is only recorded: see links.revoke_live). An open
    racing this revoke deletes its own fresh link (relay/opening.py). A rep revokes their own; a
    manager anyone's."""
    require(operator, "revoke_own")
    now = now or dt.datetime.now(dt.UTC)
    current = _existing(history, environment, invitation_id)
    by = require(operator, revoking(operator, current.issued_by))
    did = _done(operator, ActivityAction.INVITATION_REVOKED, current, now, issued_by=current.issued_by)
    revoked = history.invitations.revoke(environment, invitation_id, by, now, activity=did)
    if revoked is None:
        raise InvalidInput(f"{current.reference} was already revoked.")
    live = history.links.revocable(environment, now, invitation_id=invitation_id)
    revoke_live(gateway, history, live, revoked_by=by, now=now)
    return revoked


def extend(
    history: History,
    *,
    environment: str,
    invitation_id: int,
    days: int,
    operator: Operator,
    now: dt.datetime | None = None,
) -> Invitation:
    """A fresh lifetime from now (an expired invitation works again); a revoked one stays revoked.
    A rep extends their own; a manager anyone's."""
    require(operator, "invite")
    now = now or dt.datetime.now(dt.UTC)
    lifetime = dt.timedelta(days=check_days(days))
    current = _existing(history, environment, invitation_id)
    require(operator, revoking(operator, current.issued_by))
    did = _done(operator, ActivityAction.INVITATION_EXTENDED, current, now, days=days)
    extended = history.invitations.extend(environment, invitation_id, now + lifetime, activity=did)
    if extended is None:
        raise InvalidInput(f"{current.reference} was revoked; create a new invitation instead.")
    return extended


def replace_link(
    history: History,
    *,
    environment: str,
    relay_url: str | None,
    invitation_id: int,
    operator: Operator,
    now: dt.datetime | None = None,
) -> IssuedInvitation:
    """Resend: a new URL for the same invitation. The old URL stops working, so a resent email
    never leaves two working copies behind. A rep resends their own; a manager anyone's."""
    require(operator, "invite")
    base = _relay(relay_url)
    current = _existing(history, environment, invitation_id)
    require(operator, revoking(operator, current.issued_by))
    if not current.usable():
        raise InvalidInput(
            f"{current.reference} is {current.status()}; extend it first, or create a new one."
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    did = _done(operator, ActivityAction.INVITATION_RESENT, current, now or dt.datetime.now(dt.UTC))
    replaced = history.invitations.replace_token(environment, invitation_id, fingerprint(token), activity=did)
    if replaced is None:
        raise InvalidInput(f"{current.reference} was revoked meanwhile.")
    return IssuedInvitation(invitation=replaced, url=invitation_url(base, token))


def send(
    history: History,
    mailer: Mailer,
    issued: IssuedInvitation,
    *,
    operator: Operator,
    now: dt.datetime | None = None,
) -> Invitation:
    """Email the invitation to its recipient, signed by the rep with Reply-To them; recorded as
    sent only once the server took it."""
    require(operator, "invite")
    recipient = issued.invitation.recipient_email
    if not recipient:
        raise InvalidInput("Add the IT admin's email address to send the invitation.")
    sender = sender_for(operator)
    subject, body = invitation_email(issued.invitation, issued.url, sender)
    mailer.send(recipient, subject, body, reply_to=sender)
    now = now or dt.datetime.now(dt.UTC)
    did = _done(operator, ActivityAction.INVITATION_SENT, issued.invitation, now, recipient=recipient)
    sent = history.invitations.mark_sent(
        issued.invitation.environment, issued.invitation.id, now, activity=did
    )
    return sent or issued.invitation


@dataclass(frozen=True)
class Reminder:
    """A reminder as recorded. ``channel`` says how it goes: "email" (sent already, to
    ``recipient``) or "chat" (``text`` is for the rep to paste: Portal Desk cannot see a chat, so
    handing the text over is what is recorded). The text carries no link, so it may be kept."""

    invitation: Invitation  # with its reminder count and last reminder
    channel: Literal["email", "chat"]
    text: str
    recipient: str | None = None


def remind(
    history: History,
    mailer: Mailer | None,
    *,
    environment: str,
    invitation_id: int,
    operator: Operator,
    now: dt.datetime | None = None,
) -> Reminder:
    """Remind the IT admin of an active invitation (not revoked, not expired), opened or not: the
    same URL keeps working, unlike "Resend with a new link". Emailed when a mail server is set up
    and the invitation has a recipient, else a text to paste into a chat.

    Only the token's hash is kept (module docstring), so the reminder names the message that
    carries the link instead of repeating it, and offers a new one by reply. An opened invitation
    can be reminded too (the customer may have stopped half-way); the text then says to open it
    again to finish. Recorded (count, when, who, and an activity entry) only once the email is
    sent: a mail server that fails records nothing. The issuing rep reminds, or a manager."""
    require(operator, "invite")
    now = now or dt.datetime.now(dt.UTC)
    current = _existing(history, environment, invitation_id)
    by = require(operator, revoking(operator, current.issued_by))
    status = current.status(now)
    if status == "revoked":
        raise InvalidInput(
            f"{current.reference} is revoked, so there is nothing to remind of. Create a new one."
        )
    if status == "expired":
        raise InvalidInput(
            f"{current.reference} has expired, so its link no longer opens. Extend it first (the same "
            "link then works again), or create a new one."
        )
    link_from = history.invitations.link_since(environment, invitation_id) or current.issued_at
    emailed = current.sent_at is not None and current.sent_at >= link_from
    if emailed and current.sent_at is not None:
        link_from = current.sent_at
    recipient = current.recipient_email
    if mailer is not None and recipient:
        sender = sender_for(operator)
        subject, body = reminder_email(current, sender, link_from=link_from, emailed=emailed)
        mailer.send(recipient, subject, body, reply_to=sender)  # raises MailError: nothing recorded
        channel: Literal["email", "chat"] = "email"
        text = body
    else:
        channel, text = "chat", reminder_chat(current, link_from=link_from, emailed=emailed)
    did = _done(
        operator,
        ActivityAction.INVITATION_REMINDED,
        current,
        now,
        channel=channel,
        recipient=recipient if channel == "email" else "",
        opens=current.open_count,
    )
    reminded = history.invitations.remind(environment, invitation_id, by, now, activity=did)
    if reminded is None:
        went = "The email went out, but the" if channel == "email" else "The"
        raise InvalidInput(
            f"{current.reference} was revoked or expired meanwhile. {went} reminder was not recorded: "
            "create a new invitation for the IT admin."
        )
    return Reminder(
        invitation=reminded, channel=channel, text=text, recipient=recipient if channel == "email" else None
    )
