"""ConnectionService over the connections backend (organization connections; AgentKit's
environment and app connections answer UNIMPLEMENTED)."""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.connections import connections_pb2_grpc as conn_grpc

from ..backends.connections import Connections
from ..backends.environment import Page
from ..errors import invalid
from ..records import ConnectionRecord
from . import messages as m


class ConnectionServicer(conn_grpc.ConnectionServiceServicer):
    def __init__(self, connections: Connections, env_url: str) -> None:
        self.connections = connections
        self.env_url = env_url

    def _listed(self, conn: ConnectionRecord) -> conn_pb.ListConnection:
        domains = [d.domain for d in self.connections.domains_of(conn)]
        return m.list_connection(conn, self.connections.organization_name(conn), domains)

    def _full(self, conn: ConnectionRecord) -> conn_pb.Connection:
        return m.connection(conn, self.connections.domains_of(conn), self.env_url)

    def _page(self, page: Page[ConnectionRecord], response_type: type) -> object:
        return response_type(
            connections=[self._listed(c) for c in page.items],
            next_page_token=page.next_page_token,
            prev_page_token=page.prev_page_token,
            total_size=page.total_size,
        )

    def ListConnections(
        self, request: conn_pb.ListConnectionsRequest, context: grpc.ServicerContext
    ) -> conn_pb.ListConnectionsResponse:
        found = self.connections.listing(
            org_id=request.organization_id if request.HasField("organization_id") else None,
            domain=request.domain if request.HasField("domain") else None,
            include=request.include if request.HasField("include") else None,
        )
        return conn_pb.ListConnectionsResponse(connections=[self._listed(c) for c in found])

    def ListOrganizationConnections(
        self, request: conn_pb.ListOrganizationConnectionsRequest, context: grpc.ServicerContext
    ) -> conn_pb.ListOrganizationConnectionsResponse:
        page = self.connections.list_all(request.page_size, request.page_token)
        return self._page(page, conn_pb.ListOrganizationConnectionsResponse)

    def SearchOrganizationConnections(
        self, request: conn_pb.SearchOrganizationConnectionsRequest, context: grpc.ServicerContext
    ) -> conn_pb.SearchOrganizationConnectionsResponse:
        page = self.connections.search(
            query=request.query if request.HasField("query") else None,
            provider=request.provider if request.HasField("provider") else None,
            status=m.enum_name(conn_pb.ConnectionStatus, request.status, "status")
            if request.HasField("status")
            else None,
            connection_type=m.enum_name(conn_pb.ConnectionType, request.connection_type, "connection_type")
            if request.HasField("connection_type")
            else None,
            enabled=request.enabled if request.HasField("enabled") else None,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return self._page(page, conn_pb.SearchOrganizationConnectionsResponse)

    def ListAppConnections(
        self, request: conn_pb.ListAppConnectionsRequest, context: grpc.ServicerContext
    ) -> conn_pb.ListAppConnectionsResponse:
        # AgentKit's app connections are not emulated: the environment has none, which is a true
        # answer for an environment that never made one (CreateEnvironmentConnection is UNIMPLEMENTED).
        return conn_pb.ListAppConnectionsResponse(total_size=0)

    def GetConnection(
        self, request: conn_pb.GetConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.GetConnectionResponse:
        conn = self.connections.get(request.organization_id, request.id)
        return conn_pb.GetConnectionResponse(connection=self._full(conn))

    def CreateConnection(
        self, request: conn_pb.CreateConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.CreateConnectionResponse:
        new = request.connection
        conn = self.connections.create(
            request.organization_id,
            m.enum_name(conn_pb.ConnectionProvider, new.provider, "connection.provider"),
            m.enum_name(conn_pb.ConnectionType, new.type, "connection.type"),
        )
        return conn_pb.CreateConnectionResponse(connection=self._full(conn))

    def UpdateConnection(
        self, request: conn_pb.UpdateConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.UpdateConnectionResponse:
        change = request.connection
        conn = self.connections.update(
            request.organization_id,
            request.id,
            provider=m.optional_enum(conn_pb.ConnectionProvider, change.provider, "connection.provider"),
            protocol=m.optional_enum(conn_pb.ConnectionType, change.type, "connection.type"),
            settings=m.connection_settings(change),
            debug_enabled=m.wrapped(change, "debug_enabled"),
            ui_button_title=m.wrapped(change, "ui_button_title"),
        )
        return conn_pb.UpdateConnectionResponse(connection=self._full(conn))

    def DeleteConnection(
        self, request: conn_pb.DeleteConnectionRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.connections.delete(request.organization_id, request.id)
        return empty_pb2.Empty()

    def EnableConnection(
        self, request: conn_pb.ToggleConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.ToggleConnectionResponse:
        conn = self.connections.set_enabled(request.organization_id, request.id, True)
        return conn_pb.ToggleConnectionResponse(enabled=conn.enabled)

    def DisableConnection(
        self, request: conn_pb.ToggleConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.ToggleConnectionResponse:
        conn = self.connections.set_enabled(request.organization_id, request.id, False)
        return conn_pb.ToggleConnectionResponse(enabled=conn.enabled)

    def AssignDomainsToConnection(
        self, request: conn_pb.AssignDomainsToConnectionRequest, context: grpc.ServicerContext
    ) -> conn_pb.AssignDomainsToConnectionResponse:
        if not request.domain_ids:
            raise invalid("domain_ids: give at least one domain id")
        conn = self.connections.assign_domains(
            request.organization_id, request.connection_id, request.domain_ids
        )
        return conn_pb.AssignDomainsToConnectionResponse(connection=self._full(conn))
