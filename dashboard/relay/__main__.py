"""``python -m dashboard.relay`` (``make relay``): the public relay on its own, for production.

It reads the same settings as the dashboard (Scalekit credentials, DASHBOARD_DATABASE_URL) and
listens on DASHBOARD_RELAY_HOST:DASHBOARD_RELAY_PORT (default 0.0.0.0:8502). Put it behind a
TLS-terminating proxy at the public address in DASHBOARD_RELAY_URL; list that proxy's address in
DASHBOARD_RELAY_TRUSTED_PROXIES so rate limits see the customer's address, not the proxy's.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

import uvicorn

from ..config import load_settings
from ..errors import PortalDeskError
from ..wiring import gateway_for, history_for
from . import logs
from .app import RelayContext, create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.relay", description=__doc__)
    parser.add_argument(
        "--url-file",
        help="write the address it listens on to this file once it does (make run: port 0, any free port)",
    )
    parser.add_argument(
        "--port", type=int, help="listen here instead of DASHBOARD_RELAY_PORT (0: any free port)"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
        gateway = gateway_for(settings)  # live, or the emulator make run started (its settings file)
        history = history_for(settings)
    except PortalDeskError as error:
        print(error, file=sys.stderr)
        return 2
    context = RelayContext(
        gateway=gateway,
        history=history,
        environment=settings.environment_host,
        support_contact=settings.support_contact,
        brand=settings.relay_brand,
    )
    logs.install()
    port = settings.relay_port if args.port is None else args.port
    listening = socket.create_server((settings.relay_host, port))  # port 0: the kernel picks
    config = uvicorn.Config(
        create_app(context),
        proxy_headers=True,
        forwarded_allow_ips=settings.relay_trusted_proxies,
        server_header=False,
    )
    if args.url_file:
        host, bound = listening.getsockname()[:2]
        partial = Path(args.url_file + ".partial")
        partial.write_text(f"http://{host}:{bound}\n")
        partial.replace(args.url_file)  # whole or not at all: the reader polls for it
    uvicorn.Server(config).run(sockets=[listening])
    return 0


if __name__ == "__main__":
    sys.exit(main())
