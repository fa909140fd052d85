"""Frozen dataclasses that cross module boundaries. No protobuf or SQL types leak past here.

Every timestamp is timezone-aware UTC. The words Portal Desk stores and compares (features,
roles, kinds, states, statuses, outcomes) are StrEnums, each with its labels beside it: a member
equals its string, so the history and the wire keep the words they always had.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Feature(StrEnum):
    """An admin portal feature, as Scalekit names it."""

    SSO = "sso"
    DIR_SYNC = "dir_sync"


FEATURE_LABELS: dict[Feature, str] = {Feature.SSO: "SSO", Feature.DIR_SYNC: "Directory sync"}
# Where a toggle has room to say which directory sync it is.
FEATURE_SETTING_LABELS: dict[Feature, str] = {Feature.SSO: "SSO", Feature.DIR_SYNC: "Directory sync (SCIM)"}
FEATURES: tuple[Feature, ...] = tuple(Feature)  # the admin portal's features, in display order


class Role(StrEnum):
    """Who may do what, in order: each role can do all the one before it can."""

    VIEWER = "viewer"
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


ROLES: tuple[Role, ...] = tuple(Role)
ROLE_LABELS: dict[Role, str] = {
    Role.VIEWER: "Viewer",
    Role.REP: "Rep",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Admin",
}

# How Portal Desk knows who is acting.
OperatorSource = Literal["sign-in", "environment", "typed", "unknown"]


class Region(StrEnum):
    """Where Scalekit keeps an organization's data: chosen when it is created."""

    US = "US"
    EU = "EU"


REGION_LABELS: dict[Region, str] = {Region.US: "US", Region.EU: "EU"}
REGIONS: tuple[Region, ...] = tuple(Region)


@dataclass(frozen=True)
class Operator:
    """Who is acting, and how Portal Desk knows it."""

    name: str | None  # the signed-in email, DASHBOARD_OPERATOR, or a typed name; None: unknown
    role: Role = Role.VIEWER
    source: OperatorSource = "unknown"
    display_name: str | None = None  # from the identity provider, when it says
    to_act: str | None = None  # unknown only: what would name them, exactly (a sentence)

    @property
    def known(self) -> bool:
        return bool(self.name)


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
    region: str  # Scalekit's region code ("US", "EU": see Region), or "" when it doesn't say
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    sso_feature: bool = False  # the admin portal may show SSO settings
    dir_sync_feature: bool = False  # the admin portal may show directory sync settings
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def enabled_features(self) -> tuple[Feature, ...]:
        return tuple(
            name
            for name, on in ((Feature.SSO, self.sso_feature), (Feature.DIR_SYNC, self.dir_sync_feature))
            if on
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


class ConnectionStatus(StrEnum):
    """How far a connection's setup has got, as Scalekit reports it."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Connection:
    id: str
    organization_id: str
    provider: str  # display name: "Okta", "Microsoft Entra ID", ...
    type: str  # "SAML", "OIDC", ...
    status: str  # a ConnectionStatus, or "unknown" when this SDK does not name it
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


class LinkKind(StrEnum):
    """What a link minted at Scalekit was for. "shareable" is the kind of the 7-day links of
    earlier versions, kept in old histories; new links are minted for an invitation's open, for a
    rep who opens the portal now ("direct"), or for the Portal preview ("embed")."""

    INVITATION = "invitation"
    DIRECT = "direct"
    EMBED = "embed"
    SHAREABLE = "shareable"


LINK_KINDS: tuple[LinkKind, ...] = tuple(LinkKind)
KIND_LABELS: dict[LinkKind, str] = {
    LinkKind.INVITATION: "Invitation",
    LinkKind.DIRECT: "Direct link",
    LinkKind.EMBED: "Preview",
    LinkKind.SHAREABLE: "Shareable link (legacy)",
}


class MintState(StrEnum):
    """Where a mint stands: written "pending" before Scalekit is asked, "minted" with the answer,
    "failed" when Scalekit refused, "unknown" when no answer came (a time-out, a crash) and the
    link's minute has passed, so it can no longer be opened whatever happened."""

    PENDING = "pending"
    MINTED = "minted"
    FAILED = "failed"
    UNKNOWN = "unknown"


MINT_STATES: tuple[MintState, ...] = tuple(MintState)


class LinkStatus(StrEnum):
    """A minted link's status now: its mint state until minted, then revoked, expired or active."""

    PENDING = "pending"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    ACTIVE = "active"


class InvitationStatus(StrEnum):
    """An invitation's status now."""

    REVOKED = "revoked"
    EXPIRED = "expired"
    OPENED = "opened"
    NOT_OPENED = "not opened"


USABLE: frozenset[InvitationStatus] = frozenset({InvitationStatus.OPENED, InvitationStatus.NOT_OPENED})


def stored_features(text: str) -> tuple[Feature, ...]:
    """The features a history row keeps as "sso,dir_sync"."""
    return tuple(Feature(name) for name in text.split(",") if name)


def features_text(features: tuple[Feature, ...]) -> str:
    return " + ".join(FEATURE_LABELS[name] for name in features)


@dataclass(frozen=True)
class Issuance:
    """One link Portal Desk asked Scalekit for, as the history keeps it (never its location)."""

    id: int
    link_id: str | None  # kept only while the link can be opened
    organization_id: str
    organization_name: str
    features: tuple[Feature, ...]
    kind: LinkKind
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
    state: MintState = MintState.MINTED

    def status(self, now: dt.datetime | None = None) -> LinkStatus:
        if self.state != MintState.MINTED:
            return LinkStatus(self.state.value)
        if self.revoked_at is not None:
            return LinkStatus.REVOKED
        now = now or dt.datetime.now(dt.UTC)
        if self.expires_at is not None and self.expires_at <= now:
            return LinkStatus.EXPIRED
        return LinkStatus.ACTIVE


# The lifetimes a rep may choose for an invitation: any whole number of days in this range.
MIN_INVITATION_DAYS = 1
MAX_INVITATION_DAYS = 30
DEFAULT_INVITATION_DAYS = 7


@dataclass(frozen=True)
class Invitation:
    """An invitation as the history keeps it: everything but its token (only a hash is kept)."""

    id: int
    reference: str  # "INV-000123": names it anywhere, opens nothing
    environment: str
    organization_id: str
    organization_name: str
    features: tuple[Feature, ...]
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
    reminder_count: int = 0  # "Send a reminder": the same link, pointed to again
    last_reminded_at: dt.datetime | None = None
    last_reminded_by: str | None = None

    def status(self, now: dt.datetime | None = None) -> InvitationStatus:
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= (now or dt.datetime.now(dt.UTC)):
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPENED if self.open_count else InvitationStatus.NOT_OPENED

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.status(now) in USABLE


class Outcome(StrEnum):
    """What an IT admin's open of an invitation comes to at the relay: the portal, or why not
    (each has its page in relay/pages.py)."""

    PORTAL = "portal"
    UNKNOWN = "unknown"
    REPLACED = "replaced"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ORGANIZATION_GONE = "organization_gone"
    FEATURE_OFF = "feature_off"
    UNAVAILABLE = "unavailable"


def reference_for(invitation_id: int) -> str:
    return f"INV-{invitation_id:06d}"


class SsoState(StrEnum):
    """How far an organization's SSO setup has got, in order."""

    NONE = "none"
    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    CONFIGURED = "configured"
    ENABLED = "enabled"


SSO_STATES: tuple[SsoState, ...] = tuple(SsoState)
SSO_LABELS: dict[SsoState, str] = {
    SsoState.NONE: "None",
    SsoState.DRAFT: "Draft",
    SsoState.IN_PROGRESS: "In progress",
    SsoState.CONFIGURED: "Configured, off",
    SsoState.ENABLED: "Enabled",
}

# What each status says of the organization's SSO: a completed connection is "enabled" only
# when it is switched on.
SSO_STATE_OF: dict[ConnectionStatus, SsoState] = {
    ConnectionStatus.DRAFT: SsoState.DRAFT,
    ConnectionStatus.IN_PROGRESS: SsoState.IN_PROGRESS,
    ConnectionStatus.COMPLETED: SsoState.CONFIGURED,
}


class ScimState(StrEnum):
    """Whether an organization's directory sync is on."""

    NONE = "none"
    DISABLED = "disabled"
    ENABLED = "enabled"


SCIM_STATES: tuple[ScimState, ...] = tuple(ScimState)
SCIM_LABELS: dict[ScimState, str] = {
    ScimState.NONE: "None",
    ScimState.DISABLED: "Disabled",
    ScimState.ENABLED: "Enabled",
}


@dataclass(frozen=True)
class OnboardingStatus:
    """An organization's SSO and directory sync state, derived from its connections/directories."""

    organization_id: str
    sso: SsoState | None  # None: not known yet
    sso_provider: str | None
    scim: ScimState | None  # None: not known yet
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
    last_opened: bool = False  # the latest invitation itself was opened


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


class ActivityAction(StrEnum):
    """What the activity log records: one row per action a person took in Portal Desk."""

    SIGNED_IN = "signed_in"
    INVITATION_CREATED = "invitation_created"
    INVITATION_SENT = "invitation_sent"
    INVITATION_EXTENDED = "invitation_extended"
    INVITATION_RESENT = "invitation_resent"
    INVITATION_REMINDED = "invitation_reminded"
    INVITATION_REVOKED = "invitation_revoked"
    DIRECT_LINK = "direct_link"
    PREVIEW_STARTED = "preview_started"
    ORGANIZATION_CREATED = "organization_created"
    ORGANIZATION_UPDATED = "organization_updated"
    ORGANIZATION_DELETED = "organization_deleted"
    FEATURE_TOGGLED = "feature_toggled"
    OWNER_SET = "owner_set"
    CSV_EXPORTED = "csv_exported"


ACTIVITY_LABELS: dict[ActivityAction, str] = {
    ActivityAction.SIGNED_IN: "Signed in",
    ActivityAction.INVITATION_CREATED: "Invitation created",
    ActivityAction.INVITATION_SENT: "Invitation emailed",
    ActivityAction.INVITATION_EXTENDED: "Invitation extended",
    ActivityAction.INVITATION_RESENT: "Invitation resent with a new link",
    ActivityAction.INVITATION_REMINDED: "Reminder sent (same link)",
    ActivityAction.INVITATION_REVOKED: "Invitation revoked",
    ActivityAction.DIRECT_LINK: "Portal opened for a call",
    ActivityAction.PREVIEW_STARTED: "Preview session started",
    ActivityAction.ORGANIZATION_CREATED: "Organization created",
    ActivityAction.ORGANIZATION_UPDATED: "Organization updated",
    ActivityAction.ORGANIZATION_DELETED: "Organization deleted",
    ActivityAction.FEATURE_TOGGLED: "Admin portal feature changed",
    ActivityAction.OWNER_SET: "Owner changed",
    ActivityAction.CSV_EXPORTED: "CSV exported",
}


@dataclass(frozen=True)
class Activity:
    """One action, as the activity log keeps it (``details`` never holds a secret)."""

    environment: str
    at: dt.datetime
    actor: str
    role: Role
    action: ActivityAction
    organization_id: str | None = None
    organization_name: str | None = None
    details: str = "{}"  # JSON
    id: int | None = None


class PortalEventType(StrEnum):
    """The eight UI events Scalekit's docs list for the embedded portal."""

    ORGANIZATION_SSO_ENABLED = "ORGANIZATION_SSO_ENABLED"
    ORGANIZATION_SSO_DISABLED = "ORGANIZATION_SSO_DISABLED"
    ORGANIZATION_DIRECTORY_ENABLED = "ORGANIZATION_DIRECTORY_ENABLED"
    ORGANIZATION_DIRECTORY_DISABLED = "ORGANIZATION_DIRECTORY_DISABLED"
    PORTAL_LOAD_SUCCESS = "PORTAL_LOAD_SUCCESS"
    PORTAL_LOAD_FAILURE = "PORTAL_LOAD_FAILURE"  # data.error_code (e.g. SESSION_EXPIRED); no organization_id
    PORTAL_SESSION_WARNING = "PORTAL_SESSION_WARNING"  # five minutes before the end; data.expiry
    PORTAL_SESSION_EXPIRY = "PORTAL_SESSION_EXPIRY"  # data.expiry


PORTAL_EVENT_TYPES: tuple[PortalEventType, ...] = tuple(PortalEventType)


@dataclass(frozen=True)
class PortalEvent:
    """A UI event the embedded admin portal posted to the preview page."""

    organization_id: str
    event_type: PortalEventType
    message: str
    payload: str  # the event as received, JSON
    received_at: dt.datetime
    environment: str
    id: int | None = None  # set once stored
    actor: str | None = None  # the rep in whose preview session it happened


class NoticeKind(StrEnum):
    """What the worker tells reps and their team about."""

    FIRST_OPEN = "first_open"
    SSO_ENABLED = "sso_enabled"
    SCIM_ENABLED = "scim_enabled"
    EXPIRING = "expiring"


NOTICE_KIND_LABELS: dict[NoticeKind, str] = {
    NoticeKind.FIRST_OPEN: "Invitation opened",
    NoticeKind.SSO_ENABLED: "SSO switched on",
    NoticeKind.SCIM_ENABLED: "Directory sync switched on",
    NoticeKind.EXPIRING: "Expiring unopened",
}


class NoticeState(StrEnum):
    """Where a notice stands: waiting (or retrying), delivered, given up, or without a channel."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


NOTICE_STATE_LABELS: dict[NoticeState, str] = {
    NoticeState.PENDING: "Waiting to send",
    NoticeState.SENT: "Sent",
    NoticeState.FAILED: "Gave up",
    NoticeState.SKIPPED: "No channel",
}


class Channel(StrEnum):
    """Where a notice goes: the team's channel (DASHBOARD_NOTIFY_URLS) or the rep's email."""

    TEAM = "team"
    EMAIL = "email"


CHANNEL_LABELS: dict[Channel, str] = {Channel.TEAM: "Team channel", Channel.EMAIL: "Email to the rep"}
