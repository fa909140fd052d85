"""How Portal Desk reaches the SDK's gRPC layer, in one adapter: its service stubs, its
``grpc_exec``, and gRPC futures carrying its headers. Every change to how the SDK talks is here.

The change: ``ScalekitClient`` builds its channel with ``grpc.access_token_call_credentials``, a
metadata plugin that grpc-python runs on a new Python thread for every RPC, to add an
``authorization`` header. The SDK also sends that same header itself (``CoreClient.get_headers``)
on every call, refreshed when the token is, whereas the plugin keeps the first token forever. So
the plugin costs a thread per call and adds nothing; measured, it is half the time of a status
fill. On an SDK version this was checked against, the adapter swaps in a channel with the same
TLS trust and keepalive options, without the plugin, and points the SDK's stubs at it. On any
other version it leaves the SDK's own channel alone (slower, never wrong) and says so once.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import version

import grpc
from google.protobuf.message import Message
from scalekit import ScalekitClient
from scalekit.v1.connections.connections_pb2_grpc import ConnectionServiceStub
from scalekit.v1.directories.directories_pb2_grpc import DirectoryServiceStub
from scalekit.v1.domains.domains_pb2_grpc import DomainServiceStub
from scalekit.v1.organizations.organizations_pb2_grpc import OrganizationServiceStub

log = logging.getLogger("portal_desk")

# The SDK releases (major.minor) whose CoreClient was read for this: where it keeps its channel,
# host and keepalive settings, and which attributes hold the stubs below.
CHECKED_SDK_VERSIONS = frozenset({"2.21"})
# The SDK's own idle rule (core.py): close an idle connection after five keepalive periods, at
# most four minutes, before Scalekit's five-minute MaxConnectionIdle does.
IDLE_CEILING_MS, IDLE_PING_CYCLES = 240_000, 5


def sdk_version() -> str:
    return version("scalekit-sdk-python")


def checked(sdk: str) -> bool:
    """True if the adapter was checked against this SDK release (its major.minor)."""
    return ".".join(sdk.split(".")[:2]) in CHECKED_SDK_VERSIONS


def channel_options(keepalive_time_ms: int, keepalive_timeout_ms: int) -> list[tuple[str, int]]:
    """The options the SDK gives its channel (core.py, ``__grpc_secure_channel``)."""
    if not keepalive_time_ms:
        return []
    return [
        ("grpc.keepalive_time_ms", keepalive_time_ms),
        ("grpc.keepalive_timeout_ms", keepalive_timeout_ms),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.client_idle_timeout_ms", min(keepalive_time_ms * IDLE_PING_CYCLES, IDLE_CEILING_MS)),
    ]


@cache
def _say_unchecked(sdk: str) -> None:
    log.warning(
        "Portal Desk keeps scalekit-sdk-python %s's own gRPC channel (checked: %s): each Scalekit "
        "call starts a thread, so large listings are slower.",
        sdk,
        ", ".join(sorted(CHECKED_SDK_VERSIONS)),
    )


class SdkChannel:
    """The SDK's stubs and calls for the gateway, on the leaner channel when the SDK allows."""

    def __init__(self, client: ScalekitClient, sdk: str | None = None) -> None:
        self._core = client.core_client
        self.sdk_version = sdk or sdk_version()
        self.lean = checked(self.sdk_version)
        if self.lean:
            self._without_call_credentials(client)
        else:
            _say_unchecked(self.sdk_version)
        self.organizations = client.organization.organization_service
        self.connections = client.connection.connection_service
        self.directories = client.directory.directory_service

    def _without_call_credentials(self, client: ScalekitClient) -> None:
        core = self._core
        channel = grpc.secure_channel(
            core.host,
            grpc.ssl_channel_credentials(),
            options=channel_options(core.keepalive_time_ms, core.keepalive_timeout_ms),
        )
        old, core.grpc_secure_channel = core.grpc_secure_channel, channel
        client.organization.organization_service = OrganizationServiceStub(channel)
        client.connection.connection_service = ConnectionServiceStub(channel)
        client.directory.directory_service = DirectoryServiceStub(channel)
        client.domain.domain_service = DomainServiceStub(channel)
        old.close()

    def exec(self, rpc: grpc.UnaryUnaryMultiCallable, request: Message, *, retry: bool = True) -> Message:
        """One call through the SDK (its token, headers, re-sign-in and retries). ``retry=False``:
        UNAVAILABLE is raised, not retried."""
        response, _call = self._core.grpc_exec(rpc.with_call, request, retry_on_unavailable=retry)
        return response

    def future(self, rpc: grpc.UnaryUnaryMultiCallable, request: Message) -> grpc.Future:
        """One call as a gRPC future, with the SDK's headers and deadline; an expired token comes
        back as UNAUTHENTICATED (the SDK's retry is for ``exec``)."""
        headers = tuple(self._core.get_headers().items())
        return rpc.future(request, timeout=self._core.call_timeout_s, metadata=headers)
