"""DomainService over the domains backend."""

from __future__ import annotations

import grpc
from google.protobuf import empty_pb2
from google.protobuf.message import Message
from scalekit.v1.domains import domains_pb2 as dom_pb
from scalekit.v1.domains import domains_pb2_grpc as dom_grpc

from ..backends.domains import DEFAULT_PAGE_SIZE, Domains
from . import messages as m


def _owner(request: Message) -> tuple[str, str]:
    return request.organization_id, request.external_id


class DomainServicer(dom_grpc.DomainServiceServicer):
    def __init__(self, domains: Domains) -> None:
        self.domains = domains

    def ListDomains(
        self, request: dom_pb.ListDomainRequest, context: grpc.ServicerContext
    ) -> dom_pb.ListDomainResponse:
        page = self.domains.listing(
            *_owner(request),
            domain_type=m.optional_enum(dom_pb.DomainType, request.domain_type, "domain_type"),
            page_size=m.wrapped(request, "page_size"),
            page_number=m.wrapped(request, "page_number"),
        )
        return dom_pb.ListDomainResponse(
            domains=[m.domain(d) for d in page.items],
            page_size=int(m.wrapped(request, "page_size") or DEFAULT_PAGE_SIZE),
            page_number=int(m.wrapped(request, "page_number") or 0),
        )

    def GetDomain(
        self, request: dom_pb.GetDomainRequest, context: grpc.ServicerContext
    ) -> dom_pb.GetDomainResponse:
        return dom_pb.GetDomainResponse(domain=m.domain(self.domains.get(request.id, *_owner(request))))

    def CreateDomain(
        self, request: dom_pb.CreateDomainRequest, context: grpc.ServicerContext
    ) -> dom_pb.CreateDomainResponse:
        created = self.domains.create(
            request.domain.domain,
            m.optional_enum(dom_pb.DomainType, request.domain.domain_type, "domain.domain_type"),
            *_owner(request),
        )
        return dom_pb.CreateDomainResponse(domain=m.domain(created))

    def UpdateDomain(
        self, request: dom_pb.UpdateDomainRequest, context: grpc.ServicerContext
    ) -> dom_pb.UpdateDomainResponse:
        return dom_pb.UpdateDomainResponse(domain=m.domain(self.domains.update(request.id, *_owner(request))))

    def VerifyDomain(
        self, request: dom_pb.VerifyDomainRequest, context: grpc.ServicerContext
    ) -> dom_pb.VerifyDomainResponse:
        return dom_pb.VerifyDomainResponse(verified=self.domains.verify(request.id, *_owner(request)))

    def DeleteDomain(
        self, request: dom_pb.DeleteDomainRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        self.domains.delete(request.id, *_owner(request))
        return empty_pb2.Empty()
