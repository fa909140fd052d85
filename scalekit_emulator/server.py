"""The emulator as one object: the backends, gRPC and REST behind one TLS port, the portal port,
and the control API. ``with Emulator(...) as emulator:`` starts and stops it."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from collections.abc import Iterable
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

from .backends import Backends
from .backends.identity import IdentityProvider, OidcClient
from .backends.portal import LINK_TTL, SESSION_TTL, web_origin
from .control import Control
from .descriptors import method_rules
from .faults import FaultRegistry
from .front import TLSFront
from .guard import Guard
from .readings import Readings
from .servicers import add_servicers, implemented_paths
from .state import StateFile
from .tls import issue_server_certificate, process_ca
from .tokens import TokenAuthority
from .web.base import AppServer
from .web.portal import Branding, PortalApp, PortalHandler
from .web.rest import RestHandler

DEFAULT_CLIENT_ID = "skc_emulator"
DEFAULT_CLIENT_SECRET = "emulator-local-secret"

# Scalekit's gRPC keepalive enforcement, as the SDK's own comments describe it (scalekit's
# cmd/grpc.go): pings from an idle channel are allowed every 30 s at most, and an idle connection
# is closed after 5 minutes. The SDK pings every 60 s, so it never earns a GOAWAY "too_many_pings".
MIN_PING_INTERVAL_S = 30
MAX_CONNECTION_IDLE_S = 300


def keepalive_options(min_ping_interval_s: float) -> tuple[tuple[str, int], ...]:
    return (
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", int(min_ping_interval_s * 1000)),
        ("grpc.max_connection_idle_ms", MAX_CONNECTION_IDLE_S * 1000),
    )


class Emulator:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        portal_port: int = 0,
        orgs: int = 40,
        seed: int = 7,
        token_ttl: float = 3600,
        link_ttl: dt.timedelta = LINK_TTL,
        portal_session_ttl: dt.timedelta = SESSION_TTL,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        branding: Branding | None = None,
        latency_ms: float = 0.0,
        grpc_workers: int | None = None,
        min_ping_interval_s: float = MIN_PING_INTERVAL_S,
        oidc_clients: tuple[OidcClient, ...] = (),
        readings: Readings | Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
        state_file: Path | None = None,
    ) -> None:
        """``readings``: where Scalekit's sources disagree, which to play (readings.py; ValueError
        for an unknown one). ``allowed_origins``: the pages that may frame the portal, as an
        environment registers them (nothing registered: no page may). ``state_file``: the data
        are read from it when it suits this seed and these readings, and kept in it (state.py)."""
        readings = readings if isinstance(readings, Readings) else Readings.parse(readings)
        unknown = sorted(set(readings.lost_answers) - {rule.name for rule in method_rules().values()})
        if unknown:
            raise ValueError(f"lost-answer={unknown[0]}: no such RPC (use a name such as GeneratePortalLink)")
        origins = [web_origin(origin) for origin in allowed_origins]  # checked before binding a port
        self.host = host
        self.client_id = client_id
        self.client_secret = client_secret
        self._port = port
        self._min_ping_interval_s = min_ping_interval_s  # lowered only by the keepalive test
        self.faults = FaultRegistry()
        self.tokens = TokenAuthority(
            issuer="", client_id=client_id, client_secret=client_secret, ttl_seconds=token_ttl
        )
        # Sleeping calls hold a worker each, and latency can be set later over the control API:
        # room for many in flight, as a real Scalekit has (idle workers cost nothing).
        self._grpc_workers = grpc_workers or 128
        self.guard = Guard(
            rules=method_rules(),
            implemented=implemented_paths(),
            caller_of=self.tokens.caller,
            faults=self.faults,
            latency_s=latency_ms / 1000,
            readings=readings,
        )
        # The portal port first: link locations point to it.
        self._portal_server = AppServer((host, portal_port), PortalHandler, None)
        self.portal_url = f"http://{host}:{self._portal_server.server_address[1]}"
        self.backends = Backends.create(
            seed=seed,
            org_count=orgs,
            portal_base_url=self.portal_url,
            link_ttl=link_ttl,
            session_ttl=portal_session_ttl,
            readings=readings,
        )
        self.state = StateFile(state_file, self.backends) if state_file is not None else None
        self.restored = self.state.load() if self.state is not None else False
        self.guard.use_clock(self.backends.env.clock)  # the rate limit's minute moves with the clock
        for origin in origins:
            self.backends.portal.allow_origin(origin)
        self.control = Control(
            backends=self.backends,
            faults=self.faults,
            tokens=self.tokens,
            guard=self.guard,
            describe=self._describe,
        )
        # The team's own sign-in (OpenID Connect) is served from the portal port too, for browsers.
        self.identity = IdentityProvider(self.backends.env.clock, clients=oidc_clients)
        self.identity.issuer = self.portal_url
        self._portal_server.app = PortalApp(
            self.backends.portal, branding or Branding(), self.control, self.identity
        )
        self._rest_server = AppServer(("127.0.0.1", 0), RestHandler, self.tokens)
        self._grpc: grpc.Server | None = None
        self._front: TLSFront | None = None
        self.env_url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Emulator:
        ca = process_ca()
        self.ca_file = ca.ca_file
        self.ca_bundle_file = ca.bundle_file
        cert = issue_server_certificate(ca, Path(tempfile.mkdtemp(prefix="scalekit-emulator-cert-")))
        self._grpc = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self._grpc_workers, thread_name_prefix="emulator-grpc"),
            interceptors=[self.guard],
            options=keepalive_options(self._min_ping_interval_s),
        )
        grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._front = TLSFront(
            self.host,
            self._port,
            cert.cert_file,
            cert.key_file,
            grpc_port=grpc_port,
            rest_port=self._rest_server.server_address[1],
        )
        port = self._front.start()
        self.env_url = f"https://{self.host}:{port}"
        self.tokens.issuer = self.env_url
        self._portal_server.app.env_url = self.env_url
        add_servicers(self._grpc, self.backends, self.env_url)
        self._grpc.start()
        for server in (self._rest_server, self._portal_server):
            name = f"emulator-http-{server.server_address[1]}"
            threading.Thread(target=server.serve_forever, daemon=True, name=name).start()
        if self.state is not None:
            self.state.start()
        return self

    def stop(self) -> None:
        if self._front is not None:
            self._front.stop()
        if self._grpc is not None:
            self._grpc.stop(grace=0)
        for server in (self._rest_server, self._portal_server):
            server.shutdown()
            server.server_close()
        if self.state is not None:
            self.state.stop()  # after the servers: no change comes in after the last write

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _describe(self) -> dict[str, Any]:
        return {"env_url": self.env_url, "portal_url": self.portal_url}

    # -- pointing other processes at it ------------------------------------------------------

    def env_vars(self) -> dict[str, str]:
        """What a process needs, set before it imports the SDK, to reach this emulator."""
        return {
            "SCALEKIT_ENVIRONMENT_URL": self.env_url,
            "SCALEKIT_CLIENT_ID": self.client_id,
            "SCALEKIT_CLIENT_SECRET": self.client_secret,
            "REQUESTS_CA_BUNDLE": str(self.ca_bundle_file),
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(self.ca_bundle_file),
            # The same bundle under a name no library reads on its own: for clients that trust it
            # only for Scalekit, over whatever the machine presets for the two above.
            "SCALEKIT_CA_BUNDLE": str(self.ca_bundle_file),
            "SCALEKIT_EMULATOR_PORTAL_URL": self.portal_url,
            # Sign-in for a team's own product: this emulator as its OpenID Connect provider.
            "SCALEKIT_EMULATOR_OIDC_DISCOVERY": f"{self.portal_url}/.well-known/openid-configuration",
            "SCALEKIT_EMULATOR_CONTROL_TOKEN": self.control.token,
        }

    def write_env_file(self, path: Path) -> None:
        lines = ["# Written by the Scalekit emulator; valid while it runs. Holds its control token."]
        lines += [f"{key}={value}" for key, value in self.env_vars().items()]
        # Private from the first byte, and whole when it appears: a process waiting for the file
        # (Portal Desk starts the emulator and waits for it) never reads half of it.
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(partial, path)
