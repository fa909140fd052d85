"""Every gateway method, through the real SDK, against the emulator."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from scalekit.v1.organizations import organizations_pb2 as org_pb
from scalekit.v1.organizations.organizations_pb2_grpc import OrganizationServiceStub

from dashboard.config import Settings
from dashboard.errors import (
    BadCredentials,
    InvalidRequest,
    NotAllowed,
    NotFound,
    RateLimited,
    TimedOut,
    Unavailable,
)
from dashboard.gateway import ScalekitGateway
from dashboard.gateway.translate import translate
from scalekit_emulator import Emulator, Fault

from .conftest import SESSION_ORGS


def test_lists_every_organization_across_pages_with_progress(gateway: ScalekitGateway) -> None:
    calls: list[tuple[int, int]] = []
    orgs = gateway.list_organizations(progress=lambda done, total: calls.append((done, total)))
    assert len(orgs) >= SESSION_ORGS
    assert len({o.id for o in orgs}) == len(orgs)
    assert [done for done, _ in calls][:3] == [100, 200, 300 if len(orgs) >= 300 else len(orgs)]
    assert calls[-1][0] == calls[-1][1] == len(orgs)


def test_small_pages_follow_tokens_to_the_same_result(gateway: ScalekitGateway) -> None:
    assert [o.id for o in gateway.list_organizations(page_size=7)] == [
        o.id for o in gateway.list_organizations()
    ]


def test_organizations_come_newest_first_as_scalekit_lists_them(gateway: ScalekitGateway) -> None:
    created = gateway.create_organization("Newest Co")
    orgs = gateway.list_organizations()
    assert orgs[0].id == created.id
    stamps = [o.created_at for o in orgs]
    assert stamps == sorted(stamps, reverse=True)


def test_organizations_carry_aware_timestamps_and_no_protobuf(gateway: ScalekitGateway) -> None:
    org = gateway.list_organizations()[0]
    assert org.created_at is not None and org.created_at.tzinfo is not None
    assert org.created_at.utcoffset() == dt.timedelta(0)
    assert org.region in ("US", "EU")
    assert isinstance(org.metadata, tuple)


def test_search_by_name_id_and_external_id(gateway: ScalekitGateway) -> None:
    target = next(o for o in gateway.list_organizations() if o.external_id)
    word = target.display_name.split()[0]
    assert target.id in {o.id for o in gateway.search_organizations(word.lower())}
    assert [o.id for o in gateway.search_organizations(target.id)] == [target.id]
    assert target.id in {o.id for o in gateway.search_organizations(target.external_id)}
    assert gateway.search_organizations("no such company zzz") == []
    # Scalekit's rule for the query: three characters at least.
    with pytest.raises(InvalidRequest, match="at least 3 characters"):
        gateway.search_organizations("ac")


def test_search_pages_within_scalekits_page_size_rule(gateway: ScalekitGateway) -> None:
    # SearchOrganization refuses page sizes above 30: a broad query still returns every match.
    everyone = gateway.list_organizations()
    common = "org_"
    found = gateway.search_organizations(common, limit=120)
    assert len(found) == min(120, len(everyone))


def test_get_organization_and_unknown_or_malformed_ids(gateway: ScalekitGateway) -> None:
    org = gateway.list_organizations()[0]
    assert gateway.get_organization(org.id) == org
    with pytest.raises(NotFound, match="org_10000000000000000 was not found"):
        gateway.get_organization("org_10000000000000000")
    with pytest.raises(NotFound):
        gateway.get_organization("not-an-org")
    with pytest.raises(InvalidRequest, match="at most 32 characters"):
        gateway.get_organization("org_" + "1" * 40)


def test_create_organization_and_duplicate_external_id(gateway: ScalekitGateway) -> None:
    created = gateway.create_organization("  Umbrella Health  ", external_id="CRM-42", region="EU")
    assert (created.display_name, created.external_id, created.region) == ("Umbrella Health", "CRM-42", "EU")
    assert gateway.get_organization(created.id).display_name == "Umbrella Health"
    with pytest.raises(InvalidRequest, match="already exists"):
        gateway.create_organization("Another", external_id="CRM-42")
    with pytest.raises(InvalidRequest, match="display_name: must be at least 1 characters"):
        gateway.create_organization("   ")


def test_update_organization_settings(gateway: ScalekitGateway, org_id: str) -> None:
    updated = gateway.update_organization_settings(org_id, sso=True, dir_sync=False)
    assert (updated.sso_feature, updated.dir_sync_feature) == (True, False)
    updated = gateway.update_organization_settings(org_id, dir_sync=True)
    assert (updated.sso_feature, updated.dir_sync_feature) == (True, True)
    assert gateway.get_organization(org_id).enabled_features == ("sso", "dir_sync")


def test_generated_links_live_a_minute_and_hide_their_location(gateway: ScalekitGateway, org_id: str) -> None:
    before = dt.datetime.now(dt.UTC)
    link = gateway.generate_portal_link(org_id, ["sso"])
    assert link.id.startswith("lnk_")
    assert link.id not in link.location  # the location's secret is not the link's id
    assert link.location not in repr(link)
    assert link.expires_at is not None
    assert dt.timedelta(seconds=55) < link.expires_at - before <= dt.timedelta(seconds=65)


def test_revoking_a_link_twice_says_it_is_gone_without_naming_it(
    gateway: ScalekitGateway, org_id: str
) -> None:
    link = gateway.generate_portal_link(org_id, ["sso"])
    gateway.revoke_portal_link(org_id, link.id)
    with pytest.raises(NotFound) as info:
        gateway.revoke_portal_link(org_id, link.id)
    assert link.id not in str(info.value)


def test_a_link_needs_an_enabled_feature(gateway: ScalekitGateway, org_id: str) -> None:
    gateway.update_organization_settings(org_id, sso=True, dir_sync=False)
    # No features asked: Scalekit's default, the organization's enabled ones (the portal shows SSO).
    assert gateway.generate_portal_link(org_id, []).id.startswith("lnk_")
    gateway.update_organization_settings(org_id, dir_sync=True)
    with pytest.raises(NotFound):
        gateway.generate_portal_link("org_10000000000000000", ["sso"])
    gateway.update_organization_settings(org_id, dir_sync=False)
    with pytest.raises(InvalidRequest, match="dir_sync is disabled"):
        gateway.generate_portal_link(org_id, ["sso", "dir_sync"])


def test_connections_of_every_status_directories_and_domains(
    gateway: ScalekitGateway, emulator: Emulator
) -> None:
    env = emulator.backends.env
    with_directory = next(d.organization_id for d in env.directories.values())
    connections = gateway.list_connections(with_directory)
    assert connections and connections[0].provider in (
        "Okta",
        "Microsoft Entra ID",
        "Google Workspace",
        "OneLogin",
        "JumpCloud",
        "Ping Identity",
    )
    assert connections[0].type in ("SAML", "OIDC")
    assert connections[0].status == "completed"
    directory = gateway.list_directories(with_directory)[0]
    assert directory.organization_id == with_directory
    assert directory.total_users >= 0
    domains = gateway.list_domains(with_directory)
    assert domains and "." in domains[0].domain
    assert domains[0].verification_status in ("verified", "pending")
    # Drafts and half-done setups are what a rep follows: they must come through (include='all').
    draft = next(c for c in env.connections.values() if c.status == "DRAFT")
    assert [c.status for c in gateway.list_connections(draft.organization_id)] == ["draft"]


def test_wrong_secret_is_bad_credentials(emulator: Emulator, settings: Settings) -> None:
    with pytest.raises(BadCredentials, match="SCALEKIT_CLIENT_SECRET"):
        ScalekitGateway.connect(settings, emulator.env_url, emulator.client_id, "wrong")


def test_expired_token_is_renewed_transparently(emulator: Emulator, settings: Settings) -> None:
    gateway = ScalekitGateway.connect(settings, emulator.env_url, emulator.client_id, emulator.client_secret)
    first = gateway._core.access_token
    emulator.control.expire_tokens()
    assert gateway.list_organizations(page_size=100)
    assert gateway._core.access_token != first


def test_short_lived_tokens_expire_and_renew() -> None:
    with Emulator(orgs=3, seed=5, token_ttl=1) as emu:
        gateway = ScalekitGateway.connect(
            Settings(call_timeout_s=2), emu.env_url, emu.client_id, emu.client_secret
        )
        first = gateway._core.access_token
        time.sleep(1.2)
        assert len(gateway.list_organizations()) == 3
        assert gateway._core.access_token != first


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        ("UNAVAILABLE", Unavailable, "unavailable"),
        ("RESOURCE_EXHAUSTED", RateLimited, "rate limiting"),
        ("PERMISSION_DENIED", NotAllowed, "does not let"),
        ("UNAUTHENTICATED", BadCredentials, "credentials"),
        ("INTERNAL", Unavailable, "internal error"),
    ],
)
def test_injected_faults_become_actionable_errors(
    emulator: Emulator, gateway: ScalekitGateway, org_id: str, code: str, error: type, words: str
) -> None:
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code=code, times=3))
    with pytest.raises(error, match=words):
        gateway.generate_portal_link(org_id, ["sso"])
    assert emulator.backends.portal.live_links(org_id) == []  # nothing was made


def test_a_passing_outage_is_retried_by_the_sdk(
    emulator: Emulator, gateway: ScalekitGateway, org_id: str
) -> None:
    emulator.control.inject_fault(Fault(method="ListDomains", code="UNAVAILABLE", times=1))
    assert gateway.list_domains(org_id) == []
    assert emulator.control.status()["faults"] == []


def test_slow_answers_time_out(emulator: Emulator, gateway: ScalekitGateway, org_id: str) -> None:
    emulator.control.inject_fault(Fault(method="ListConnections", delay_seconds=3))
    with pytest.raises(TimedOut, match="did not answer in time"):
        gateway.list_connections(org_id)


def test_a_stopped_scalekit_is_unavailable(emulator: Emulator, settings: Settings) -> None:
    # ``emulator``: the session's, whose CA (the process's, shared by every emulator) it trusts.
    emu = Emulator(orgs=1, seed=3).start()
    gateway = ScalekitGateway.connect(settings, emu.env_url, emu.client_id, emu.client_secret)
    emu.stop()
    with pytest.raises(Unavailable):
        gateway.list_organizations()
    with pytest.raises(Unavailable, match="could not reach Scalekit"):
        ScalekitGateway.connect(settings, emu.env_url, emu.client_id, emu.client_secret)


# -- TLS: a certificate Portal Desk does not trust is not "could not reach" ----------------------

UNTRUSTED = "does not trust Scalekit's TLS certificate"


@dataclass(frozen=True)
class SelfSigned:
    """A throwaway certificate for localhost, signed by itself: in no bundle this process trusts."""

    cert_pem: bytes
    key_pem: bytes
    cert_file: Path
    key_file: Path


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(  # the right names: only the trust in its issuer can fail
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("self-signed")
    found = SelfSigned(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        cert_file=folder / "cert.pem",
        key_file=folder / "key.pem",
    )
    found.cert_file.write_bytes(found.cert_pem)
    found.key_file.write_bytes(found.key_pem)
    return found


class _TokenHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # never reached when the handshake fails, as it must
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"access_token": "x"}')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def untrusted_https(self_signed: SelfSigned) -> Iterator[str]:
    """A plain HTTPS server (where the SDK posts for its token) with the self-signed certificate."""
    server = HTTPServer(("127.0.0.1", 0), _TokenHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(self_signed.cert_file, self_signed.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_untrusted_certificate_on_sign_in_names_the_ca_bundle(
    settings: Settings, untrusted_https: str
) -> None:
    host = untrusted_https.removeprefix("https://")
    with pytest.raises(Unavailable) as info:
        ScalekitGateway.connect(settings, untrusted_https, "skc_1", "secret")
    sentence = str(info.value)
    assert f"{UNTRUSTED} at {host}." in sentence and "SCALEKIT_CA_BUNDLE" in sentence
    assert "could not reach" not in sentence


def test_an_untrusted_certificate_on_grpc_names_the_ca_bundle(
    gateway: ScalekitGateway, self_signed: SelfSigned
) -> None:
    """The token request can pass while gRPC refuses the handshake: gRPC reads its roots once
    per process (DESIGN.md). A real gRPC server with the self-signed certificate, called through
    the SDK's own grpc_exec."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    port = server.add_secure_port(
        "127.0.0.1:0", grpc.ssl_server_credentials([(self_signed.key_pem, self_signed.cert_pem)])
    )
    server.start()
    try:
        with grpc.secure_channel(f"localhost:{port}", grpc.ssl_channel_credentials()) as channel:
            stub = OrganizationServiceStub(channel)
            refused = pytest.raises(Unavailable, match=UNTRUSTED)
            with refused as info, translate("list organizations", host=f"localhost:{port}"):
                gateway._core.grpc_exec(
                    stub.ListOrganization.with_call,
                    org_pb.ListOrganizationsRequest(page_size=1),
                    retry_on_unavailable=False,
                )
    finally:
        server.stop(grace=None)
    assert f"at localhost:{port}." in str(info.value) and "SCALEKIT_CA_BUNDLE" in str(info.value)


def test_unknown_hosts_and_plain_http_still_cannot_be_reached(emulator: Emulator, settings: Settings) -> None:
    """Only a refused certificate chain gets the certificate sentence: a name that does not
    resolve, or a server that does not speak TLS at all, is "could not reach"."""
    plain_http = emulator.portal_url.replace("http://", "https://")
    for url in ("https://portal-desk-nowhere.invalid", plain_http):
        with pytest.raises(Unavailable, match="could not reach Scalekit") as info:
            ScalekitGateway.connect(settings, url, emulator.client_id, emulator.client_secret)
        assert UNTRUSTED not in str(info.value)


# -- where Scalekit's sources disagree: each reading the emulator plays ------------------------


@pytest.fixture
def reading_gateway(
    emulator: Emulator, settings: Settings, request: pytest.FixtureRequest
) -> Iterator[tuple[Emulator, ScalekitGateway]]:
    """An emulator playing ``request.param`` (readings), signed by the process's CA like the
    session's (``emulator`` is asked for so that CA is trusted first)."""
    with Emulator(orgs=1, seed=5, readings=request.param) as emu:
        yield emu, ScalekitGateway.connect(settings, emu.env_url, emu.client_id, emu.client_secret)


@pytest.mark.parametrize(
    "reading_gateway",
    [["feature-name-dir_sync"], ["feature-name-directory_sync"], ["feature-name-scim"]],
    indirect=True,
)
def test_every_spelling_of_directory_sync_is_understood_and_switched(
    reading_gateway: tuple[Emulator, ScalekitGateway],
) -> None:
    _, gateway = reading_gateway
    org = gateway.create_organization("Spelling Co")
    off = gateway.update_organization_settings(org.id, sso=True, dir_sync=False)
    assert (off.sso_feature, off.dir_sync_feature) == (True, False)
    on = gateway.update_organization_settings(org.id, dir_sync=True)
    assert on.enabled_features == ("sso", "dir_sync")
    assert gateway.get_organization(org.id).dir_sync_feature
    assert gateway.generate_portal_link(org.id, ["dir_sync"]).id.startswith("lnk_")


@pytest.mark.parametrize("reading_gateway", [["rate-limit=3"]], indirect=True)
def test_a_rate_limit_says_scalekit_is_busy_and_when_to_try_again(
    reading_gateway: tuple[Emulator, ScalekitGateway],
) -> None:
    _, gateway = reading_gateway
    with pytest.raises(RateLimited) as info:
        for _ in range(10):
            gateway.list_organizations()
    assert info.value.retry_after_s is not None and 0 < info.value.retry_after_s <= 60
    assert str(info.value).startswith("Scalekit is busy: try again in ")
    assert "seconds" in str(info.value) and "RESOURCE_EXHAUSTED" not in str(info.value)


@pytest.mark.parametrize("reading_gateway", [["client-permissions=organizations:read"]], indirect=True)
def test_a_refused_permission_is_named_for_the_admin(
    reading_gateway: tuple[Emulator, ScalekitGateway],
) -> None:
    _, gateway = reading_gateway
    org_id = gateway.list_organizations()[0].id
    with pytest.raises(NotAllowed) as info:
        gateway.generate_portal_link(org_id, ["sso"])
    assert str(info.value).startswith(
        "Portal Desk's API client lacks the permission portal_links:manage in Scalekit: "
    )


@pytest.mark.parametrize("reading_gateway", [["lost-answer=GeneratePortalLink:1"]], indirect=True)
def test_a_lost_mint_answer_is_not_retried_into_a_second_link(
    reading_gateway: tuple[Emulator, ScalekitGateway],
) -> None:
    emu, gateway = reading_gateway
    org_id = gateway.list_organizations()[0].id
    with pytest.raises(Unavailable):
        gateway.generate_portal_link(org_id, ["sso"])
    # One call, one link (unknown to the caller, dead within its minute); the SDK's retry would
    # have made a second, whose answer arrives while the first stays unknown.
    assert emu.control.calls().get("GeneratePortalLink") == 1
    assert len(emu.backends.portal.live_links(org_id)) == 1
