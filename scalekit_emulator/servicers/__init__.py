"""gRPC wire adapters: the SDK's own generated servicer classes over the backends.

Subclassing the generated ``*Servicer`` bases means the emulator speaks exactly the wire format
the SDK was generated from. A method a servicer does not override is not implemented: the guard
answers it UNIMPLEMENTED, naming it.
"""

from __future__ import annotations

import grpc
from scalekit.v1.connections import connections_pb2_grpc
from scalekit.v1.directories import directories_pb2_grpc
from scalekit.v1.domains import domains_pb2_grpc
from scalekit.v1.organizations import organizations_pb2_grpc

from ..backends import Backends
from ..descriptors import SERVICES
from .connections import ConnectionServicer
from .directories import DirectoryServicer
from .domains import DomainServicer
from .organizations import OrganizationServicer

_REGISTER = {
    "OrganizationService": organizations_pb2_grpc.add_OrganizationServiceServicer_to_server,
    "ConnectionService": connections_pb2_grpc.add_ConnectionServiceServicer_to_server,
    "DirectoryService": directories_pb2_grpc.add_DirectoryServiceServicer_to_server,
    "DomainService": domains_pb2_grpc.add_DomainServiceServicer_to_server,
}
SERVICER_CLASSES = {
    "OrganizationService": OrganizationServicer,
    "ConnectionService": ConnectionServicer,
    "DirectoryService": DirectoryServicer,
    "DomainService": DomainServicer,
}


def implemented_paths() -> set[str]:
    """gRPC paths of every method a servicer overrides (the rest is the generated base's)."""
    done = set()
    for service in SERVICES:
        servicer = SERVICER_CLASSES[service.name]
        base = servicer.__mro__[1]
        for method in service.methods:
            if getattr(servicer, method.name) is not getattr(base, method.name):
                done.add(f"/{service.full_name}/{method.name}")
    return done


def add_servicers(server: grpc.Server, backends: Backends, env_url: str) -> None:
    servicers = {
        "OrganizationService": OrganizationServicer(backends.organizations, backends.portal),
        "ConnectionService": ConnectionServicer(backends.connections, env_url),
        "DirectoryService": DirectoryServicer(backends.directories, env_url),
        "DomainService": DomainServicer(backends.domains),
    }
    for name, servicer in servicers.items():
        _REGISTER[name](servicer, server)
