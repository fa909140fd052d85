"""DomainService: domains, their types and paging, and verification through a TXT record."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from google.protobuf import wrappers_pb2
from scalekit import ScalekitClient
from scalekit.v1.domains import domains_pb2 as dom_pb

from scalekit_emulator import Emulator

from .conftest import refusal


def _list(client: ScalekitClient, org: str, **fields) -> dom_pb.ListDomainResponse:
    request = dom_pb.ListDomainRequest(organization_id=org, **fields)
    return client.core_client.grpc_exec(client.domain.domain_service.ListDomains.with_call, request)[0]


def test_create_list_by_type_and_page(client: ScalekitClient, new_org: str) -> None:
    a = client.domain.create_domain(new_org, "alpha-corp.com")[0].domain
    b = client.domain.create_domain(new_org, "beta-corp.com", domain_type="ALLOWED_EMAIL_DOMAIN")[0].domain
    # The docs: a domain added through the API is admin-verified.
    assert dom_pb.VerificationStatus.Name(a.verification_status) == "VERIFIED" and a.txt_record_key
    everything = client.domain.list_domains(new_org)[0]
    assert [d.id for d in everything.domains] == [b.id, a.id] and everything.page_size == 30
    only_sso = client.domain.list_domains(new_org, domain_type="ORGANIZATION_DOMAIN")[0]
    assert [d.id for d in only_sso.domains] == [a.id]
    second_page = _list(
        client,
        new_org,
        page_size=wrappers_pb2.Int32Value(value=1),
        page_number=wrappers_pb2.Int32Value(value=1),
    )
    assert [d.id for d in second_page.domains] == [a.id]
    code, _ = refusal(lambda: _list(client, new_org, page_size=wrappers_pb2.Int32Value(value=101)))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_public_and_duplicate_domains_are_refused(client: ScalekitClient, new_org: str) -> None:
    code, message = refusal(lambda: client.domain.create_domain(new_org, "gmail.com"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "public email domain" in message
    client.domain.create_domain(new_org, "only-once.io")
    code, _ = refusal(lambda: client.domain.create_domain(new_org, "only-once.io"))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    code, _ = refusal(lambda: client.domain.create_domain(new_org, "not a domain"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_verification_follows_the_published_txt_record(
    emulator: Emulator, client: ScalekitClient, new_org: str, reading: Callable[..., None]
) -> None:
    reading("domains-pending-until-txt")
    domain = client.domain.create_domain(new_org, "verify-me.dev")[0].domain
    stub = client.domain.domain_service

    def verify() -> bool:
        request = dom_pb.VerifyDomainRequest(organization_id=new_org, id=domain.id)
        return client.core_client.grpc_exec(stub.VerifyDomain.with_call, request)[0].verified

    assert verify() is False
    emulator.control.publish_txt(domain.txt_record_key, domain.txt_record_secret)
    assert verify() is True
    got = client.domain.get_domain(new_org, domain.id)[0].domain
    assert dom_pb.VerificationStatus.Name(got.verification_status) == "VERIFIED"
    updated = client.core_client.grpc_exec(
        stub.UpdateDomain.with_call, dom_pb.UpdateDomainRequest(organization_id=new_org, id=domain.id)
    )[0]
    assert updated.domain.id == domain.id
    client.domain.delete_domain(new_org, domain.id)
    code, _ = refusal(lambda: client.domain.get_domain(new_org, domain.id))
    assert code == grpc.StatusCode.NOT_FOUND
