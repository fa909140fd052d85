"""The emulator's own tests: the real SDK, as any team testing a Scalekit integration uses it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from scalekit import ScalekitClient
from scalekit.common.exceptions import ScalekitServerException

from scalekit_emulator import Emulator
from scalekit_emulator.descriptors import MethodRule


@pytest.fixture(scope="session")
def client(emulator: Emulator) -> ScalekitClient:
    return ScalekitClient(emulator.env_url, emulator.client_id, emulator.client_secret)


@pytest.fixture
def new_org(client: ScalekitClient) -> str:
    """A fresh organization (both admin portal features on, as new ones are)."""
    from scalekit.v1.organizations import organizations_pb2 as org_pb

    response, _ = client.organization.create_organization(org_pb.CreateOrganization(display_name="Test Org"))
    return response.organization.id


@pytest.fixture
def reading(emulator: Emulator) -> Iterator[Callable[..., None]]:
    """Play other readings for one test (readings.py); the docs' readings come back after it."""
    yield lambda *names: emulator.control.set_readings(list(names))
    emulator.control.set_readings([])


def stub_for(client: ScalekitClient, rule: MethodRule) -> Callable:
    """The SDK's own generated stub method for a descriptor rule."""
    stubs = {
        "OrganizationService": client.organization.organization_service,
        "ConnectionService": client.connection.connection_service,
        "DirectoryService": client.directory.directory_service,
        "DomainService": client.domain.domain_service,
    }
    return getattr(stubs[rule.service], rule.name)


def call(client: ScalekitClient, rule: MethodRule, request: Message | None = None) -> Message:
    """Call any RPC the way the SDK calls its own: through core_client.grpc_exec."""
    request = request if request is not None else GetMessageClass(rule.request)()
    response, _ = client.core_client.grpc_exec(stub_for(client, rule).with_call, request)
    return response


def refusal(action: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    """The status code and message a call was refused with."""
    with pytest.raises(ScalekitServerException) as info:
        action()
    return info.value.grpc_status, info.value.message
