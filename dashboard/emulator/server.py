"""The emulator as one object: backend state, gRPC + REST behind a TLS front, portal pages,
and the in-process control API tests use."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from concurrent import futures
from dataclasses import asdict
from pathlib import Path

import grpc

from .backend import ScalekitBackend
from .faults import Fault, FaultRegistry
from .front import TLSFront
from .portal import Branding, PortalHandler
from .portal_backend import PortalBackend
from .servicers import GuardInterceptor, add_servicers
from .tls import issue_server_certificate, process_ca
from .tokens import TokenAuthority
from .web import EmulatorHTTPServer, RestHandler

DEFAULT_CLIENT_ID = "skc_emulator"
DEFAULT_CLIENT_SECRET = "emulator-local-secret"


class Emulator:
    """A local Scalekit environment. ``with Emulator(...) as emu:`` starts and stops it."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        portal_port: int = 0,
        orgs: int = 40,
        seed: int = 7,
        token_ttl: float = 3600,
        link_ttl: dt.timedelta = dt.timedelta(days=7),
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        grpc_workers: int = 16,
        portal_session_ttl: dt.timedelta = dt.timedelta(hours=6),
        branding: Branding | None = None,
    ) -> None:
        self.host = host
        self.client_id = client_id
        self.client_secret = client_secret
        self._port = port
        self.faults = FaultRegistry()
        self._portal = EmulatorHTTPServer((host, portal_port), PortalHandler, self)
        self.portal_url = f"http://{host}:{self._portal.server_address[1]}"
        self.backend = ScalekitBackend(
            seed=seed, org_count=orgs, link_ttl=link_ttl, portal_base_url=self.portal_url
        )
        self.portal = PortalBackend(self.backend, session_ttl=portal_session_ttl)
        self.branding = branding or Branding()
        # The issuer is the public URL, known once the front has a port (see start()).
        self.tokens = TokenAuthority(
            issuer="", client_id=client_id, client_secret=client_secret, ttl_seconds=token_ttl
        )
        self._grpc_workers = grpc_workers
        self._rest = EmulatorHTTPServer(("127.0.0.1", 0), RestHandler, self)
        self._grpc: grpc.Server | None = None
        self._front: TLSFront | None = None
        self._threads: list[threading.Thread] = []
        self.env_url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Emulator:
        ca = process_ca()
        self.ca_file = ca.ca_file
        self.ca_bundle_file = ca.bundle_file
        cert = issue_server_certificate(ca, Path(tempfile.mkdtemp(prefix="portal-desk-emulator-cert-")))
        self._grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self._grpc_workers, thread_name_prefix="emulator-grpc"),
            interceptors=[GuardInterceptor(self.tokens, self.faults)],
        )
        grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._front = TLSFront(
            self.host,
            self._port,
            cert.cert_file,
            cert.key_file,
            grpc_port=grpc_port,
            rest_port=self._rest.server_address[1],
        )
        port = self._front.start()
        self.env_url = f"https://{self.host}:{port}"
        self.tokens.issuer = self.env_url
        add_servicers(self._grpc, self.backend, self.env_url)
        self._grpc.start()
        for server in (self._rest, self._portal):
            thread = threading.Thread(
                target=server.serve_forever, daemon=True, name=f"emulator-http-{server.server_address[1]}"
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        if self._front is not None:
            self._front.stop()
        if self._grpc is not None:
            self._grpc.stop(grace=0)
        for server in (self._rest, self._portal):
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- control API -------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        self.faults.inject(fault)

    def clear_faults(self, method: str | None = None) -> None:
        self.faults.clear(method)

    def reset(self) -> None:
        """Back to the seed: faults cleared, links and changes forgotten, tokens kept."""
        self.faults.clear()
        self.backend.reset()
        self.portal.reset()

    def status(self) -> dict:
        return {
            "env_url": self.env_url,
            "portal_url": self.portal_url,
            "organizations": self.backend.organization_count,
            "faults": [asdict(f) for f in self.faults.active()],
        }

    # -- pointing other processes at it ------------------------------------------------------

    def env_vars(self) -> dict[str, str]:
        """What a process needs, set before it imports the SDK, to reach this emulator."""
        return {
            "SCALEKIT_ENVIRONMENT_URL": self.env_url,
            "SCALEKIT_CLIENT_ID": self.client_id,
            "SCALEKIT_CLIENT_SECRET": self.client_secret,
            "REQUESTS_CA_BUNDLE": str(self.ca_bundle_file),
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(self.ca_bundle_file),
        }

    def write_env_file(self, path: Path) -> None:
        lines = ["# Written by the Portal Desk Scalekit emulator; valid while it runs."]
        lines += [f"{key}={value}" for key, value in self.env_vars().items()]
        # Portal Desk's own name for the bundle: its settings apply it over any preset system value.
        lines.append(f"SCALEKIT_CA_BUNDLE={self.ca_bundle_file}")
        lines.append(f"SCALEKIT_EMULATOR_PORTAL_URL={self.portal_url}")
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
