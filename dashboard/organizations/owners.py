"""Owners: the rep who looks after an organization. Someone sets one on the organization's detail
view; until then its owner is the rep who sent its last invitation (the one the customer knows).

Who may: a rep takes an organization no one else owns, or gives up their own; a manager (or an
admin) hands any organization to anyone, takes it from its owner, or clears it. Every change is
in the activity log, written with it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ..activity import entry
from ..errors import InvalidInput
from ..history import History
from ..models import ActivityAction, InvitationSummary, Operator, Organization
from ..permissions import require

OWNER_MAX = 255


@dataclass(frozen=True)
class Owner:
    """Who owns an organization, and whether someone set it (or it is its last inviter)."""

    name: str | None
    chosen: bool  # set by someone; False: the last inviter, or nobody


def owner_of(
    organization_id: str, owners: Mapping[str, str], summaries: Mapping[str, InvitationSummary]
) -> Owner:
    if organization_id in owners:
        return Owner(owners[organization_id], True)
    summary = summaries.get(organization_id)
    return Owner(summary.last_issued_by if summary else None, False)


def current(history: History, environment: str, organization_id: str) -> Owner:
    """One organization's owner, read now (the detail view)."""
    chosen = history.owners.of(environment, organization_id)
    if chosen is not None:
        return Owner(chosen, True)
    last = history.invitations.for_organization(environment, organization_id, limit=1)
    return Owner(last[0].issued_by if last else None, False)


def _name(owner: str | None) -> str | None:
    if owner is None:
        return None
    name = owner.strip()
    if not name:
        return None
    if len(name) > OWNER_MAX:
        raise InvalidInput(f"An owner is named in at most {OWNER_MAX} characters: their sign-in email.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidInput("An owner's name cannot hold control characters: use their sign-in email.")
    return name


def set_owner(
    history: History,
    operator: Operator,
    *,
    environment: str,
    organization: Organization,
    owner: str | None,
) -> Owner:
    """Make ``owner`` (None or "": nobody, so the last inviter shows again) the organization's
    owner. Refused with a sentence when the operator's role does not allow it."""
    me = require(operator, "own")
    wanted = _name(owner)
    before = history.owners.of(environment, organization.id)
    if wanted == before:
        raise InvalidInput(
            f"{wanted} already owns this organization." if wanted else "Nobody owns this organization yet."
        )
    # A rep's own ownership: taking one nobody has set, or giving up their own. The rest is a
    # manager's call (handing an organization over, or taking it from a colleague).
    if not ((wanted == me and before is None) or (wanted is None and before == me)):
        require(operator, "assign_owner")
    made = entry(
        operator,
        ActivityAction.OWNER_SET,
        environment,
        organization=organization,
        details={"owner": wanted or "nobody (the last inviter shows)", "was": before or "nobody"},
    )
    history.owners.set(made, wanted)
    return Owner(wanted, wanted is not None)


def team(history: History, environment: str) -> list[str]:
    """The people an organization can be handed to: everyone the activity log has seen act here,
    and every owner already set (a manager may also type a new one)."""
    return sorted({*history.activity.actors(environment), *history.owners.load(environment).values()} - {""})
