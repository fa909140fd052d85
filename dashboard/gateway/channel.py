"""The SDK's gRPC channel, rebuilt without its per-call thread.

``ScalekitClient`` builds its channel with ``grpc.access_token_call_credentials``: a metadata
plugin that grpc-python runs on a new Python thread for every RPC, to add an ``authorization``
header. The SDK also sends that same header itself (``CoreClient.get_headers``) on every call,
refreshed when the token is, whereas the plugin keeps the first token forever. So the plugin
costs a thread per call and adds nothing; measured, it is half the time of a status fill.

``without_call_credentials`` swaps in a channel with the same TLS trust and the same keepalive
options, and points the SDK's service stubs Portal Desk uses at it. Every call still goes through
the SDK (``grpc_exec``), authenticated by the SDK's token.
"""

from __future__ import annotations

import grpc
from scalekit import ScalekitClient
from scalekit.v1.connections.connections_pb2_grpc import ConnectionServiceStub
from scalekit.v1.directories.directories_pb2_grpc import DirectoryServiceStub
from scalekit.v1.domains.domains_pb2_grpc import DomainServiceStub
from scalekit.v1.organizations.organizations_pb2_grpc import OrganizationServiceStub

# The SDK's own idle rule (core.py): close an idle connection after five keepalive periods, at
# most four minutes, before Scalekit's five-minute MaxConnectionIdle does.
IDLE_CEILING_MS, IDLE_PING_CYCLES = 240_000, 5


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


def without_call_credentials(client: ScalekitClient) -> grpc.Channel:
    """Rebuild the client's channel with channel (TLS) credentials only; returns the new channel."""
    core = client.core_client
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
    return channel
