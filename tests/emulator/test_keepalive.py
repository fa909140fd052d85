"""Keepalive as Scalekit enforces it: the SDK pings an idle channel every 60 s against a server
minimum of 30 s, and must never earn a GOAWAY "too_many_pings". The same 2x margin, scaled down
to seconds, is checked here against a channel that pings too often (which must be told off), so
the check can fail."""

from __future__ import annotations

import time

import grpc
import pytest
from scalekit.v1.organizations import organizations_pb2 as org_pb
from scalekit.v1.organizations import organizations_pb2_grpc as org_grpc

from scalekit_emulator import Emulator
from scalekit_emulator.server import MIN_PING_INTERVAL_S

pytestmark = pytest.mark.slow  # waits out keepalive pings on purpose (make check leaves it to make test)

SDK_PING_S = 60  # scalekit.core.DEFAULT_KEEPALIVE_TIME_MS / 1000


def channel(emulator: Emulator, ping_s: float) -> tuple[grpc.Channel, list[str]]:
    """An idle channel with the SDK's keepalive options, recording its connectivity states."""
    credentials = grpc.ssl_channel_credentials(root_certificates=emulator.ca_file.read_bytes())
    options = [
        ("grpc.keepalive_time_ms", int(ping_s * 1000)),
        ("grpc.keepalive_timeout_ms", 5000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
    ]
    opened = grpc.secure_channel(emulator.env_url.removeprefix("https://"), credentials, options=options)
    states: list[str] = []
    opened.subscribe(lambda state: states.append(state.name), try_to_connect=True)
    grpc.channel_ready_future(opened).result(timeout=10)
    stub = org_grpc.OrganizationServiceStub(opened)
    try:  # one call, as the SDK makes, then the channel idles
        stub.ListOrganization(org_pb.ListOrganizationsRequest(), timeout=5)
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    return opened, states


def test_the_sdks_pings_are_welcome_and_pings_too_often_are_not() -> None:
    assert SDK_PING_S >= 2 * MIN_PING_INTERVAL_S  # the real figures keep the margin tested below
    with Emulator(orgs=1, min_ping_interval_s=2) as emulator:
        polite, polite_states = channel(emulator, ping_s=4)  # the SDK's 2x margin, scaled down
        eager, eager_states = channel(emulator, ping_s=0.5)
        time.sleep(10)  # two of the polite channel's pings; twenty of the eager one's
        assert polite_states[-1] == "READY" and "IDLE" not in polite_states[polite_states.index("READY") :]
        assert "IDLE" in eager_states[eager_states.index("READY") :]  # GOAWAY too_many_pings
        polite.close()
        eager.close()
