"""Readings: where Scalekit's sources disagree or are silent, the emulator plays each on request."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
import requests
from scalekit import ScalekitClient
from scalekit.common.exceptions import ScalekitServerException
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator
from scalekit_emulator.__main__ import main
from scalekit_emulator.readings import Readings

from .conftest import refusal

Play = Callable[..., None]


def settings(client: ScalekitClient, org: str) -> dict[str, bool]:
    features = client.organization.get_organization(org)[0].organization.settings.features
    return {f.name: f.enabled for f in features}


def test_readings_lists_each_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--readings"]) == 0
    listed = capsys.readouterr().out
    names = [line for line in listed.splitlines() if line and not line.startswith(" ")]
    assert len(names) >= 9
    assert listed.count("source: ") == len(names)
    for name in ("feature-name-directory_sync", "links-reusable", "rate-limit=N", "lost-answer=METHOD"):
        assert name in listed
    assert main(["--reading", "no-such-reading"]) == 2
    assert "unknown reading" in capsys.readouterr().err


def test_contradicting_or_malformed_readings_are_refused() -> None:
    with pytest.raises(ValueError, match="contradict"):
        Readings.parse(["feature-name-scim", "feature-name-directory_sync"])
    with pytest.raises(ValueError, match="rate-limit"):
        Readings.parse(["rate-limit=0"])
    assert Readings.parse(["lost-answer=GeneratePortalLink:2"]).lost_answers == {"GeneratePortalLink": 2}


def test_the_docs_readings_are_the_default_and_the_control_api_reports_them(emulator: Emulator) -> None:
    status = emulator.control.status()
    assert "domains-verified-on-create" in status["readings"]
    assert "directory-enabled-on-create" in status["readings"]
    assert "links-reusable" not in status["readings"]
    headers = {"Authorization": f"Bearer {emulator.control.token}"}
    answer = requests.get(f"{emulator.portal_url}/_emulator/readings", headers=headers, timeout=5)
    assert answer.json()["readings"] == status["readings"]


@pytest.mark.parametrize("name", ["directory_sync", "scim"])
def test_a_directory_feature_named_otherwise(
    client: ScalekitClient, new_org: str, reading: Play, name: str
) -> None:
    reading(f"feature-name-{name}")
    assert settings(client, new_org) == {"sso": True, name: True}
    client.organization.update_organization_settings(new_org, [{"name": name, "enabled": False}])
    assert settings(client, new_org) == {"sso": True, name: False}
    code, message = refusal(
        lambda: client.organization.update_organization_settings(
            new_org, [{"name": "dir_sync", "enabled": True}]
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and name in message
    # GeneratePortalLink's Feature enum has no other spelling: dir_sync (1) still names it.
    code, _ = refusal(lambda: client.organization.generate_portal_link(new_org, [org_pb.Feature.dir_sync]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT  # it is off


def test_features_off_by_default(client: ScalekitClient, reading: Play) -> None:
    reading("features-off-by-default")
    org = client.organization.create_organization(org_pb.CreateOrganization(display_name="Off Org"))[0]
    org_id = org.organization.id
    assert settings(client, org_id) == {"sso": False, "dir_sync": False}
    code, message = refusal(lambda: client.organization.generate_portal_link(org_id))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "no admin portal feature" in message


def test_reusable_links_are_handed_back_and_open_more_than_once(
    emulator: Emulator, client: ScalekitClient, new_org: str, reading: Play
) -> None:
    reading("links-reusable")
    first = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    again = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    other = client.organization.generate_portal_link(new_org, [org_pb.Feature.dir_sync])
    assert again.id == first.id and again.location == first.location and other.id != first.id
    assert requests.get(first.location, timeout=5).status_code == 200
    assert requests.get(first.location, timeout=5).status_code == 200  # another browser, another session
    assert client.organization.generate_portal_link(new_org, [org_pb.Feature.sso]).id != first.id  # opened
    emulator.control.advance_clock(61)
    assert requests.get(first.location, timeout=5).status_code == 410


def test_enabling_an_incomplete_connection(client: ScalekitClient, new_org: str, reading: Play) -> None:
    reading("enable-incomplete-sso")
    created = client.connection.create_connection(
        new_org,
        conn_pb.CreateConnection(
            provider=conn_pb.ConnectionProvider.Value("OKTA"), type=conn_pb.ConnectionType.Value("SAML")
        ),
    )[0].connection
    enabled = client.connection.enable_connection(new_org, created.id)[0]
    assert enabled.enabled is True
    got = client.connection.get_connection(new_org, created.id)[0].connection
    assert conn_pb.ConnectionStatus.Name(got.status) == "DRAFT" and got.enabled


def test_rate_limited_per_environment(emulator: Emulator, client: ScalekitClient, reading: Play) -> None:
    reading("rate-limit=3")
    for _ in range(3):
        client.organization.list_organizations(page_size=1)
    with pytest.raises(ScalekitServerException) as info:
        client.organization.list_organizations(page_size=1)
    error = info.value
    assert error.grpc_status == grpc.StatusCode.RESOURCE_EXHAUSTED and "RATE_LIMITED" in error.message
    assert error.error_code == "RATE_LIMITED"  # the ErrorInfo detail, as Scalekit's 429 says
    stub = client.organization.organization_service
    with pytest.raises(grpc.RpcError) as raw:
        stub.ListOrganization.with_call(
            org_pb.ListOrganizationsRequest(page_size=1),
            metadata=tuple(client.core_client.get_headers().items()),
        )
    assert 1 <= int(dict(raw.value.trailing_metadata())["retry-after"]) <= 60
    emulator.control.advance_clock(60)  # a new minute
    client.organization.list_organizations(page_size=1)


def test_a_missing_permission_is_named(client: ScalekitClient, new_org: str, reading: Play) -> None:
    reading("client-permissions=organizations:read,sso:read")
    client.organization.get_organization(new_org)
    code, message = refusal(lambda: client.organization.generate_portal_link(new_org))
    assert code == grpc.StatusCode.PERMISSION_DENIED and "portal_links:manage" in message
    code, message = refusal(lambda: client.directory.list_directories(new_org))
    assert code == grpc.StatusCode.PERMISSION_DENIED and "scim:read" in message


def test_a_lost_answer_after_the_work_is_done(
    emulator: Emulator, client: ScalekitClient, new_org: str, reading: Play
) -> None:
    """grpc_exec retries UNAVAILABLE: with one answer lost the caller sees a link, yet two exist."""
    reading("lost-answer=GeneratePortalLink:1")
    seen = client.organization.generate_portal_link(new_org, [org_pb.Feature.sso])
    stub = client.organization.organization_service
    metadata = (("authorization", f"Bearer {emulator.control.workspace_token()}"),)
    minted = stub.GetPortalLinks(org_pb.GetPortalLinkRequest(id=new_org), metadata=metadata).links
    assert minted[0].id == seen.id and len(minted) == 2

    reading("lost-answer=CreateOrganization")
    before = emulator.control.status()["organizations"]
    request = org_pb.CreateOrganizationRequest(organization=org_pb.CreateOrganization(display_name="Lost"))
    with pytest.raises(ScalekitServerException) as info:
        client.core_client.grpc_exec(stub.CreateOrganization.with_call, request, retry=0)
    assert info.value.grpc_status == grpc.StatusCode.UNAVAILABLE
    assert emulator.control.status()["organizations"] == before + 1  # created all the same


def test_readings_given_to_the_emulator_object() -> None:
    with Emulator(orgs=1, seed=3, readings=["feature-name-scim", "rate-limit=5"]) as emu:
        assert {"feature-name-scim", "rate-limit=5"} <= set(emu.control.status()["readings"])
    with pytest.raises(ValueError, match="unknown reading"):
        Emulator(orgs=1, readings=["links-forever"])
    with pytest.raises(ValueError, match="no such RPC"):
        Emulator(orgs=1, readings=["lost-answer=MintLink"])
    with pytest.raises(ValueError, match="not an origin"):
        Emulator(orgs=1, allowed_origins=["localhost:8501"])
