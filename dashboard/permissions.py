"""Who may do what: one table, checked by the services (the UI only reflects it).

Roles are ordered: a manager can do all a rep can, an admin all a manager can.
"""

from __future__ import annotations

from .errors import NotPermitted
from .models import ROLE_LABELS, ROLES, Operator

# action -> the least role that may take it
REQUIRED = {
    "read": "viewer",
    "invite": "rep",  # create, send, extend and resend invitations
    "direct_link": "rep",
    "preview": "rep",
    "revoke_own": "rep",  # revoke, extend or resend one's own invitation
    "revoke_any": "manager",  # ... or anyone's
    "stats_all": "manager",  # a rep sees their own work
    "export": "manager",
    "activity": "manager",
    "create_organization": "admin",
    "organization_settings": "admin",  # features, name, external id, deletion
}
DOING = {
    "invite": "create or change invitations",
    "direct_link": "open the portal for a call",
    "preview": "preview the admin portal",
    "revoke_own": "revoke invitations",
    "revoke_any": "revoke, extend or resend another rep's invitation",
    "stats_all": "see the whole team's statistics",
    "export": "export CSV files",
    "activity": "read the activity log",
    "create_organization": "create organizations",
    "organization_settings": "change an organization's settings",
}


def can(operator: Operator, action: str) -> bool:
    if not operator.known:
        return action == "read"
    return ROLES.index(operator.role) >= ROLES.index(REQUIRED[action])


def require(operator: Operator, action: str) -> str:
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


def revoking(operator: Operator, issued_by: str) -> str:
    """The permission revoking, extending or resending an invitation takes: a rep's own, or
    anyone's. The three go together: extending a colleague's invitation keeps alive a URL they
    meant to let lapse, and resending it kills the URL they emailed."""
    return "revoke_own" if operator.known and issued_by == operator.name else "revoke_any"


def reason(operator: Operator, action: str) -> str | None:
    """Why a button is disabled, or None when the operator may use it (for the UI's help text)."""
    try:
        require(operator, action)
    except NotPermitted as refused:
        return str(refused)
    return None
