"""Several processes, one PostgreSQL history: two dashboard processes writing invitations (8
threads each) while the relay, a third process, serves opens. Nothing lost, nothing doubled, no
deadlock."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import sqlalchemy as sa

from dashboard import invitations
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from scalekit_emulator import Emulator

from .people import ANA
from .relay_process import standalone_relay

ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import datetime as dt, sys, threading
from dashboard.history import History, NewInvitation, fingerprint
history = History(sys.argv[1])
now = dt.datetime.now(dt.UTC)
errors = []
def write(n):
    try:
        for i in range(200):
            history.invitations.create(NewInvitation(
                token_hash=fingerprint(f"{sys.argv[2]}-{n}-{i}"), environment="shared",
                organization_id=f"org_{n}", organization_name="Shared Co", features=("sso",),
                issued_by=f"rep{n}@portal.test", issued_at=now, expires_at=now + dt.timedelta(days=7)))
    except BaseException as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print("ERRORS", errors)
sys.exit(1 if errors else 0)
"""


def test_two_dashboards_and_the_relay_share_one_postgresql_history(
    emulator: Emulator, gateway: ScalekitGateway, postgres_url: str, org_id: str
) -> None:
    shared = History(postgres_url)
    host = emulator.env_url.removeprefix("https://")
    with standalone_relay(emulator, postgres_url) as relay:
        issued = [
            invitations.create(
                gateway,
                shared,
                environment=host,
                relay_url=relay.url,
                organization=gateway.get_organization(org_id),
                features=["sso"],
                days=3,
                operator=ANA,
            )
            for _ in range(14)  # opened twice each: 28, under the relay's 30 opens a minute per client
        ]
        dashboards = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, postgres_url, name],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for name in ("dashboard-a", "dashboard-b")
        ]
        with ThreadPoolExecutor(max_workers=4) as openers:  # while the dashboards write
            answers = list(
                openers.map(
                    lambda item: requests.post(item.url, allow_redirects=False, timeout=30).status_code,
                    issued * 2,
                )
            )
        outputs = [d.communicate(timeout=300)[0] for d in dashboards]
        assert [d.returncode for d in dashboards] == [0, 0], outputs
    assert answers == [303] * 28
    with shared.engine.connect() as conn:
        written = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT reference), count(DISTINCT token_hash) FROM invitation "
                "WHERE environment = 'shared'"
            )
        ).one()
        opens = conn.execute(
            sa.text("SELECT sum(open_count) FROM invitation WHERE environment = :host"), {"host": host}
        ).scalar_one()
        minted = conn.execute(
            sa.text("SELECT count(*) FROM link_issuance WHERE kind = 'invitation' AND state = 'minted'")
        ).scalar_one()
    assert tuple(written) == (3200, 3200, 3200)  # 16 writers x 200, none lost or doubled
    assert opens == minted == 28  # every open the relay answered, counted once
    shared.close()
