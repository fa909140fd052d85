"""Who may do what: one table, checked by the services (the UI only reflects it).

Roles are ordered: a manager can do all a rep can, an admin all a manager can.
"""

from __future__ import annotations

from typing import Literal

from .errors import NotPermitted
from .models import ROLE_LABELS, ROLES, Operator, Role

# What an operator may be allowed to do: a misspelt permission is a type error, not a refusal.
Permission = Literal[
    "read",
    "invite",
    "direct_link",
    "preview",
    "revoke_own",
    "revoke_any",
    "stats_all",
    "export",
    "own",
    "assign_owner",
    "activity",
    "create_organization",
    "organization_settings",
]

# action -> the least role that may take it
REQUIRED: dict[Permission, Role] = {
    "read": Role.VIEWER,
    "invite": Role.REP,  # create, send, extend, resend and remind invitations
    "direct_link": Role.REP,
    "preview": Role.REP,
    "revoke_own": Role.REP,  # revoke, extend, resend or remind one's own invitation
    "revoke_any": Role.MANAGER,  # ... or anyone's
    "stats_all": Role.MANAGER,  # a rep sees their own work
    "export": Role.MANAGER,
    "own": Role.REP,  # take an organization no one else owns, or give up one's own
    "assign_owner": Role.MANAGER,  # give an organization to anyone, or take it from its owner
    "activity": Role.MANAGER,
    "create_organization": Role.ADMIN,
    "organization_settings": Role.ADMIN,  # features, name, external id, deletion
}
DOING: dict[Permission, str] = {
    "invite": "create or change invitations",
    "direct_link": "open the portal for a call",
    "preview": "preview the admin portal",
    "revoke_own": "revoke invitations",
    "revoke_any": "revoke, extend, resend or send a reminder for another rep's invitation",
    "stats_all": "see the whole team's statistics",
    "export": "export CSV files",
    "own": "take ownership of organizations",
    "assign_owner": "hand an organization to another rep",
    "activity": "read the activity log",
    "create_organization": "create organizations",
    "organization_settings": "change an organization's settings",
}


def can(operator: Operator, action: Permission) -> bool:
    if not operator.known:
        return action == "read"
    return ROLES.index(operator.role) >= ROLES.index(REQUIRED[action])


def require(operator: Operator, action: Permission) -> str:
    """The operator's name, or NotPermitted saying which role it takes."""
    if not operator.known:
        how = operator.to_act or "Sign in to act."
        raise NotPermitted(f"Portal Desk does not know who you are, so you cannot {DOING[action]}. {how}")
    if not can(operator, action):
        needed = ROLE_LABELS[REQUIRED[action]].lower()
        article = "an" if needed[0] in "aeiou" else "a"
        raise NotPermitted(
            f"Your role ({ROLE_LABELS[operator.role].lower()}) cannot {DOING[action]}: it takes {article} "
            f"{needed} or above. Ask {'an admin' if needed == 'admin' else 'a manager'}."
        )
    return operator.name or ""


def revoking(operator: Operator, issued_by: str) -> Permission:
    """The permission revoking, extending, resending or reminding an invitation takes: a rep's
    own, or anyone's. They go together: extending a colleague's invitation keeps alive a URL they
    meant to let lapse, resending it kills the URL they emailed, and a reminder writes to their
    customer in their name's place (the reply would reach the one who reminded)."""
    return "revoke_own" if operator.known and issued_by == operator.name else "revoke_any"


def reason(operator: Operator, action: Permission) -> str | None:
    """Why a button is disabled, or None when the operator may use it (for the UI's help text)."""
    try:
        require(operator, action)
    except NotPermitted as refused:
        return str(refused)
    return None
