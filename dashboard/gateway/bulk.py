"""Environment-wide reads for the Organizations page: every SSO connection in a few paged
listings, and every organization's directories with many calls in flight.

Connections: ListOrganizationConnections pages through all of them, 30 at a time, each page
waiting for the last (the token). SearchOrganizationConnections takes the same pages filtered by
status (and whether a connection is enabled), so four filtered listings walk in parallel, each a
quarter as long; their totals must add up to ListOrganizationConnections' own total, or the
plain listing is walked instead. Both methods allow an API client (``WORKSPACE_CLIENT``).

Directories have no environment-wide listing: ListDirectories once per organization. Those calls
go out as gRPC futures, up to ``in_flight`` at once, instead of one thread per call; an answer
the SDK's retry would have mended (an expired token) is retried through the SDK at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import grpc
from google.protobuf.message import Message
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.directories import directories_pb2 as dir_pb

from ..models import Connection, Directory
from . import convert

BULK_PAGE_SIZE = 30  # both methods' page_size rule: at most 30
# Every connection is in exactly one of these: the three defined statuses, COMPLETED split in two
# because most connections are completed and the longest walk decides how long it all takes.
CHAINS: tuple[dict[str, object], ...] = (
    {"status": conn_pb.DRAFT},
    {"status": conn_pb.IN_PROGRESS},
    {"status": conn_pb.COMPLETED, "enabled": True},
    {"status": conn_pb.COMPLETED, "enabled": False},
)
Exec = Callable[[grpc.UnaryUnaryMultiCallable, Message], Message]
PageCallback = Callable[[list[Connection]], None]


def _walk(exec_: Exec, rpc: grpc.UnaryUnaryMultiCallable, make: Callable[[str], Message],
          on_page: PageCallback, first: Message | None = None) -> int:  # fmt: skip
    """Follow page tokens from ``first`` (or the start); returns how many connections were seen."""
    response = first if first is not None else exec_(rpc, make(""))
    seen = 0
    while True:
        page = [convert.connection(c) for c in response.connections]
        seen += len(page)
        on_page(page)
        if not response.next_page_token or not response.connections:
            return seen
        response = exec_(rpc, make(response.next_page_token))


def every_connection(exec_: Exec, stub: object, on_page: PageCallback) -> None:
    """Every connection of every organization, whatever its status, page by page to ``on_page``
    (from several threads at once: it must be thread-safe). Raises what the gateway translates."""
    listing, search = stub.ListOrganizationConnections, stub.SearchOrganizationConnections  # type: ignore[attr-defined]
    total = exec_(listing, conn_pb.ListOrganizationConnectionsRequest(page_size=1)).total_size
    firsts = [
        exec_(search, conn_pb.SearchOrganizationConnectionsRequest(page_size=BULK_PAGE_SIZE, **chain))
        for chain in CHAINS
    ]
    if sum(f.total_size for f in firsts) != total:
        # A connection in none of the four (a status this SDK does not know): walk them all.
        _walk(exec_, listing, lambda token: conn_pb.ListOrganizationConnectionsRequest(
            page_size=BULK_PAGE_SIZE, page_token=token), on_page)  # fmt: skip
        return

    def chain_walk(chain: dict[str, object], first: Message) -> int:
        def make(token: str) -> Message:
            return conn_pb.SearchOrganizationConnectionsRequest(
                page_size=BULK_PAGE_SIZE, page_token=token, **chain
            )

        return _walk(exec_, search, make, on_page, first)

    with ThreadPoolExecutor(max_workers=len(CHAINS), thread_name_prefix="bulk-connections") as pool:
        for done in [
            pool.submit(chain_walk, chain, first) for chain, first in zip(CHAINS, firsts, strict=True)
        ]:
            done.result()  # re-raises a failed walk


DirectoryResult = Callable[[str, "list[Directory] | None", "grpc.RpcError | None"], None]


def directories_of(
    send: Callable[[Message], grpc.Future],
    org_ids: Iterable[str],
    *,
    on_result: DirectoryResult,
    in_flight: int = 64,
    stopped: threading.Event | None = None,
) -> None:
    """ListDirectories for each of ``org_ids`` (consumed lazily, so the caller may reorder what
    comes next), sent as a future by ``send(request)``, at most ``in_flight`` at once;
    ``on_result(org_id, directories, error)`` from gRPC's threads as each answer arrives. Returns
    when every call has answered."""
    slots = threading.Semaphore(in_flight)
    outstanding = threading.Semaphore(0)
    sent = 0
    for org_id in org_ids:
        if stopped is not None and stopped.is_set():
            break
        slots.acquire()
        future = send(dir_pb.ListDirectoriesRequest(organization_id=org_id))

        def done(f: grpc.Future, org_id: str = org_id) -> None:
            try:
                found = [convert.directory(d, org_id) for d in f.result().directories]
            except grpc.RpcError as error:
                on_result(org_id, None, error)
            else:
                on_result(org_id, found, None)
            finally:
                slots.release()
                outstanding.release()

        future.add_done_callback(done)
        sent += 1
    for _ in range(sent):
        outstanding.acquire()
