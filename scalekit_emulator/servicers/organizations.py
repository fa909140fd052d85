"""OrganizationService over the organizations and portal backends."""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2
from google.protobuf.json_format import MessageToDict
from scalekit.v1.commons import commons_pb2
from scalekit.v1.organizations import organizations_pb2 as org_pb
from scalekit.v1.organizations import organizations_pb2_grpc as org_grpc

from ..backends.environment import Page
from ..backends.organizations import APPLICATION_SESSION_POLICY, Organizations, OrgChanges
from ..backends.portal import Portal
from ..errors import invalid
from ..records import OrgRecord, SessionPolicyRecord
from . import messages as m

_UPDATABLE = ("display_name", "external_id", "metadata", "slug", "logo_url")


def _list_response(page: Page[OrgRecord], response_type: type, names: dict[str, str]) -> object:
    return response_type(
        organizations=[m.organization(org, names) for org in page.items],
        next_page_token=page.next_page_token,
        prev_page_token=page.prev_page_token,
        total_size=page.total_size,
    )


def _features(request: org_pb.GeneratePortalLinkRequest) -> list[str]:
    names = [m.enum_name(org_pb.Feature, f, "features") for f in request.features]
    wanted = [name for name in names if name in ("sso", "dir_sync")]
    if len(wanted) != len(names):
        raise invalid("features: FEATURE_UNSPECIFIED is not a feature")
    # The deprecated booleans still mean what they meant.
    if request.HasField("sso") and request.sso:
        wanted.append("sso")
    if request.HasField("directory_sync") and request.directory_sync:
        wanted.append("dir_sync")
    return wanted


class OrganizationServicer(org_grpc.OrganizationServiceServicer):
    def __init__(self, organizations: Organizations, portal: Portal) -> None:
        self.organizations = organizations
        self.portal = portal

    def CreateOrganization(
        self, request: org_pb.CreateOrganizationRequest, context: grpc.ServicerContext
    ) -> org_pb.CreateOrganizationResponse:
        new = request.organization
        org = self.organizations.create(
            display_name=new.display_name,
            external_id=new.external_id if new.HasField("external_id") else None,
            region_code=m.optional_enum(commons_pb2.RegionCode, new.region_code, "organization.region_code")
            or "US",
            metadata=dict(new.metadata),
            slug=new.slug if new.HasField("slug") else None,
            logo_url=new.logo_url if new.HasField("logo_url") else None,
        )
        return org_pb.CreateOrganizationResponse(organization=self._org(org))

    def GetOrganization(
        self, request: org_pb.GetOrganizationRequest, context: grpc.ServicerContext
    ) -> org_pb.GetOrganizationResponse:
        org = self.organizations.get(request.id, request.external_id)
        return org_pb.GetOrganizationResponse(organization=self._org(org))

    GetOrganizationByExternalId = GetOrganization

    def ListOrganization(
        self, request: org_pb.ListOrganizationsRequest, context: grpc.ServicerContext
    ) -> org_pb.ListOrganizationsResponse:
        external_id = request.external_id if request.HasField("external_id") else None
        page = self.organizations.listing(request.page_size, request.page_token, external_id)
        return _list_response(page, org_pb.ListOrganizationsResponse, self.organizations.feature_names())

    def SearchOrganization(
        self, request: org_pb.SearchOrganizationsRequest, context: grpc.ServicerContext
    ) -> org_pb.SearchOrganizationsResponse:
        page = self.organizations.search(request.query, request.page_size, request.page_token)
        return _list_response(page, org_pb.SearchOrganizationsResponse, self.organizations.feature_names())

    def UpdateOrganization(
        self, request: org_pb.UpdateOrganizationRequest, context: grpc.ServicerContext
    ) -> org_pb.UpdateOrganizationResponse:
        change = request.organization
        masked = set(request.update_mask.paths) if request.HasField("update_mask") else set(_UPDATABLE)
        unknown = masked - set(_UPDATABLE)
        if unknown:
            raise invalid(f"update_mask: {sorted(unknown)[0]!r} cannot be updated")

        def given(name: str) -> bool:
            return name in masked and (name == "metadata" or change.HasField(name))

        changes = OrgChanges(
            display_name=change.display_name if given("display_name") else None,
            external_id=change.external_id if given("external_id") else None,
            metadata=dict(change.metadata) if given("metadata") else None,
            slug=change.slug if given("slug") else None,
            logo_url=change.logo_url if given("logo_url") else None,
        )
        org = self.organizations.update(request.id, request.external_id, changes)
        return org_pb.UpdateOrganizationResponse(organization=self._org(org))

    def DeleteOrganization(
        self, request: org_pb.DeleteOrganizationRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.organizations.delete(request.id, request.external_id)
        return empty_pb2.Empty()

    def UpdateOrganizationSettings(
        self, request: org_pb.UpdateOrganizationSettingsRequest, context: grpc.ServicerContext
    ) -> org_pb.GetOrganizationResponse:
        org = self.organizations.update_settings(
            request.id, [(f.name, f.enabled) for f in request.settings.features]
        )
        return org_pb.GetOrganizationResponse(organization=self._org(org))

    def _org(self, org: OrgRecord) -> org_pb.Organization:
        return m.organization(org, self.organizations.feature_names())

    # -- portal links ------------------------------------------------------------------------

    def GeneratePortalLink(
        self, request: org_pb.GeneratePortalLinkRequest, context: grpc.ServicerContext
    ) -> org_pb.GeneratePortalLinkResponse:
        link = self.portal.generate(request.id, _features(request))
        return org_pb.GeneratePortalLinkResponse(link=m.link(link))

    def GetPortalLinks(
        self, request: org_pb.GetPortalLinkRequest, context: grpc.ServicerContext
    ) -> org_pb.GetPortalLinksResponse:
        links = self.portal.live_links(request.id)
        return org_pb.GetPortalLinksResponse(links=[m.link(link) for link in links])

    def DeletePortalLinkByID(
        self, request: org_pb.DeletePortalLinkByIdRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.portal.revoke(request.id, request.link_id)
        return empty_pb2.Empty()

    def DeletePortalLink(
        self, request: org_pb.DeletePortalLinkRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.portal.revoke_all(request.id)
        return empty_pb2.Empty()

    # -- session policy, user management, branding -------------------------------------------

    def GetOrganizationSessionPolicy(
        self, request: org_pb.GetOrganizationSessionPolicyRequest, context: grpc.ServicerContext
    ) -> org_pb.GetOrganizationSessionPolicyResponse:
        policy = self.organizations.session_policy(request.organization_id)
        return org_pb.GetOrganizationSessionPolicyResponse(policy=m.session_policy(policy))

    def UpdateOrganizationSessionPolicy(
        self, request: org_pb.UpdateOrganizationSessionPolicyRequest, context: grpc.ServicerContext
    ) -> org_pb.UpdateOrganizationSessionPolicyResponse:
        source = (
            m.optional_enum(org_pb.SessionPolicyType, request.policy_source, "policy_source") or "APPLICATION"
        )
        policy = SessionPolicyRecord(
            policy_source=source,
            absolute_session_timeout=m.wrapped(request, "absolute_session_timeout"),
            absolute_session_timeout_unit=m.optional_enum(
                commons_pb2.TimeUnit, request.absolute_session_timeout_unit, "absolute_session_timeout_unit"
            ),
            idle_session_timeout_enabled=m.wrapped(request, "idle_session_timeout_enabled"),
            idle_session_timeout=m.wrapped(request, "idle_session_timeout"),
            idle_session_timeout_unit=m.optional_enum(
                commons_pb2.TimeUnit, request.idle_session_timeout_unit, "idle_session_timeout_unit"
            ),
        )
        saved = self.organizations.update_session_policy(request.organization_id, policy)
        return org_pb.UpdateOrganizationSessionPolicyResponse(policy=m.session_policy(saved))

    def GetApplicationSessionPolicy(
        self, request: org_pb.GetApplicationSessionPolicyRequest, context: grpc.ServicerContext
    ) -> org_pb.GetApplicationSessionPolicyResponse:
        self.organizations.get(request.organization_id)
        policy = APPLICATION_SESSION_POLICY
        msg = org_pb.ApplicationSessionPolicySettings(
            absolute_session_timeout=policy["absolute_session_timeout"],
            idle_session_timeout_enabled=policy["idle_session_timeout_enabled"],
            idle_session_timeout=policy["idle_session_timeout"],
            access_token_expiry=policy["access_token_expiry"],
            absolute_session_timeout_unit=commons_pb2.TimeUnit.Value(policy["absolute_session_timeout_unit"]),
            idle_session_timeout_unit=commons_pb2.TimeUnit.Value(policy["idle_session_timeout_unit"]),
        )
        return org_pb.GetApplicationSessionPolicyResponse(application_policy=msg)

    def UpsertUserManagementSettings(
        self, request: org_pb.UpsertUserManagementSettingsRequest, context: grpc.ServicerContext
    ) -> org_pb.UpsertUserManagementSettingsResponse:
        limit = m.wrapped(request.settings, "max_allowed_users")
        saved = self.organizations.set_user_limit(request.organization_id, limit)
        return org_pb.UpsertUserManagementSettingsResponse(settings=m.user_limit(saved))

    def GetOrganizationUserManagementSetting(
        self, request: org_pb.GetOrganizationUserManagementSettingsRequest, context: grpc.ServicerContext
    ) -> org_pb.GetOrganizationUserManagementSettingsResponse:
        limit = self.organizations.user_limit(request.organization_id)
        return org_pb.GetOrganizationUserManagementSettingsResponse(settings=m.user_limit(limit))

    def GetOrganizationBranding(
        self, request: org_pb.GetOrganizationBrandingRequest, context: grpc.ServicerContext
    ) -> org_pb.GetOrganizationBrandingResponse:
        record = self.organizations.branding(request.organization_id)
        return org_pb.GetOrganizationBrandingResponse(branding=m.branding(record))

    def UpdateOrganizationBranding(
        self, request: org_pb.UpdateOrganizationBrandingRequest, context: grpc.ServicerContext
    ) -> org_pb.UpdateOrganizationBrandingResponse:
        source = m.enum_name(org_pb.BrandingSource, request.source, "source")
        record = self.organizations.update_branding(
            request.organization_id, source, MessageToDict(request.customization_settings)
        )
        return org_pb.UpdateOrganizationBrandingResponse(branding=m.branding(record))
