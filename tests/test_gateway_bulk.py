"""The gateway at the Organizations page's scale: no thread per RPC, every connection of the
environment in a few paged listings, every organization's directories with many calls in flight.
All against the emulator through the real SDK."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator

import grpc
import pytest
from scalekit import ScalekitClient
from scalekit.v1.directories import directories_pb2 as dir_pb

from dashboard.config import Settings
from dashboard.errors import NotAllowed, ScalekitError
from dashboard.gateway import ScalekitGateway
from dashboard.gateway.channel import SdkChannel
from dashboard.models import Connection, Directory
from scalekit_emulator import Emulator, Fault
from scalekit_emulator.records import ConnectionRecord


@pytest.fixture
def plugin_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The threads the SDK's call-credentials plugin runs on, one entry per run: grpc-python
    starts a thread for a metadata plugin on every RPC. The SDK builds its plugin with
    ``grpc.access_token_call_credentials``; this one signs the same way and notes its thread."""
    runs: list[threading.Thread] = []

    class Noting(grpc.AuthMetadataPlugin):
        def __init__(self, token: str) -> None:
            self.token = token

        def __call__(
            self, context: grpc.AuthMetadataContext, callback: grpc.AuthMetadataPluginCallback
        ) -> None:
            runs.append(threading.current_thread())
            callback((("authorization", f"Bearer {self.token}"),), None)

    monkeypatch.setattr(
        grpc, "access_token_call_credentials", lambda token: grpc.metadata_call_credentials(Noting(token))
    )
    return runs


def connect(emulator: Emulator, settings: Settings) -> ScalekitGateway:
    return ScalekitGateway.connect(settings, emulator.env_url, emulator.client_id, emulator.client_secret)


def test_no_thread_is_started_per_rpc(
    emulator: Emulator, settings: Settings, plugin_threads: list[threading.Thread]
) -> None:
    gateway = connect(emulator, settings)
    org_id = gateway.list_organizations()[0].id
    for _ in range(30):
        gateway.list_connections(org_id)
    gateway.directories_of([org_id] * 30, lambda org_id, found: None)
    assert plugin_threads == []
    # The SDK as shipped runs its plugin on a thread of its own for every call: the list can tell.
    sdk = ScalekitClient(emulator.env_url, emulator.client_id, emulator.client_secret)
    for _ in range(30):
        sdk.connection.list_connections(org_id)
    assert len({id(thread) for thread in plugin_threads}) == 30
    assert threading.current_thread() not in plugin_threads


def test_an_sdk_the_adapter_was_not_checked_against_keeps_its_own_channel(
    emulator: Emulator, plugin_threads: list[threading.Thread], caplog: pytest.LogCaptureFixture
) -> None:
    def client() -> ScalekitClient:
        return ScalekitClient(emulator.env_url, emulator.client_id, emulator.client_secret)

    assert SdkChannel(client()).lean  # the SDK installed is one the adapter was checked against
    with caplog.at_level(logging.WARNING, logger="portal_desk"):
        untouched = [SdkChannel(client(), sdk="2.999.0") for _ in range(2)]
    assert not untouched[0].lean
    assert sum("2.999.0" in r.getMessage() for r in caplog.records) == 1  # said once, not per client
    request = dir_pb.ListDirectoriesRequest(organization_id="org_1")  # found or not: a call
    plugin_threads.clear()
    for _ in range(5):
        untouched[0].future(untouched[0].directories.ListDirectories, request).exception()
    assert len(plugin_threads) == 5  # the SDK's channel, plugin and all, still carries the calls


def test_the_token_still_authenticates_every_call(gateway: ScalekitGateway, emulator: Emulator) -> None:
    emulator.control.expire_tokens()
    assert gateway.list_organizations(page_size=10)  # the SDK signs in again and retries


def per_org(gateway: ScalekitGateway) -> set[tuple[str, str, str, bool]]:
    return {
        (c.organization_id, c.id, c.status, c.enabled)
        for org in gateway.list_organizations()
        for c in gateway.list_connections(org.id)
    }


def everything(gateway: ScalekitGateway) -> list[Connection]:
    found: list[Connection] = []
    lock = threading.Lock()

    def keep(page: list[Connection]) -> None:
        with lock:
            found.extend(page)

    gateway.every_connection(keep)
    return found


def test_every_connection_is_what_each_organization_lists(gateway: ScalekitGateway) -> None:
    found = everything(gateway)
    assert len(found) == len({c.id for c in found})  # each once, whichever listing it came from
    assert {(c.organization_id, c.id, c.status, c.enabled) for c in found} == per_org(gateway)
    assert {c.status for c in found} >= {"draft", "in_progress", "completed"}  # every state, not active only


@pytest.fixture
def stray_connection(emulator: Emulator, gateway: ScalekitGateway) -> Iterator[str]:
    """A connection whose status is none this SDK defines: in no filtered listing."""
    env = emulator.backends.env
    org_id = gateway.list_organizations()[0].id
    record = ConnectionRecord(
        id="conn_stray1", organization_id=org_id, provider="OKTA", type="SAML",
        status="CONNECTION_STATUS_UNSPECIFIED", enabled=False, created_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    with env.lock:
        env.connections[record.id] = record
        env.org_connections.setdefault(org_id, []).append(record.id)
        env.revision += 1
    yield record.id
    emulator.control.reset()


def test_when_the_filtered_listings_do_not_add_up_the_whole_listing_is_walked(
    gateway: ScalekitGateway, stray_connection: str
) -> None:
    found = everything(gateway)
    assert stray_connection in {c.id for c in found}
    assert {(c.organization_id, c.id, c.status, c.enabled) for c in found} == per_org(gateway)


def test_an_environment_that_refuses_the_bulk_listing_says_so(
    gateway: ScalekitGateway, emulator: Emulator
) -> None:
    emulator.control.inject_fault(Fault(method="SearchOrganizationConnections", code="PERMISSION_DENIED"))
    with pytest.raises(NotAllowed, match="list every SSO connection"):
        everything(gateway)


def directories(gateway: ScalekitGateway, org_ids: list[str]) -> dict[str, list[Directory] | ScalekitError]:
    answers: dict[str, list[Directory] | ScalekitError] = {}
    lock = threading.Lock()

    def keep(org_id: str, result: list[Directory] | ScalekitError) -> None:
        with lock:
            answers[org_id] = result

    gateway.directories_of(org_ids, keep, in_flight=16)
    return answers


def test_directories_in_flight_are_what_each_organization_lists(gateway: ScalekitGateway) -> None:
    org_ids = [o.id for o in gateway.list_organizations()][:120]
    answers = directories(gateway, org_ids)
    assert set(answers) == set(org_ids)
    assert all(answers[o] == gateway.list_directories(o) for o in org_ids)


def test_a_token_that_expires_midway_is_renewed_through_the_sdk(
    gateway: ScalekitGateway, emulator: Emulator
) -> None:
    org_ids = [o.id for o in gateway.list_organizations()][:40]
    emulator.control.expire_tokens()
    answers = directories(gateway, org_ids)
    assert all(isinstance(answers[o], list) for o in org_ids)


def test_a_failing_call_is_that_organizations_error(gateway: ScalekitGateway, emulator: Emulator) -> None:
    org_ids = [o.id for o in gateway.list_organizations()][:10]
    emulator.control.inject_fault(Fault(method="ListDirectories", code="UNAVAILABLE", times=3))
    answers = directories(gateway, org_ids)
    failed = [o for o in org_ids if isinstance(answers[o], ScalekitError)]
    assert len(failed) == 3 and "unavailable" in str(answers[failed[0]]).lower()
