"""``python -m dashboard.worker`` (``make worker``): Portal Desk's background work, on its own.

Reads the same settings as the dashboard (Scalekit credentials or a running emulator's settings
file, DASHBOARD_DATABASE_URL, DASHBOARD_NOTIFY_URLS, DASHBOARD_SMTP_*). Run one per host; however
many run against one PostgreSQL history, one at a time sweeps an environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from ..config import load_settings
from ..errors import PortalDeskError
from ..mailer import Mailer
from ..wiring import gateway_for, history_for
from . import schedule
from .core import Worker
from .notify import Teller, team_channel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run every job once, then exit")
    parser.add_argument("--exit-with-parent", action="store_true", help="stop when the parent process ends")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        config = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
        history = history_for(config)
        gateway = gateway_for(config)
        teller = Teller(
            history,
            config.environment_host,
            team=team_channel(config.notify_urls),
            mailer=Mailer(config.smtp) if config.smtp else None,
        )
    except PortalDeskError as error:
        print(f"Portal Desk's worker cannot start: {error}", file=sys.stderr)
        return 2
    worker = Worker(
        gateway,
        history,
        config.environment_host,
        teller=teller,
        intervals=schedule.intervals_from(config.worker_intervals),
    )
    if args.once:
        worker.run_once()
        worker.release()
        return 0
    print(f"Portal Desk's worker {worker.holder} is running for {config.environment_label}", flush=True)
    schedule.run(worker, exit_with_parent=args.exit_with_parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
