"""Records to the SDK's protobuf messages and back: the only place that knows both shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf import struct_pb2, wrappers_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.message import Message
from scalekit.v1.commons import commons_pb2
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.directories import directories_pb2 as dir_pb
from scalekit.v1.domains import domains_pb2 as dom_pb
from scalekit.v1.organizations import organizations_pb2 as org_pb

from ..errors import invalid
from ..records import (
    BrandingRecord,
    ConnectionRecord,
    DirectoryGroupRecord,
    DirectoryRecord,
    DirectoryUserRecord,
    DomainRecord,
    LinkRecord,
    OrgRecord,
    SessionPolicyRecord,
)


def stamp(target: Message, value: dt.datetime | None) -> None:
    if value is not None:
        target.FromDatetime(value)


def time_of(message: Message, name: str) -> dt.datetime | None:
    if not message.HasField(name):
        return None
    when: dt.datetime = getattr(message, name).ToDatetime(tzinfo=dt.UTC)
    return when


def enum_name(enum: EnumTypeWrapper, value: int, field: str) -> str:
    """The enum value's name; a value the enum does not define is the caller's mistake."""
    try:
        return str(enum.Name(value))
    except ValueError:
        raise invalid(f"{field}: {value} is not a defined {enum.DESCRIPTOR.name} value") from None


def optional_enum(enum: EnumTypeWrapper, value: int, field: str) -> str | None:
    """None for the enum's zero value (unspecified), else its name."""
    return enum_name(enum, value, field) if value else None


def wrapped(message: Message, name: str) -> Any:
    """The value of a google.protobuf wrapper field (of the wrapper's type), or None when it is not set."""
    return getattr(message, name).value if message.HasField(name) else None


# -- organizations -------------------------------------------------------------------------


def organization(org: OrgRecord, names: dict[str, str] | None = None) -> org_pb.Organization:
    """``names``: internal feature name -> the name settings report (see readings.py)."""
    names = names or {}
    msg = org_pb.Organization(
        id=org.id,
        display_name=org.display_name,
        region_code=commons_pb2.RegionCode.Value(org.region_code),
        metadata=org.metadata,
        settings=org_pb.OrganizationSettings(
            features=[
                org_pb.OrganizationSettingsFeature(name=names.get(name, name), enabled=enabled)
                for name, enabled in org.features.items()
            ]
        ),
    )
    for name in ("external_id", "slug", "logo_url"):
        if getattr(org, name):
            setattr(msg, name, getattr(org, name))
    stamp(msg.create_time, org.create_time)
    stamp(msg.update_time, org.update_time)
    return msg


def link(record: LinkRecord) -> org_pb.Link:
    msg = org_pb.Link(id=record.id, location=record.location)
    stamp(msg.expire_time, record.expire_time)
    return msg


def session_policy(policy: SessionPolicyRecord) -> org_pb.OrganizationSessionPolicySettings:
    msg = org_pb.OrganizationSessionPolicySettings(
        policy_source=org_pb.SessionPolicyType.Value(policy.policy_source)
    )
    if policy.absolute_session_timeout is not None:
        msg.absolute_session_timeout.value = policy.absolute_session_timeout
    if policy.idle_session_timeout is not None:
        msg.idle_session_timeout.value = policy.idle_session_timeout
    if policy.idle_session_timeout_enabled is not None:
        msg.idle_session_timeout_enabled.value = policy.idle_session_timeout_enabled
    if policy.absolute_session_timeout_unit:
        msg.absolute_session_timeout_unit = commons_pb2.TimeUnit.Value(policy.absolute_session_timeout_unit)
    if policy.idle_session_timeout_unit:
        msg.idle_session_timeout_unit = commons_pb2.TimeUnit.Value(policy.idle_session_timeout_unit)
    return msg


def branding(record: BrandingRecord) -> org_pb.OrganizationBranding:
    msg = org_pb.OrganizationBranding(source=org_pb.BrandingSource.Value(record.source))
    msg.customization_settings.update(record.customization)
    stamp(msg.update_time, record.update_time)
    return msg


def user_limit(max_allowed_users: int | None) -> org_pb.OrganizationUserManagementSettings:
    msg = org_pb.OrganizationUserManagementSettings()
    if max_allowed_users is not None:
        msg.max_allowed_users.CopyFrom(wrappers_pb2.Int32Value(value=max_allowed_users))
    return msg


# -- connections ---------------------------------------------------------------------------


def list_connection(conn: ConnectionRecord, org_name: str, domains: list[str]) -> conn_pb.ListConnection:
    msg = conn_pb.ListConnection(
        id=conn.id,
        provider=conn_pb.ConnectionProvider.Value(conn.provider),
        type=conn_pb.ConnectionType.Value(conn.type),
        status=conn_pb.ConnectionStatus.Value(conn.status),
        enabled=conn.enabled,
        organization_id=conn.organization_id,
        organization_name=org_name,
        domains=domains,
        ui_button_title=conn.ui_button_title,
    )
    stamp(msg.created_at, conn.created_at)
    return msg


def connection(conn: ConnectionRecord, domains: list[DomainRecord], env_url: str) -> conn_pb.Connection:
    msg = conn_pb.Connection(
        id=conn.id,
        provider=conn_pb.ConnectionProvider.Value(conn.provider),
        type=conn_pb.ConnectionType.Value(conn.type),
        status=conn_pb.ConnectionStatus.Value(conn.status),
        enabled=conn.enabled,
        debug_enabled=conn.debug_enabled,
        organization_id=conn.organization_id,
        ui_button_title=conn.ui_button_title,
        domains=[domain(d) for d in domains],
    )
    settings = conn.settings
    if conn.type == "SAML":
        saml = msg.saml_config
        saml.sp_entity_id = f"{env_url}/sso/v1/saml/{conn.id}"
        saml.sp_assertion_url = f"{env_url}/sso/v1/saml/{conn.id}/acs"
        saml.sp_metadata_url = f"{env_url}/sso/v1/saml/{conn.id}/metadata"
        for key in ("idp_metadata_url", "idp_entity_id", "idp_sso_url"):
            if settings.get(key):
                getattr(saml, key).value = settings[key]
    else:
        oidc = msg.oidc_config
        oidc.redirect_uri = f"{env_url}/sso/v1/oidc/callback"
        for key in ("issuer", "client_id"):
            if settings.get(key):
                getattr(oidc, key).value = settings[key]
        # A client secret is write-only: Scalekit never returns it.
    stamp(msg.create_time, conn.created_at)
    stamp(msg.update_time, conn.updated_at)
    return msg


_SAML_KEYS = ("idp_metadata_url", "idp_entity_id", "idp_sso_url", "idp_certificate")
_OIDC_KEYS = ("issuer", "client_id", "client_secret")


def connection_settings(change: conn_pb.UpdateConnection) -> dict[str, str] | None:
    """The identity provider settings an UpdateConnection carries, as plain strings."""
    which = change.WhichOneof("settings")
    if which == "saml_config":
        return {
            key: str(wrapped(change.saml_config, key))
            for key in _SAML_KEYS
            if change.saml_config.HasField(key)
        }
    if which == "oidc_config":
        return {
            key: str(wrapped(change.oidc_config, key))
            for key in _OIDC_KEYS
            if change.oidc_config.HasField(key)
        }
    if which is not None:
        raise invalid(f"connection.{which}: an organization's connection takes saml_config or oidc_config")
    return None


# -- directories ---------------------------------------------------------------------------


def directory(record: DirectoryRecord, env_url: str) -> dir_pb.Directory:
    msg = dir_pb.Directory(
        id=record.id,
        name=record.name,
        directory_type=dir_pb.DirectoryType.Value(record.directory_type),
        organization_id=record.organization_id,
        enabled=record.enabled,
        directory_provider=dir_pb.DirectoryProvider.Value(record.provider),
        directory_endpoint=env_url + record.endpoint,
        total_users=record.total_users,
        total_groups=record.total_groups,
        status=record.status,
        stats=dir_pb.Stats(total_users=record.total_users, total_groups=record.total_groups),
    )
    stamp(msg.last_synced_at, record.last_synced_at)
    return msg


def directory_group(group: DirectoryGroupRecord, detail: bool = False) -> dir_pb.DirectoryGroup:
    msg = dir_pb.DirectoryGroup(id=group.id, display_name=group.display_name, total_users=group.total_users)
    stamp(msg.updated_at, group.updated_at)
    if detail:
        msg.group_detail.update({"id": group.id, "displayName": group.display_name})
    return msg


def directory_user(
    user: DirectoryUserRecord, groups: dict[str, DirectoryGroupRecord], detail: bool = False
) -> dir_pb.DirectoryUser:
    msg = dir_pb.DirectoryUser(
        id=user.id,
        email=user.email,
        preferred_username=user.email,
        given_name=user.given_name,
        family_name=user.family_name,
        emails=[user.email],
        groups=[directory_group(groups[g]) for g in user.group_ids if g in groups],
    )
    stamp(msg.updated_at, user.updated_at)
    if detail:
        detail_struct = struct_pb2.Struct()
        detail_struct.update(
            {
                "userName": user.email,
                "name": {"givenName": user.given_name, "familyName": user.family_name},
                "active": True,
            }
        )
        msg.user_detail.CopyFrom(detail_struct)
    return msg


# -- domains -------------------------------------------------------------------------------


def domain(record: DomainRecord) -> dom_pb.Domain:
    msg = dom_pb.Domain(
        id=record.id,
        domain=record.domain,
        organization_id=record.organization_id,
        verification_status=dom_pb.VerificationStatus.Value(record.verification_status),
        domain_type=dom_pb.DomainType.Value(record.domain_type),
        txt_record_key=record.txt_record_key,
        txt_record_secret=record.txt_record_secret,
        verification_method=dom_pb.VerificationMethod.Value(record.verification_method),
    )
    stamp(msg.create_time, record.create_time)
    stamp(msg.update_time, record.update_time or record.create_time)
    return msg
