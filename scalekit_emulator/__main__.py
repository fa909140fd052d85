"""``python -m scalekit_emulator`` (or ``scalekit-emulator``): run a local Scalekit environment."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from .backends.identity import OidcClient
from .descriptors import coverage_table
from .readings import Readings, readings_table
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator
from .servicers import implemented_paths
from .web.portal import Branding


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scalekit_emulator",
        description="A local Scalekit environment for the real scalekit-sdk-python.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="HTTPS + gRPC port (default: a free one)")
    parser.add_argument(
        "--portal-port", type=int, default=0, help="plain-HTTP port for portal pages and the control API"
    )
    parser.add_argument("--orgs", type=int, default=40, help="seeded organizations (default 40)")
    parser.add_argument("--seed", type=int, default=7, help="seed for ids and demo data (default 7)")
    parser.add_argument(
        "--env-file", type=Path, help="write a dotenv file another process can load to reach this emulator"
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        help="keep the data clients make in this file, and start from it next time (default: none, "
        "every start from the seed)",
    )
    parser.add_argument(
        "--token-ttl", type=float, default=3600, help="access token lifetime, s (default 3600)"
    )
    parser.add_argument(
        "--link-ttl",
        type=float,
        default=60,
        help="portal link lifetime until opened, s (default 60, as Scalekit)",
    )
    parser.add_argument(
        "--portal-session-ttl",
        type=float,
        default=6 * 3600,
        help="admin portal session lifetime, s (default 6 h)",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0, help="a fixed delay on every RPC, to simulate distance"
    )
    parser.add_argument("--brand-name", default=Branding.name, help="branding shown in every portal")
    parser.add_argument("--brand-color", default=Branding.accent, help="accent colour of every portal")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument(
        "--oidc-clients",
        type=Path,
        help="a JSON file listing the applications that sign in through the emulator (client_id, "
        "client_secret, redirect_uris, post_logout_redirect_uris): no secret goes on the command line",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when the process that started this one ends, however it ended (no orphan left)",
    )
    parser.add_argument(
        "--coverage", action="store_true", help="print which declared RPCs the emulator implements, and exit"
    )
    parser.add_argument(
        "--reading",
        action="append",
        default=[],
        metavar="NAME",
        help="where Scalekit's sources disagree, play this reading (repeatable; --readings lists them)",
    )
    parser.add_argument(
        "--readings", action="store_true", help="list the readings with their sources, and exit"
    )
    parser.add_argument(
        "--allowed-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a page origin that may frame the portal and hear its events, as an environment "
        "registers it (repeatable; none: no page may)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.coverage:
        print(coverage_table(implemented_paths()))
        return 0
    if args.readings:
        print(readings_table())
        return 0
    try:
        readings = Readings.parse(args.reading)
    except ValueError as exc:
        print(f"--reading: {exc}", file=sys.stderr)
        return 2
    if args.orgs < 0 or args.latency_ms < 0:
        print("--orgs and --latency-ms must not be negative", file=sys.stderr)
        return 2
    try:
        clients = (
            tuple(OidcClient.from_json(c) for c in json.loads(args.oidc_clients.read_text()))
            if args.oidc_clients
            else ()
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"--oidc-clients: cannot read {args.oidc_clients}: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        emulator = _emulator(args, clients, readings)
    except ValueError as exc:  # an origin that is not one, or a reading naming no RPC
        print(exc, file=sys.stderr)
        return 2
    emulator.start()
    elapsed = time.perf_counter() - started
    count = emulator.backends.organizations.count
    print(f"Scalekit emulator ready in {elapsed:.2f}s with {count} organizations (seed {args.seed})")
    if args.state_file:
        kept = "restored from" if emulator.restored else "from the seed, kept in"
        print(f"  data:                           {kept} {args.state_file}")
    print(f"  environment URL (HTTPS + gRPC): {emulator.env_url}")
    print(f"  portal pages + control API:     {emulator.portal_url}")
    print(f"  client id:                      {emulator.client_id}")
    print(f"  sign-in (OpenID Connect):       {emulator.portal_url}/.well-known/openid-configuration")
    print(f"  CA to trust:                    {emulator.ca_file}")
    print(f"  readings:                       {', '.join(readings.in_effect())}")
    framing = ", ".join(emulator.backends.portal.allowed_origins) or "no page"
    print(f"  may frame the portal:           {framing}")
    if args.env_file:
        emulator.write_env_file(args.env_file)
        print(f"  settings for other processes:   {args.env_file} (secret and control token inside)")
    sys.stdout.flush()

    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    if args.exit_with_parent:
        parent = os.getppid()
        threading.Thread(target=_orphaned, args=(parent, done), daemon=True, name="parent-watch").start()
    done.wait()
    if args.env_file:
        args.env_file.unlink(missing_ok=True)  # it named ports nothing listens on any more
    emulator.stop()
    print("Scalekit emulator stopped")
    return 0


def _emulator(args: argparse.Namespace, clients: tuple[OidcClient, ...], readings: Readings) -> Emulator:
    return Emulator(
        oidc_clients=clients,
        host=args.host,
        port=args.port,
        portal_port=args.portal_port,
        orgs=args.orgs,
        seed=args.seed,
        token_ttl=args.token_ttl,
        link_ttl=dt.timedelta(seconds=args.link_ttl),
        portal_session_ttl=dt.timedelta(seconds=args.portal_session_ttl),
        client_id=args.client_id,
        client_secret=args.client_secret,
        branding=Branding(name=args.brand_name, accent=args.brand_color),
        latency_ms=args.latency_ms,
        readings=readings,
        allowed_origins=args.allowed_origin,
        state_file=args.state_file,
    )


def _orphaned(parent: int, done: threading.Event) -> None:
    """A killed parent never sends SIGTERM: notice it is gone (we are re-parented)."""
    while not done.wait(1.0):
        if os.getppid() != parent:
            done.set()


if __name__ == "__main__":
    sys.exit(main())
