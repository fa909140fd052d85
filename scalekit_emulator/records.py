"""Plain records the emulator's backends keep: no protobuf, no wire concerns.

Enum-like fields hold the protobuf enum *names* ("OKTA", "SAML", "COMPLETED") so that the wire
adapters can map them with ``Enum.Value(name)`` and the portal pages can show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

FEATURES = ("sso", "dir_sync")


@dataclass
class OrgRecord:
    id: str
    display_name: str
    external_id: str | None
    region_code: str  # "US" | "EU"
    create_time: dt.datetime
    update_time: dt.datetime
    metadata: dict[str, str] = field(default_factory=dict)
    # The admin portal's features. New organizations get both (see the README's choices).
    features: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FEATURES, True))
    slug: str | None = None
    logo_url: str | None = None

    def enabled_features(self) -> tuple[str, ...]:
        return tuple(name for name in FEATURES if self.features.get(name))


@dataclass
class ConnectionRecord:
    id: str
    organization_id: str
    provider: str  # ConnectionProvider name
    type: str  # "SAML" | "OIDC"
    status: str  # "DRAFT" | "IN_PROGRESS" | "COMPLETED"
    enabled: bool
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    domain_ids: list[str] = field(default_factory=list)
    # What the IdP side holds: SAML (idp_metadata_url, idp_entity_id, idp_sso_url,
    # idp_certificate) or OIDC (issuer, client_id, client_secret) settings, as plain strings.
    settings: dict[str, str] = field(default_factory=dict)
    debug_enabled: bool = False
    ui_button_title: str = "Login with SSO"

    @property
    def active(self) -> bool:
        """What ListConnections shows by default: completed and enabled."""
        return self.status == "COMPLETED" and self.enabled


@dataclass
class DirectoryRecord:
    id: str
    organization_id: str
    name: str
    provider: str  # DirectoryProvider name
    enabled: bool
    status: str  # "DRAFT" | "IN_PROGRESS" | "COMPLETED"
    total_users: int
    total_groups: int
    last_synced_at: dt.datetime | None
    endpoint: str  # path under the environment URL
    created_at: dt.datetime
    directory_type: str = "SCIM"


@dataclass(frozen=True)
class DirectoryGroupRecord:
    id: str
    display_name: str
    total_users: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class DirectoryUserRecord:
    id: str
    email: str
    given_name: str
    family_name: str
    updated_at: dt.datetime
    group_ids: tuple[str, ...]


@dataclass
class DomainRecord:
    id: str
    organization_id: str
    domain: str
    verification_status: str  # "PENDING" | "VERIFIED" | "FAILED" | "AUTO_VERIFIED"
    domain_type: str  # "ORGANIZATION_DOMAIN" | "ALLOWED_EMAIL_DOMAIN"
    create_time: dt.datetime
    update_time: dt.datetime | None = None
    txt_record_key: str = ""
    txt_record_secret: str = ""
    verification_method: str = "DNS"


@dataclass
class LinkRecord:
    """A portal link as GeneratePortalLink makes it: single use, one minute unless opened."""

    id: str
    token: str = field(repr=False)  # the secret in the location's path; not the id
    organization_id: str
    location: str = field(repr=False)
    features: tuple[str, ...]
    created_at: dt.datetime
    expire_time: dt.datetime
    revoked_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None  # the one open it allows

    def usable(self, now: dt.datetime) -> bool:
        """Can still be opened: not revoked, not opened yet, not past its expiry, and its token
        known (a link restored from a state file has none: its address named another run's port)."""
        fresh = self.revoked_at is None and self.opened_at is None and now < self.expire_time
        return fresh and bool(self.token)


@dataclass
class SessionPolicyRecord:
    policy_source: str = "APPLICATION"  # SessionPolicyType name
    absolute_session_timeout: int | None = None
    absolute_session_timeout_unit: str | None = None  # TimeUnit name
    idle_session_timeout_enabled: bool | None = None
    idle_session_timeout: int | None = None
    idle_session_timeout_unit: str | None = None


@dataclass
class BrandingRecord:
    source: str = "BRANDING_SOURCE_ENVIRONMENT"  # BrandingSource name
    customization: dict[str, Any] = field(default_factory=dict)
    update_time: dt.datetime | None = None
