"""Scalekit's protobuf messages in, Portal Desk's frozen dataclasses out."""

from __future__ import annotations

import datetime as dt

from google.protobuf.message import Message
from scalekit.v1.commons.commons_pb2 import RegionCode
from scalekit.v1.connections.connections_pb2 import ConnectionProvider, ConnectionStatus, ConnectionType
from scalekit.v1.directories.directories_pb2 import DirectoryProvider
from scalekit.v1.organizations import organizations_pb2 as org_pb

from ..models import Connection, Directory, Organization, PortalLink

PROVIDER_NAMES = {
    "OKTA": "Okta",
    "MICROSOFT_AD": "Microsoft Entra ID",
    "GOOGLE": "Google Workspace",
    "ONELOGIN": "OneLogin",
    "JUMPCLOUD": "JumpCloud",
    "PING_IDENTITY": "Ping Identity",
    "AUTH0": "Auth0",
    "ADFS": "Microsoft AD FS",
    "IDP_SIMULATOR": "IdP Simulator",
    "CUSTOM": "Custom",
}


def provider_name(enum_name: str) -> str:
    if enum_name.endswith("UNSPECIFIED"):
        return "Unknown"
    return PROVIDER_NAMES.get(enum_name, enum_name.replace("_", " ").title())


def time(message: Message, name: str) -> dt.datetime | None:
    if not message.HasField(name):
        return None
    when: dt.datetime = getattr(message, name).ToDatetime(tzinfo=dt.UTC)
    return when


# Scalekit's own sources spell the directory-sync feature three ways (the API reference and the
# Python SDK's test: dir_sync; the 2.21 descriptor and the Node SDK: directory_sync; the SCIM
# guide: scim). Organization settings may report any of them; Portal Desk calls it dir_sync.
DIRECTORY_FEATURE_NAMES = ("dir_sync", "directory_sync", "scim")


def directory_feature_name(msg: org_pb.Organization) -> str | None:
    """How this environment's settings spell the directory-sync feature, when they mention it."""
    return next((f.name for f in msg.settings.features if f.name in DIRECTORY_FEATURE_NAMES), None)


def organization(msg: org_pb.Organization) -> Organization:
    features = {f.name: f.enabled for f in msg.settings.features}
    dir_sync = any(features.get(name, False) for name in DIRECTORY_FEATURE_NAMES)
    region = RegionCode.Name(msg.region_code)
    return Organization(
        id=msg.id,
        display_name=msg.display_name,
        external_id=msg.external_id if msg.HasField("external_id") and msg.external_id else None,
        region="" if region.endswith("UNSPECIFIED") else region,
        created_at=time(msg, "create_time"),
        updated_at=time(msg, "update_time"),
        sso_feature=features.get("sso", False),
        dir_sync_feature=dir_sync,
        metadata=tuple(sorted(msg.metadata.items())),
    )


def link(msg: org_pb.Link, org_id: str) -> PortalLink:
    return PortalLink(
        id=msg.id, organization_id=org_id, expires_at=time(msg, "expire_time"), location=msg.location
    )


def connection(c: Message, org_id: str = "") -> Connection:
    """A connection from ListConnections, or from the environment-wide listings."""
    return Connection(
        id=c.id,
        organization_id=c.organization_id or org_id,
        provider=provider_name(ConnectionProvider.Name(c.provider)),
        type=ConnectionType.Name(c.type),
        status=ConnectionStatus.Name(c.status).lower().replace("connection_status_unspecified", "unknown"),
        enabled=c.enabled,
        created_at=time(c, "created_at"),
    )


def directory(d: Message, org_id: str) -> Directory:
    return Directory(
        id=d.id,
        organization_id=d.organization_id or org_id,
        name=d.name,
        provider=provider_name(DirectoryProvider.Name(d.directory_provider)),
        enabled=d.enabled,
        total_users=d.total_users,
        total_groups=d.total_groups,
        last_synced_at=time(d, "last_synced_at"),
    )
