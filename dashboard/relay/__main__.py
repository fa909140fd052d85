"""``python -m dashboard.relay`` (``make relay``): the public relay on its own, for production.

It reads the same settings as the dashboard (Scalekit credentials, DASHBOARD_DATABASE_URL) and
listens on DASHBOARD_RELAY_HOST:DASHBOARD_RELAY_PORT (default 0.0.0.0:8502). Put it behind a
TLS-terminating proxy at the public address in DASHBOARD_RELAY_URL; list that proxy's address in
DASHBOARD_RELAY_TRUSTED_PROXIES so rate limits see the customer's address, not the proxy's.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from ..config import load_settings
from ..errors import PortalDeskError
from ..gateway import ScalekitGateway
from ..history import History
from . import logs
from .app import RelayContext, create_app


def main() -> int:
    try:
        settings = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
        if settings.uses_emulator:
            print(
                "The relay needs a Scalekit environment: set SCALEKIT_ENVIRONMENT_URL, "
                "SCALEKIT_CLIENT_ID and "
                "SCALEKIT_CLIENT_SECRET (or load a standalone emulator's env file). On `make run` with no "
                "credentials, the dashboard runs its own relay.",
                file=sys.stderr,
            )
            return 2
        gateway = ScalekitGateway.connect(settings)
        history = History(settings.database_url)
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
    uvicorn.run(
        create_app(context),
        host=settings.relay_host,
        port=settings.relay_port,
        proxy_headers=True,
        forwarded_allow_ips=settings.relay_trusted_proxies,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
