"""TLS material for the emulator: one CA per process, a fresh localhost certificate per emulator.

gRPC reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once per process, so every emulator started in
one process (the test suite starts several) must chain to the same CA. The CA therefore lives
for the whole process; each emulator only gets a new leaf certificate signed by it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class CertificateAuthority:
    cert_pem: bytes
    key: ec.EllipticCurvePrivateKey
    folder: Path

    @property
    def cert(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def ca_file(self) -> Path:
        """The CA alone: what a client must trust to reach the emulator."""
        return self.folder / "emulator-ca.pem"

    @property
    def bundle_file(self) -> Path:
        """The public roots plus the emulator CA, for processes that also reach real hosts."""
        return self.folder / "emulator-ca-bundle.pem"


@dataclass(frozen=True)
class ServerCertificate:
    cert_file: Path
    key_file: Path


_lock = threading.Lock()
_process_ca: CertificateAuthority | None = None


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Scalekit emulator (local)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def process_ca() -> CertificateAuthority:
    """The CA every emulator of this process signs with; created on first use."""
    global _process_ca
    with _lock:
        if _process_ca is None:
            _process_ca = _create_ca(Path(tempfile.mkdtemp(prefix="scalekit-emulator-")))
        return _process_ca


def _create_ca(folder: Path) -> CertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = _name("Scalekit emulator local CA")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    ca = CertificateAuthority(cert_pem=cert_pem, key=key, folder=folder)
    ca.ca_file.write_bytes(cert_pem)
    ca.bundle_file.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + cert_pem)
    return ca


def issue_server_certificate(ca: CertificateAuthority, folder: Path) -> ServerCertificate:
    """A leaf certificate for localhost and 127.0.0.1, signed by ``ca``."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    ca_cert = ca.cert
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    server = ServerCertificate(cert_file=folder / "server.pem", key_file=folder / "server.key")
    server.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    server.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server.key_file.chmod(0o600)
    return server
