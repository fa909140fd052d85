"""The rules read from the SDK's descriptors: who may call, what is implemented, what is valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from scalekit import ScalekitClient
from scalekit.v1.commons import commons_pb2
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator
from scalekit_emulator.descriptors import CLIENT, coverage, coverage_table, method_rules
from scalekit_emulator.servicers import implemented_paths

from .conftest import call, refusal, stub_for

ROOT = Path(__file__).resolve().parents[2]
RULES = method_rules()
IMPLEMENTED = implemented_paths()
CLIENT_CALLABLE_MISSING = sorted(
    (r for r in RULES.values() if r.path not in IMPLEMENTED and (r.allows(CLIENT) or r.open_to_anyone)),
    key=lambda r: r.path,
)
WORKSPACE_ONLY = sorted(
    (r for r in RULES.values() if not r.allows(CLIENT) and not r.open_to_anyone), key=lambda r: r.path
)


def test_the_descriptors_name_dashboard_only_methods() -> None:
    names = {r.name for r in WORKSPACE_ONLY}
    assert {"GetPortalLinks", "DeletePortalLink"} <= names
    assert "DeletePortalLinkByID" not in names and "GeneratePortalLink" not in names


@pytest.mark.parametrize("rule", CLIENT_CALLABLE_MISSING, ids=lambda r: r.name)
def test_every_declared_method_not_implemented_answers_unimplemented_by_name(
    client: ScalekitClient, rule
) -> None:
    code, message = refusal(lambda: call(client, rule))
    assert code == grpc.StatusCode.UNIMPLEMENTED
    assert f"{rule.service}.{rule.name}" in message


@pytest.mark.parametrize("rule", WORKSPACE_ONLY, ids=lambda r: r.name)
def test_every_dashboard_only_method_refuses_an_api_client(client: ScalekitClient, rule) -> None:
    code, message = refusal(lambda: call(client, rule))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert rule.name in message and "API client" in message


def test_a_dashboard_session_may_list_and_delete_links(
    emulator: Emulator, client: ScalekitClient, new_org: str
) -> None:
    """What the API client may not do, Scalekit's own dashboard may: the rule is the caller's kind."""
    first = client.organization.generate_portal_link(new_org)
    second = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    token = emulator.control.workspace_token()
    stub = client.organization.organization_service
    metadata = (("authorization", f"Bearer {token}"),)
    listed = stub.GetPortalLinks(org_pb.GetPortalLinkRequest(id=new_org), metadata=metadata)
    assert [link.id for link in listed.links] == [second.id, first.id]  # newest first
    stub.DeletePortalLink(org_pb.DeletePortalLinkRequest(id=new_org), metadata=metadata)
    assert list(stub.GetPortalLinks(org_pb.GetPortalLinkRequest(id=new_org), metadata=metadata).links) == []


def test_no_token_or_a_forged_one_is_unauthenticated(emulator: Emulator) -> None:
    from scalekit.v1.organizations import organizations_pb2_grpc

    credentials = grpc.ssl_channel_credentials(root_certificates=emulator.ca_file.read_bytes())
    with grpc.secure_channel(emulator.env_url.removeprefix("https://"), credentials) as channel:
        stub = organizations_pb2_grpc.OrganizationServiceStub(channel)
        for metadata in ((), (("authorization", "Bearer forged.token.value"),)):
            with pytest.raises(grpc.RpcError) as info:
                stub.ListOrganization(org_pb.ListOrganizationsRequest(), metadata=metadata, timeout=5)
            assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("method", "request_message", "field"),
    [
        (
            "CreateOrganization",
            org_pb.CreateOrganizationRequest(
                organization=org_pb.CreateOrganization(display_name="A", metadata={"k": "v"})
            ),
            "organization.metadata['k'] (key): must be at least 3 characters",
        ),
        (
            "CreateOrganization",
            org_pb.CreateOrganizationRequest(
                organization=org_pb.CreateOrganization(
                    display_name="A", metadata={f"key{n}": "v" for n in range(11)}
                )
            ),
            "organization.metadata: map must be at most 10 entries",
        ),
        (
            "CreateOrganization",
            org_pb.CreateOrganizationRequest(
                organization=org_pb.CreateOrganization(display_name="A", slug="Not A Slug")
            ),
            "organization.slug: does not match regex pattern",
        ),
        (
            "CreateOrganization",
            org_pb.CreateOrganizationRequest(organization=org_pb.CreateOrganization(display_name="x" * 201)),
            "organization.display_name: must be at most 200 characters",
        ),
        (
            "DeletePortalLinkByID",
            org_pb.DeletePortalLinkByIdRequest(id="org_1", link_id="not-a-link"),
            "link_id: does not have prefix `lnk_`",
        ),
        (
            "SearchOrganization",
            org_pb.SearchOrganizationsRequest(query="ab"),
            "query: must be at least 3 characters",
        ),
        (
            "ListOrganizationConnections",
            conn_pb.ListOrganizationConnectionsRequest(page_size=31),
            "page_size: must be less than or equal to 30",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_requests_are_checked_against_their_validation_rules(
    client: ScalekitClient, method, request_message, field
) -> None:
    rule = next(r for r in RULES.values() if r.name == method)
    code, message = refusal(lambda: call(client, rule, request_message))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in message


def test_an_undefined_enum_value_is_invalid_not_a_crash(client: ScalekitClient) -> None:
    request = org_pb.CreateOrganizationRequest(
        organization=org_pb.CreateOrganization(
            display_name="Enum Co", region_code=commons_pb2.RegionCode.Value("EU") + 40
        )
    )
    rule = next(r for r in RULES.values() if r.name == "CreateOrganization")
    code, message = refusal(lambda: call(client, rule, request))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "region_code" in message


@pytest.mark.slow
def test_coverage_meets_the_floor_and_the_readme_shows_it() -> None:
    by_service = {row.service: len(row.implemented) for row in coverage(IMPLEMENTED)}
    assert by_service["OrganizationService"] >= 16
    assert by_service["ConnectionService"] >= 9
    assert by_service["DirectoryService"] >= 9
    assert by_service["DomainService"] >= 6
    printed = subprocess.run(
        [sys.executable, "-m", "scalekit_emulator", "--coverage"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0 and printed.stdout.strip() == coverage_table(IMPLEMENTED).strip()
    table = coverage_table(IMPLEMENTED).split("\n\n")[0]
    assert table in (ROOT / "README.md").read_text(), "README's coverage table is out of date"


def test_stub_lookup_covers_every_declared_method(client: ScalekitClient) -> None:
    for rule in RULES.values():
        assert callable(stub_for(client, rule))
