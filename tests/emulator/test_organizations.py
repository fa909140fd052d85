"""OrganizationService through the SDK's own client methods."""

from __future__ import annotations

import grpc
from google.protobuf import field_mask_pb2, wrappers_pb2
from scalekit import ScalekitClient
from scalekit.v1.commons import commons_pb2
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator

from .conftest import refusal


def create(client: ScalekitClient, **fields) -> org_pb.Organization:
    response, _ = client.organization.create_organization(org_pb.CreateOrganization(**fields))
    return response.organization


def test_create_get_and_round_trip_every_field(client: ScalekitClient) -> None:
    org = create(
        client,
        display_name="Round Trip Ltd",
        external_id="RT-1",
        region_code=commons_pb2.RegionCode.Value("EU"),
        metadata={"plan": "enterprise"},
        slug="round-trip",
        logo_url="https://cdn.example.com/rt.png",
    )
    again = client.organization.get_organization(org.id)[0].organization
    assert again == org
    assert (again.slug, again.logo_url, again.external_id) == (
        "round-trip",
        "https://cdn.example.com/rt.png",
        "RT-1",
    )
    assert {f.name: f.enabled for f in again.settings.features} == {"sso": True, "dir_sync": True}
    assert client.organization.get_organization_by_external_id("RT-1")[0].organization.id == org.id


def test_uniqueness_of_external_ids_and_slugs(client: ScalekitClient) -> None:
    create(client, display_name="First", external_id="UNIQ-1", slug="uniq-one")
    for fields in ({"external_id": "UNIQ-1"}, {"slug": "uniq-one"}):
        code, _ = refusal(lambda fields=fields: create(client, display_name="Second", **fields))
        assert code == grpc.StatusCode.ALREADY_EXISTS


def test_a_logo_must_be_https(client: ScalekitClient) -> None:
    code, message = refusal(
        lambda: create(client, display_name="Logo Co", logo_url="http://cdn.example.com/x.png")
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "logo_url" in message


def test_update_by_id_and_by_external_id_with_a_field_mask(client: ScalekitClient) -> None:
    org = create(client, display_name="Before", external_id="UPD-1", metadata={"plan": "business"})
    updated = client.organization.update_organization(
        org.id, org_pb.UpdateOrganization(display_name="After", metadata={"seats": "500"})
    )[0].organization
    assert updated.display_name == "After"
    assert dict(updated.metadata) == {"plan": "business", "seats": "500"}  # merged
    by_external = client.organization.update_organization_by_external_id(
        "UPD-1", org_pb.UpdateOrganization(display_name="Third")
    )[0].organization
    assert by_external.display_name == "Third"
    stub = client.organization.organization_service
    masked = org_pb.UpdateOrganizationRequest(
        id=org.id,
        organization=org_pb.UpdateOrganization(display_name="Masked out", slug="masked-in"),
        update_mask=field_mask_pb2.FieldMask(paths=["slug"]),
    )
    response, _ = client.core_client.grpc_exec(stub.UpdateOrganization.with_call, masked)
    assert (response.organization.display_name, response.organization.slug) == ("Third", "masked-in")


def test_list_is_newest_first_and_filters_by_external_id(client: ScalekitClient) -> None:
    older = create(client, display_name="Older", external_id="LIST-1")
    newer = create(client, display_name="Newer")
    first_page = client.organization.list_organizations(page_size=2)[0]
    assert [o.id for o in first_page.organizations] == [newer.id, older.id]
    request = org_pb.ListOrganizationsRequest(page_size=10, external_id="LIST-1")
    found = client.core_client.grpc_exec(
        client.organization.organization_service.ListOrganization.with_call, request
    )
    assert [o.id for o in found[0].organizations] == [older.id]


def test_delete_takes_connections_domains_and_links_with_it(
    emulator: Emulator, client: ScalekitClient
) -> None:
    org = create(client, display_name="Doomed")
    link = client.organization.generate_portal_link(org.id)
    client.domain.create_domain(org.id, "doomed-co.com")
    client.organization.delete_organization(org.id)
    code, _ = refusal(lambda: client.organization.get_organization(org.id))
    assert code == grpc.StatusCode.NOT_FOUND
    assert all(d.organization_id != org.id for d in emulator.backends.env.domains.values())
    assert _get_status(link.location) == 410


def _get_status(url: str) -> int:
    import requests

    return requests.get(url, timeout=5).status_code


def test_settings_session_policy_user_limits_and_branding(client: ScalekitClient, new_org: str) -> None:
    updated = client.organization.update_organization_settings(
        new_org, [{"name": "sso", "enabled": True}, {"name": "dir_sync", "enabled": False}]
    )[0].organization
    assert {f.name: f.enabled for f in updated.settings.features} == {"sso": True, "dir_sync": False}

    policy = client.organization.get_organization_session_policy(new_org)[0].policy
    assert org_pb.SessionPolicyType.Name(policy.policy_source) == "APPLICATION"
    saved = client.organization.update_organization_session_policy(
        new_org,
        policy_source=org_pb.SessionPolicyType.Value("CUSTOM"),
        absolute_session_timeout=12,
        absolute_session_timeout_unit=commons_pb2.TimeUnit.Value("HOURS"),
    )[0].policy
    assert (
        saved.absolute_session_timeout.value,
        commons_pb2.TimeUnit.Name(saved.absolute_session_timeout_unit),
    ) == (
        12,
        "HOURS",
    )
    assert client.organization.get_organization_session_policy(new_org)[0].policy == saved

    limits = client.organization.upsert_user_management_settings(new_org, max_allowed_users=250)
    assert limits.max_allowed_users.value == 250
    stub = client.organization.organization_service
    got, _ = client.core_client.grpc_exec(
        stub.GetOrganizationUserManagementSetting.with_call,
        org_pb.GetOrganizationUserManagementSettingsRequest(organization_id=new_org),
    )
    assert got.settings.max_allowed_users == wrappers_pb2.Int32Value(value=250)

    branding = org_pb.UpdateOrganizationBrandingRequest(
        organization_id=new_org, source=org_pb.BrandingSource.Value("BRANDING_SOURCE_CUSTOM")
    )
    branding.customization_settings.update({"accent_color": "#123456"})
    client.core_client.grpc_exec(stub.UpdateOrganizationBranding.with_call, branding)
    read, _ = client.core_client.grpc_exec(
        stub.GetOrganizationBranding.with_call, org_pb.GetOrganizationBrandingRequest(organization_id=new_org)
    )
    assert read.branding.customization_settings["accent_color"] == "#123456"
