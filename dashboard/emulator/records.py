"""Plain records the emulator's backend keeps: no protobuf, no wire concerns.

Enum-like fields hold the protobuf enum *names* ("OKTA", "SAML", "COMPLETED") so that the
wire adapters can map them with ``Enum.Value(name)`` and the portal pages can show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class OrgRecord:
    id: str
    display_name: str
    external_id: str | None
    region_code: str  # "US" | "EU"
    create_time: dt.datetime
    update_time: dt.datetime
    metadata: dict[str, str] = field(default_factory=dict)
    features: dict[str, bool] = field(default_factory=lambda: {"sso": False, "dir_sync": False})


@dataclass
class ConnectionRecord:
    id: str
    organization_id: str
    provider: str  # ConnectionProvider name
    type: str  # "SAML" | "OIDC"
    status: str  # "DRAFT" | "IN_PROGRESS" | "COMPLETED"
    enabled: bool
    created_at: dt.datetime
    domains: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


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
    endpoint: str
    created_at: dt.datetime


@dataclass
class DomainRecord:
    id: str
    organization_id: str
    domain: str
    verification_status: str  # "PENDING" | "VERIFIED" | ...
    domain_type: str  # "ORGANIZATION_DOMAIN" | "ALLOWED_EMAIL_DOMAIN"
    create_time: dt.datetime


@dataclass
class LinkRecord:
    id: str
    organization_id: str
    location: str
    features: tuple[str, ...]
    created_at: dt.datetime
    expire_time: dt.datetime
    revoked_at: dt.datetime | None = None
    loads: int = 0

    def is_active(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expire_time
