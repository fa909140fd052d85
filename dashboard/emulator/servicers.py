"""gRPC wire adapters: the SDK's own generated servicer classes over :class:`ScalekitBackend`.

Subclassing the generated ``*Servicer`` bases means the emulator speaks exactly the wire format
the SDK was generated from; any RPC not overridden here answers UNIMPLEMENTED, as the base does.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import grpc
from google.protobuf import empty_pb2
from google.protobuf.any_pb2 import Any as AnyMessage
from google.rpc import status_pb2
from grpc_status import rpc_status
from scalekit.v1.commons import commons_pb2
from scalekit.v1.connections import connections_pb2, connections_pb2_grpc
from scalekit.v1.directories import directories_pb2, directories_pb2_grpc
from scalekit.v1.domains import domains_pb2, domains_pb2_grpc
from scalekit.v1.errdetails.errdetails_pb2 import ErrorInfo
from scalekit.v1.organizations import organizations_pb2 as org_pb
from scalekit.v1.organizations import organizations_pb2_grpc as org_grpc

from .backend import BackendError, Page, ScalekitBackend
from .faults import FaultRegistry
from .records import ConnectionRecord, DirectoryRecord, DomainRecord, LinkRecord, OrgRecord
from .tokens import TokenAuthority

_FEATURE_NAMES = {org_pb.Feature.Value("dir_sync"): "dir_sync", org_pb.Feature.Value("sso"): "sso"}


def _stamp(target, value: dt.datetime | None) -> None:
    if value is not None:
        target.FromDatetime(value)


def organization_message(org: OrgRecord) -> org_pb.Organization:
    msg = org_pb.Organization(
        id=org.id,
        display_name=org.display_name,
        region_code=commons_pb2.RegionCode.Value(org.region_code),
        metadata=org.metadata,
        settings=org_pb.OrganizationSettings(
            features=[
                org_pb.OrganizationSettingsFeature(name=name, enabled=enabled)
                for name, enabled in org.features.items()
            ]
        ),
    )
    if org.external_id:
        msg.external_id = org.external_id
    _stamp(msg.create_time, org.create_time)
    _stamp(msg.update_time, org.update_time)
    return msg


def link_message(link: LinkRecord) -> org_pb.Link:
    msg = org_pb.Link(id=link.id, location=link.location)
    _stamp(msg.expire_time, link.expire_time)
    return msg


def connection_message(conn: ConnectionRecord, org_name: str) -> connections_pb2.ListConnection:
    msg = connections_pb2.ListConnection(
        id=conn.id,
        provider=connections_pb2.ConnectionProvider.Value(conn.provider),
        type=connections_pb2.ConnectionType.Value(conn.type),
        status=connections_pb2.ConnectionStatus.Value(conn.status),
        enabled=conn.enabled,
        organization_id=conn.organization_id,
        organization_name=org_name,
        domains=conn.domains,
        ui_button_title="Login with SSO",
    )
    _stamp(msg.created_at, conn.created_at)
    return msg


def directory_message(directory: DirectoryRecord, base_url: str) -> directories_pb2.Directory:
    msg = directories_pb2.Directory(
        id=directory.id,
        name=directory.name,
        directory_type=directories_pb2.DirectoryType.Value("SCIM"),
        organization_id=directory.organization_id,
        enabled=directory.enabled,
        directory_provider=directories_pb2.DirectoryProvider.Value(directory.provider),
        directory_endpoint=base_url + directory.endpoint,
        total_users=directory.total_users,
        total_groups=directory.total_groups,
        status=directory.status,
    )
    _stamp(msg.last_synced_at, directory.last_synced_at)
    return msg


def domain_message(domain: DomainRecord) -> domains_pb2.Domain:
    msg = domains_pb2.Domain(
        id=domain.id,
        domain=domain.domain,
        organization_id=domain.organization_id,
        verification_status=domains_pb2.VerificationStatus.Value(domain.verification_status),
        domain_type=domains_pb2.DomainType.Value(domain.domain_type),
    )
    _stamp(msg.create_time, domain.create_time)
    _stamp(msg.update_time, domain.create_time)
    return msg


def _abort(context: grpc.ServicerContext, code: str, message: str) -> None:
    """Abort as Scalekit does: a status with an ErrorInfo detail the SDK unpacks."""
    detail = AnyMessage()
    detail.Pack(ErrorInfo(error_code=code))
    status = status_pb2.Status(code=grpc.StatusCode[code].value[0], message=message, details=[detail])
    context.abort_with_status(rpc_status.to_status(status))


class GuardInterceptor(grpc.ServerInterceptor):
    """Checks the bearer token, applies injected faults, and maps backend errors to statuses.

    Everything runs inside the worker thread that serves the call, so a delay fault delays only
    that call.
    """

    def __init__(self, tokens: TokenAuthority, faults: FaultRegistry) -> None:
        self._tokens = tokens
        self._faults = faults
        self._guarded: dict[str, grpc.RpcMethodHandler] = {}  # built once per method, not per call

    def intercept_service(self, continuation, handler_call_details):
        guarded = self._guarded.get(handler_call_details.method)
        if guarded is None:
            handler = continuation(handler_call_details)
            if handler is None or handler.unary_unary is None:
                return handler
            guarded = self._guarded[handler_call_details.method] = self._guard(handler, handler_call_details)
        return guarded

    def _guard(self, handler: grpc.RpcMethodHandler, handler_call_details) -> grpc.RpcMethodHandler:
        method = handler_call_details.method.rsplit("/", 1)[-1]
        inner = handler.unary_unary

        def guarded(request, context):
            # After a re-authentication the SDK sends its new token in explicit metadata while the
            # channel's call credentials still carry the first one, so any valid bearer will do.
            bearers = [
                value.split(" ", 1)[-1].strip()
                for key, value in context.invocation_metadata()
                if key == "authorization"
            ]
            if not any(self._tokens.is_valid(token) for token in bearers):
                _abort(context, "UNAUTHENTICATED", "access token is missing, invalid or expired")
            fault = self._faults.take(method)
            if fault is not None:
                if fault.delay_seconds:
                    time.sleep(fault.delay_seconds)
                if fault.code:
                    _abort(context, fault.code, fault.message)
            try:
                return inner(request, context)
            except BackendError as exc:
                _abort(context, exc.code, exc.message)

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _list_response(page: Page, response_type: Callable):
    return response_type(
        organizations=[organization_message(org) for org in page.items],
        next_page_token=page.next_page_token,
        prev_page_token=page.prev_page_token,
        total_size=page.total_size,
    )


class OrganizationServicer(org_grpc.OrganizationServiceServicer):
    def __init__(self, backend: ScalekitBackend) -> None:
        self.backend = backend

    def CreateOrganization(self, request, context):
        new = request.organization
        org = self.backend.create_organization(
            display_name=new.display_name,
            external_id=new.external_id if new.HasField("external_id") else None,
            region_code=commons_pb2.RegionCode.Name(new.region_code) if new.region_code else "US",
            metadata=dict(new.metadata),
        )
        return org_pb.CreateOrganizationResponse(organization=organization_message(org))

    def GetOrganization(self, request, context):
        org = self.backend.get_organization(request.id, request.external_id)
        return org_pb.GetOrganizationResponse(organization=organization_message(org))

    GetOrganizationByExternalId = GetOrganization

    def ListOrganization(self, request, context):
        page = self.backend.list_organizations(request.page_size, request.page_token, request.external_id)
        return _list_response(page, org_pb.ListOrganizationsResponse)

    def SearchOrganization(self, request, context):
        page = self.backend.search_organizations(request.query, request.page_size, request.page_token)
        return _list_response(page, org_pb.SearchOrganizationsResponse)

    def UpdateOrganization(self, request, context):
        change = request.organization
        org = self.backend.update_organization(
            request.id,
            request.external_id,
            display_name=change.display_name if change.HasField("display_name") else None,
            external_id=change.external_id if change.HasField("external_id") else None,
            metadata=dict(change.metadata),
        )
        return org_pb.UpdateOrganizationResponse(organization=organization_message(org))

    def DeleteOrganization(self, request, context):
        self.backend.delete_organization(request.id, request.external_id)
        return empty_pb2.Empty()

    def UpdateOrganizationSettings(self, request, context):
        org = self.backend.update_settings(
            request.id, [(f.name, f.enabled) for f in request.settings.features]
        )
        return org_pb.GetOrganizationResponse(organization=organization_message(org))

    def GeneratePortalLink(self, request, context):
        features = [_FEATURE_NAMES[f] for f in request.features if f in _FEATURE_NAMES]
        if request.sso:
            features.append("sso")
        if request.directory_sync:
            features.append("dir_sync")
        link = self.backend.generate_portal_link(request.id, features)
        return org_pb.GeneratePortalLinkResponse(link=link_message(link))

    def GetPortalLinks(self, request, context):
        links = self.backend.active_links(request.id)
        return org_pb.GetPortalLinksResponse(links=[link_message(link) for link in links])

    def DeletePortalLinkByID(self, request, context):
        self.backend.revoke_link(request.id, request.link_id)
        return empty_pb2.Empty()

    def DeletePortalLink(self, request, context):
        self.backend.revoke_all_links(request.id)
        return empty_pb2.Empty()


class ConnectionServicer(connections_pb2_grpc.ConnectionServiceServicer):
    def __init__(self, backend: ScalekitBackend) -> None:
        self.backend = backend

    def ListConnections(self, request, context):
        org = self.backend.get_organization(request.organization_id)
        conns = self.backend.connections(org.id)
        return connections_pb2.ListConnectionsResponse(
            connections=[connection_message(c, org.display_name) for c in conns]
        )


class DirectoryServicer(directories_pb2_grpc.DirectoryServiceServicer):
    def __init__(self, backend: ScalekitBackend, base_url: str) -> None:
        self.backend = backend
        self.base_url = base_url

    def ListDirectories(self, request, context):
        dirs = self.backend.directories(request.organization_id)
        return directories_pb2.ListDirectoriesResponse(
            directories=[directory_message(d, self.base_url) for d in dirs]
        )


class DomainServicer(domains_pb2_grpc.DomainServiceServicer):
    def __init__(self, backend: ScalekitBackend) -> None:
        self.backend = backend

    def ListDomains(self, request, context):
        domains = self.backend.domains(request.organization_id)
        return domains_pb2.ListDomainResponse(
            domains=[domain_message(d) for d in domains], page_size=len(domains), page_number=1
        )


def add_servicers(server: grpc.Server, backend: ScalekitBackend, base_url: str) -> None:
    org_grpc.add_OrganizationServiceServicer_to_server(OrganizationServicer(backend), server)
    connections_pb2_grpc.add_ConnectionServiceServicer_to_server(ConnectionServicer(backend), server)
    directories_pb2_grpc.add_DirectoryServiceServicer_to_server(DirectoryServicer(backend, base_url), server)
    domains_pb2_grpc.add_DomainServiceServicer_to_server(DomainServicer(backend), server)
