"""Frozen dataclasses that cross module boundaries. No protobuf or SQL types leak past here.

Every timestamp is timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

FEATURE_LABELS = {"sso": "SSO", "dir_sync": "Directory sync"}
FEATURES = tuple(FEATURE_LABELS)  # the admin portal's features, in display order


# Who may do what, in order: each role can do all the one before it can.
ROLES = ("viewer", "rep", "manager", "admin")
ROLE_LABELS = {"viewer": "Viewer", "rep": "Rep", "manager": "Manager", "admin": "Admin"}


@dataclass(frozen=True)
class Operator:
    """Who is acting, and how Portal Desk knows it."""

    name: str | None  # the signed-in email, DASHBOARD_OPERATOR, or a typed name; None: unknown
    role: str = "viewer"  # one of ROLES
    source: str = "unknown"  # "sign-in", "environment", "typed" or "unknown"
    display_name: str | None = None  # from the identity provider, when it says
    to_act: str | None = None  # unknown only: what would name them, exactly (a sentence)

    @property
    def known(self) -> bool:
        return bool(self.name)

    @property
    def verified(self) -> bool:
        """Signed in through the identity provider, or named by whoever deployed Portal Desk."""
        return self.source in ("sign-in", "environment")


# An organization id as Scalekit's rules describe it ("org_" prefix, at most 32 characters). A
# query parameter that does not look like one is refused before any call or any rendering.
ORGANIZATION_ID = re.compile(r"^org_[A-Za-z0-9]{1,28}$")


def is_organization_id(value: object) -> bool:
    return isinstance(value, str) and ORGANIZATION_ID.match(value) is not None


@dataclass(frozen=True)
class Organization:
    id: str
    display_name: str
    external_id: str | None
    region: str  # "US", "EU" or "" when Scalekit doesn't say
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    sso_feature: bool = False  # the admin portal may show SSO settings
    dir_sync_feature: bool = False  # the admin portal may show directory sync settings
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def enabled_features(self) -> tuple[str, ...]:
        return tuple(
            name for name, on in (("sso", self.sso_feature), ("dir_sync", self.dir_sync_feature)) if on
        )


@dataclass(frozen=True)
class PortalLink:
    """A link to the admin portal. ``location`` is a credential: it is kept out of ``repr``."""

    id: str
    organization_id: str
    expires_at: dt.datetime | None
    location: str = field(repr=False)

    def remaining(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        if self.expires_at is None:
            return None
        return self.expires_at - (now or dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class Connection:
    id: str
    organization_id: str
    provider: str  # display name: "Okta", "Microsoft Entra ID", ...
    type: str  # "SAML", "OIDC", ...
    status: str  # "draft", "in_progress", "completed"
    enabled: bool
    created_at: dt.datetime | None


@dataclass(frozen=True)
class Directory:
    id: str
    organization_id: str
    name: str
    provider: str
    enabled: bool
    total_users: int
    total_groups: int
    last_synced_at: dt.datetime | None


@dataclass(frozen=True)
class Domain:
    id: str
    organization_id: str
    domain: str
    verification_status: str  # "verified", "pending", ...
    created_at: dt.datetime | None


# What a link minted at Scalekit was for. "shareable" is the kind of the 7-day links of earlier
# versions, kept in old histories; new links are minted for an invitation's open, for a rep who
# opens the portal now ("direct"), or for the Portal preview ("embed").
LINK_KINDS = ("invitation", "direct", "embed", "shareable")
KIND_LABELS = {
    "invitation": "Invitation",
    "direct": "Direct link",
    "embed": "Preview",
    "shareable": "Shareable link (legacy)",
}
# Where a mint stands: written "pending" before Scalekit is asked, "minted" with the answer,
# "failed" when Scalekit refused, "unknown" when no answer came (a time-out, a crash) and the
# link's minute has passed, so it can no longer be opened whatever happened.
MINT_STATES = ("pending", "minted", "failed", "unknown")


def features_text(features: tuple[str, ...]) -> str:
    return " + ".join(FEATURE_LABELS.get(name, name) for name in features)


@dataclass(frozen=True)
class Issuance:
    """One link Portal Desk asked Scalekit for, as the history keeps it (never its location)."""

    id: int
    link_id: str | None  # kept only while the link can be opened
    organization_id: str
    organization_name: str
    features: tuple[str, ...]
    kind: str  # one of LINK_KINDS
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    environment: str
    link_fingerprint: str | None
    recipient_email: str | None = None
    note: str | None = None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    invitation_id: int | None = None
    state: str = "minted"  # one of MINT_STATES

    def status(self, now: dt.datetime | None = None) -> str:
        """ "pending", "failed", "unknown", "revoked", "expired" or "active"."""
        if self.state != "minted":
            return self.state
        if self.revoked_at is not None:
            return "revoked"
        now = now or dt.datetime.now(dt.UTC)
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


INVITATION_DAYS = (1, 30)  # the lifetimes a rep may choose
DEFAULT_INVITATION_DAYS = 7


@dataclass(frozen=True)
class Invitation:
    """An invitation as the history keeps it: everything but its token (only a hash is kept)."""

    id: int
    reference: str  # "INV-000123": names it anywhere, opens nothing
    environment: str
    organization_id: str
    organization_name: str
    features: tuple[str, ...]
    issued_by: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    recipient_email: str | None = None
    note: str | None = None
    sent_at: dt.datetime | None = None
    first_opened_at: dt.datetime | None = None
    last_opened_at: dt.datetime | None = None
    open_count: int = 0

    def status(self, now: dt.datetime | None = None) -> str:
        """ "revoked", "expired", "opened" or "not opened"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or dt.datetime.now(dt.UTC)):
            return "expired"
        return "opened" if self.open_count else "not opened"

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.status(now) in ("opened", "not opened")


def reference_for(invitation_id: int) -> str:
    return f"INV-{invitation_id:06d}"


# How far an organization's SSO setup has got, in order.
SSO_STATES = ("none", "draft", "in_progress", "configured", "enabled")
SSO_LABELS = {
    "none": "None",
    "draft": "Draft",
    "in_progress": "In progress",
    "configured": "Configured, off",
    "enabled": "Enabled",
}
SCIM_STATES = ("none", "disabled", "enabled")


@dataclass(frozen=True)
class OnboardingStatus:
    """An organization's SSO and directory sync state, derived from its connections/directories."""

    organization_id: str
    sso: str | None  # one of SSO_STATES; None: not known yet
    sso_provider: str | None
    scim: str | None  # one of SCIM_STATES; None: not known yet
    scim_users: int | None
    fetched_at: dt.datetime
    changed_at: dt.datetime | None = None  # when sso, provider or scim last changed (the snapshot)

    @property
    def complete(self) -> bool:
        return self.sso is not None and self.scim is not None


@dataclass(frozen=True)
class InvitationSummary:
    """What the history says of an organization's invitations, for the Organizations table."""

    organization_id: str
    usable: int  # invitations that can still be opened
    next_expiry: dt.datetime | None  # soonest expiry among those
    opened: int  # usable ones opened at least once
    last_issued_at: dt.datetime
    last_issued_by: str
    last_expires_at: dt.datetime
    last_revoked_at: dt.datetime | None
    last_opened_at: dt.datetime | None  # of any invitation of the organization


@dataclass(frozen=True)
class OrganizationDetail:
    organization: Organization
    connections: tuple[Connection, ...]
    directories: tuple[Directory, ...]
    domains: tuple[Domain, ...]
    # What did not arrive before the deadline (or failed): part name -> the sentence to show.
    missing: tuple[tuple[str, str], ...] = ()

    def lacks(self, part: str) -> str | None:
        return dict(self.missing).get(part)


# What the activity log records: one row per action a person took in Portal Desk.
ACTIVITY_LABELS = {
    "signed_in": "Signed in",
    "invitation_created": "Invitation created",
    "invitation_sent": "Invitation emailed",
    "invitation_extended": "Invitation extended",
    "invitation_resent": "Invitation resent with a new link",
    "invitation_revoked": "Invitation revoked",
    "direct_link": "Portal opened for a call",
    "preview_started": "Preview session started",
    "organization_created": "Organization created",
    "organization_updated": "Organization updated",
    "organization_deleted": "Organization deleted",
    "feature_toggled": "Admin portal feature changed",
    "csv_exported": "CSV exported",
}


@dataclass(frozen=True)
class Activity:
    """One action, as the activity log keeps it (``details`` never holds a secret)."""

    environment: str
    at: dt.datetime
    actor: str
    role: str
    action: str  # a key of ACTIVITY_LABELS
    organization_id: str | None = None
    organization_name: str | None = None
    details: str = "{}"  # JSON
    id: int | None = None


# The eight UI events Scalekit's docs list for the embedded portal.
PORTAL_EVENT_TYPES = (
    "ORGANIZATION_SSO_ENABLED",
    "ORGANIZATION_SSO_DISABLED",
    "ORGANIZATION_DIRECTORY_ENABLED",
    "ORGANIZATION_DIRECTORY_DISABLED",
    "PORTAL_LOAD_SUCCESS",
    "PORTAL_LOAD_FAILURE",  # data.error_code (e.g. SESSION_EXPIRED); no organization_id
    "PORTAL_SESSION_WARNING",  # five minutes before the end; data.expiry
    "PORTAL_SESSION_EXPIRY",  # data.expiry
)


@dataclass(frozen=True)
class PortalEvent:
    """A UI event the embedded admin portal posted to the preview page."""

    organization_id: str
    event_type: str  # one of PORTAL_EVENT_TYPES
    message: str
    payload: str  # the event as received, JSON
    received_at: dt.datetime
    environment: str
    id: int | None = None  # set once stored
    actor: str | None = None  # the rep in whose preview session it happened
