"""The relay: through Starlette's TestClient, and as a real uvicorn server on a free port."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from starlette.testclient import TestClient

from dashboard import invitations
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.relay import EmbeddedRelay, RelayContext, create_app
from dashboard.relay.limits import PER_TOKEN, Limit, RateLimiter
from dashboard.relay.logs import RedactTokens, redact
from scalekit_emulator import Emulator, Fault

from .people import ANA, BO
from .relay_process import standalone_relay

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def relay_context(gateway: ScalekitGateway, history: History) -> RelayContext:
    return RelayContext(
        gateway=gateway, history=history, environment="emulator", support_contact="help@portal.test"
    )


@pytest.fixture
def relay(relay_context: RelayContext) -> TestClient:
    return TestClient(create_app(relay_context), follow_redirects=False)


def invite(
    relay_context: RelayContext, org_id: str, **extra: object
) -> tuple[invitations.IssuedInvitation, str]:
    values: dict = dict(
        environment="emulator",
        relay_url="http://testserver",
        organization=relay_context.gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=ANA,
    )
    values.update(extra)
    issued = invitations.create(relay_context.gateway, relay_context.history, **values)
    return issued, "/i/" + issued.url.rsplit("/i/", 1)[1]


def test_a_get_shows_the_interstitial_and_mints_nothing(
    relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    issued, path = invite(relay_context, org_id)
    for _ in range(3):  # a mail scanner, a chat unfurler, the IT admin's first look
        page = relay.get(path)
        assert (
            page.status_code == 200 and "Open the admin portal" in page.text and 'method="post"' in page.text
        )
        assert "Fixture Org" in page.text
    assert relay_context.history.links.for_organization("emulator", org_id) == []
    assert relay_context.history.invitations.get("emulator", issued.invitation.id).open_count == 0


def test_the_post_redirects_to_a_fresh_portal_link_with_safe_headers(
    relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    issued, path = invite(relay_context, org_id)
    opened = relay.post(path)
    assert opened.status_code == 303
    assert (
        opened.headers["cache-control"] == "no-store" and opened.headers["referrer-policy"] == "no-referrer"
    )
    assert (
        opened.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in opened.headers["content-security-policy"]
    )
    assert "/magicLink/" in opened.headers["location"]
    assert requests.get(opened.headers["location"], timeout=5).status_code == 200
    assert relay_context.history.invitations.get("emulator", issued.invitation.id).open_count == 1


@pytest.mark.parametrize("outcome", ["unknown", "expired", "revoked"])
def test_dead_invitations_get_a_page_naming_support_never_the_organization(
    relay: TestClient, relay_context: RelayContext, org_id: str, outcome: str
) -> None:
    issued, path = invite(relay_context, org_id)
    if outcome == "unknown":
        path = "/i/not-a-real-token"
    elif outcome == "expired":
        invitations.extend(
            relay_context.history,
            environment="emulator",
            invitation_id=issued.invitation.id,
            days=1,
            operator=BO,
            now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        )
    else:
        invitations.revoke(
            relay_context.gateway,
            relay_context.history,
            environment="emulator",
            invitation_id=issued.invitation.id,
            operator=BO,
        )
    for answer in (relay.get(path), relay.post(path)):
        assert answer.status_code == (404 if outcome == "unknown" else 410)
        assert "help@portal.test" in answer.text and "Fixture Org" not in answer.text
        assert answer.headers["cache-control"] == "no-store"


def test_scalekit_down_is_a_503_with_retry_after(
    emulator: Emulator, relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    _, path = invite(relay_context, org_id)
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code="UNAVAILABLE", times=5))
    answer = relay.post(path)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "60" and "Try again" in answer.text


def test_a_feature_switched_off_since_is_named(
    relay: TestClient, relay_context: RelayContext, gateway: ScalekitGateway, org_id: str
) -> None:
    _, path = invite(relay_context, org_id, features=["sso", "dir_sync"])
    gateway.update_organization_settings(org_id, sso=False)
    answer = relay.post(path)
    assert answer.status_code == 409 and "SSO is no longer enabled" in answer.text


def test_rate_limits_per_token_and_per_client(relay_context: RelayContext, org_id: str) -> None:
    relay = TestClient(create_app(relay_context, RateLimiter()), follow_redirects=False)
    _, path = invite(relay_context, org_id)
    answers = [relay.post(path).status_code for _ in range(PER_TOKEN.events + 1)]
    assert answers[:-1] == [303] * PER_TOKEN.events and answers[-1] == 429
    limited = relay.post(path)
    assert int(limited.headers["retry-after"]) > 0 and "Too many attempts" in limited.text
    # A script trying tokens from one address is stopped too, whatever the tokens.
    guesses = [relay.post(f"/i/guess-{n}").status_code for n in range(40)]
    assert 429 in guesses and guesses.count(404) <= 30


def test_the_limiter_slides_and_keeps_no_token() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    small = Limit("test", events=2, per_s=10)
    assert [limiter.hit(small, "secret-token") for _ in range(3)][:2] == [0.0, 0.0]
    assert limiter.hit(small, "secret-token") > 0
    now[0] = 10.5
    assert limiter.hit(small, "secret-token") == 0.0
    assert "secret-token" not in repr(limiter.__dict__)


def test_log_lines_never_hold_a_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "POST", "/i/abcDEF123_-xyz", "1.1", 303),
        None,
    )
    RedactTokens().filter(record)
    assert "abcDEF123" not in record.getMessage() and "/i/[token]" in record.getMessage()
    assert redact("GET /i/tok?x=1 and /i/other") == "GET /i/[token]?x=1 and /i/[token]"


def test_a_real_uvicorn_server_serves_the_same_and_logs_no_token(
    relay_context: RelayContext, org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = EmbeddedRelay(create_app(relay_context)).start()
    try:
        _, path = invite(relay_context, org_id)
        token = path.rsplit("/", 1)[1]
        with caplog.at_level(logging.INFO):
            assert requests.get(server.url + path, timeout=5).status_code == 200
            opened = requests.post(server.url + path, allow_redirects=False, timeout=5)
        assert (
            opened.status_code == 303
            and requests.get(opened.headers["Location"], timeout=5).status_code == 200
        )
        assert token not in caplog.text
        assert requests.get(server.url + "/healthz", timeout=5).text == "ok"
    finally:
        server.stop()


def test_the_standalone_relay_refuses_to_start_without_scalekit(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DASHBOARD_DOTENV": "",
        "DASHBOARD_DATABASE_URL": f"sqlite:///{tmp_path}/h.db",
    }
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.relay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "needs a Scalekit environment" in done.stderr


def test_the_standalone_relay_serves_a_live_environment(
    emulator: Emulator, database_url: str, gateway: ScalekitGateway, org_id: str
) -> None:
    """``python -m dashboard.relay`` with SCALEKIT_* set (here: pointing at the emulator)."""
    shared = History(database_url)
    host = emulator.env_url.removeprefix("https://")
    with standalone_relay(emulator, database_url) as relay:
        issued = invitations.create(
            gateway,
            shared,
            environment=host,
            relay_url=relay.url,
            organization=gateway.get_organization(org_id),
            features=["sso"],
            days=3,
            operator=ANA,
        )
        opened = requests.post(issued.url, allow_redirects=False, timeout=10)
        assert opened.status_code == 303
        assert shared.invitations.get(host, issued.invitation.id).open_count == 1
    assert issued.url.rsplit("/", 1)[1] not in relay.output
    shared.engine.dispose()
