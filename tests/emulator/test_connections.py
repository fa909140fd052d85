"""ConnectionService: listings as Scalekit serves them, and a connection's life cycle."""

from __future__ import annotations

import grpc
from google.protobuf import wrappers_pb2
from scalekit import ScalekitClient
from scalekit.v1.connections import connections_pb2 as conn_pb

from scalekit_emulator import Emulator

from .conftest import refusal


def _stub(client: ScalekitClient):
    return client.connection.connection_service


def _exec(client: ScalekitClient, method: str, request):
    return client.core_client.grpc_exec(getattr(_stub(client), method).with_call, request)[0]


def test_list_shows_only_active_connections_unless_asked_for_all(
    emulator: Emulator, client: ScalekitClient
) -> None:
    env = emulator.backends.env
    draft = next(c for c in env.connections.values() if c.status == "DRAFT")
    enabled = next(c for c in env.connections.values() if c.active)
    assert list(client.connection.list_connections(draft.organization_id)[0].connections) == []
    every = client.connection.list_connections(draft.organization_id, include="all")[0].connections
    assert [(c.id, conn_pb.ConnectionStatus.Name(c.status)) for c in every] == [(draft.id, "DRAFT")]
    assert [c.id for c in client.connection.list_connections(enabled.organization_id)[0].connections] == [
        enabled.id
    ]
    code, message = refusal(lambda: client.connection.list_connections(draft.organization_id, include="some"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "include" in message


def test_list_by_email_domain(emulator: Emulator, client: ScalekitClient) -> None:
    env = emulator.backends.env
    conn = next(c for c in env.connections.values() if c.active and c.domain_ids)
    domain = env.domains[conn.domain_ids[0]].domain
    listed = client.connection.list_connections_by_domain(domain)[0].connections
    assert [c.id for c in listed] == [conn.id]
    assert listed[0].domains == [domain] and listed[0].organization_name
    assert list(client.connection.list_connections_by_domain("nobody-here.io")[0].connections) == []


def test_every_organizations_connections_in_pages_of_thirty(
    emulator: Emulator, client: ScalekitClient
) -> None:
    total = len(emulator.backends.env.connections)
    seen, token, pages = [], "", 0
    while True:
        page = _exec(
            client,
            "ListOrganizationConnections",
            conn_pb.ListOrganizationConnectionsRequest(page_size=30, page_token=token),
        )
        assert page.total_size == total and len(page.connections) <= 30
        seen += [c.id for c in page.connections]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == total and pages == -(-total // 30)
    newest = _exec(
        client, "ListOrganizationConnections", conn_pb.ListOrganizationConnectionsRequest(page_size=30)
    )
    created = [c.created_at.ToDatetime() for c in newest.connections]
    assert created == sorted(created, reverse=True)


def test_search_by_id_provider_status_and_enabled(emulator: Emulator, client: ScalekitClient) -> None:
    env = emulator.backends.env
    okta_completed = [c for c in env.connections.values() if c.provider == "OKTA" and c.status == "COMPLETED"]
    request = conn_pb.SearchOrganizationConnectionsRequest(
        provider="OKTA", status=conn_pb.ConnectionStatus.Value("COMPLETED"), page_size=30
    )
    found = _exec(client, "SearchOrganizationConnections", request)
    assert found.total_size == len(okta_completed)
    assert {c.id for c in found.connections} <= {c.id for c in okta_completed}
    one = okta_completed[0]
    by_org = _exec(
        client,
        "SearchOrganizationConnections",
        conn_pb.SearchOrganizationConnectionsRequest(query=one.organization_id),
    )
    assert [c.id for c in by_org.connections] == [one.id]
    disabled = _exec(
        client,
        "SearchOrganizationConnections",
        conn_pb.SearchOrganizationConnectionsRequest(enabled=False, page_size=30),
    )
    assert all(not c.enabled for c in disabled.connections)


def test_a_connection_from_draft_to_enabled_and_gone(client: ScalekitClient, new_org: str) -> None:
    created = client.connection.create_connection(
        new_org,
        conn_pb.CreateConnection(
            provider=conn_pb.ConnectionProvider.Value("OKTA"), type=conn_pb.ConnectionType.Value("SAML")
        ),
    )[0].connection
    assert conn_pb.ConnectionStatus.Name(created.status) == "DRAFT" and not created.enabled
    code, message = refusal(lambda: client.connection.enable_connection(new_org, created.id))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "complete its configuration" in message

    okta = conn_pb.ConnectionProvider.Value("OKTA")  # the rules ask every update to name its provider
    partial = conn_pb.UpdateConnection(
        provider=okta,
        saml_config=conn_pb.SAMLConnectionConfigRequest(
            idp_entity_id=wrappers_pb2.StringValue(value="http://www.okta.com/x")
        ),
    )
    updated = _exec(
        client,
        "UpdateConnection",
        conn_pb.UpdateConnectionRequest(organization_id=new_org, id=created.id, connection=partial),
    )
    assert conn_pb.ConnectionStatus.Name(updated.connection.status) == "IN_PROGRESS"
    complete = conn_pb.UpdateConnection(
        provider=okta,
        saml_config=conn_pb.SAMLConnectionConfigRequest(
            idp_metadata_url=wrappers_pb2.StringValue(value="https://acme.okta.com/metadata")
        ),
    )
    done = _exec(
        client,
        "UpdateConnection",
        conn_pb.UpdateConnectionRequest(organization_id=new_org, id=created.id, connection=complete),
    )
    assert conn_pb.ConnectionStatus.Name(done.connection.status) == "COMPLETED"
    assert done.connection.saml_config.idp_metadata_url.value == "https://acme.okta.com/metadata"
    assert done.connection.saml_config.sp_assertion_url.endswith(f"/{created.id}/acs")

    assert client.connection.enable_connection(new_org, created.id)[0].enabled is True
    assert [c.id for c in client.connection.list_connections(new_org)[0].connections] == [created.id]
    got = client.connection.get_connection(new_org, created.id)[0].connection
    assert got.enabled and got.organization_id == new_org
    assert client.connection.disable_connection(new_org, created.id)[0].enabled is False
    client.connection.delete_connection(new_org, created.id)
    code, _ = refusal(lambda: client.connection.get_connection(new_org, created.id))
    assert code == grpc.StatusCode.NOT_FOUND


def test_unsupported_connection_types_are_refused_by_the_descriptor_rule(
    client: ScalekitClient, new_org: str
) -> None:
    oauth = conn_pb.CreateConnection(
        provider=conn_pb.ConnectionProvider.Value("GOOGLE"), type=conn_pb.ConnectionType.Value("OAUTH")
    )
    code, message = refusal(lambda: client.connection.create_connection(new_org, oauth))
    assert (
        code == grpc.StatusCode.INVALID_ARGUMENT
        and "OAUTH, PASSWORDLESS and WEBAUTHN are not supported yet" in message
    )


def test_another_organizations_connection_is_not_found(
    emulator: Emulator, client: ScalekitClient, new_org: str
) -> None:
    someone_else = next(iter(emulator.backends.env.connections.values()))
    code, _ = refusal(lambda: client.connection.get_connection(new_org, someone_else.id))
    assert code == grpc.StatusCode.NOT_FOUND


def test_app_connections_list_empty(client: ScalekitClient) -> None:
    """AgentKit's app connections are not emulated: an environment that made none lists none."""
    listed = client.connection.list_app_connections(page_size=2)[0]
    assert list(listed.connections) == [] and listed.total_size == 0
