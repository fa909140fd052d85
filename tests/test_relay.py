"""The relay: through Starlette's TestClient, and as a real uvicorn server on a free port."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from limits import RateLimitItemPerSecond
from starlette.testclient import TestClient

from dashboard import invitations
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.ratelimits import Windows, digest
from dashboard.relay import EmbeddedRelay, RelayContext, create_app
from dashboard.relay.app import THREADS
from dashboard.relay.limits import PER_CLIENT_OPENS, PER_TOKEN, RateLimiter
from dashboard.relay.logs import RedactTokens, redact
from scalekit_emulator import Emulator, Fault

from . import postgres
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


def test_a_feature_switched_off_since_is_said_before_the_click(
    relay: TestClient, relay_context: RelayContext, gateway: ScalekitGateway, org_id: str
) -> None:
    _, path = invite(relay_context, org_id, features=["sso", "dir_sync"])
    gateway.update_organization_settings(org_id, sso=False)
    page = relay.get(path)
    assert page.status_code == 200 and "Open the admin portal" in page.text
    assert "Only Directory sync will open" in page.text and "SSO</strong>" not in page.text
    opened = relay.post(path)  # the part still switched on opens
    assert opened.status_code == 303 and "/magicLink/" in opened.headers["location"]
    gateway.update_organization_settings(org_id, dir_sync=False)
    for answer in (relay.get(path), relay.post(path)):  # nothing left: no button that would fail
        assert answer.status_code == 409 and "Open the admin portal" not in answer.text
        assert "SSO and Directory sync is no longer enabled" in answer.text


def test_an_organization_deleted_since_is_said_before_the_click(
    relay: TestClient, relay_context: RelayContext, gateway: ScalekitGateway
) -> None:
    doomed = gateway.create_organization("Doomed Co")
    _, path = invite(relay_context, doomed.id)
    gateway.delete_organization(doomed.id)
    page = relay.get(path)
    assert page.status_code == 410 and "no longer exists" in page.text
    assert "Open the admin portal" not in page.text and "Doomed Co" not in page.text


def test_scalekit_failing_on_the_get_still_shows_the_button(
    emulator: Emulator, relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    _, path = invite(relay_context, org_id)
    emulator.control.inject_fault(Fault(method="GetOrganization", code="UNAVAILABLE"))
    page = relay.get(path)
    assert page.status_code == 200 and "Open the admin portal" in page.text


@pytest.mark.parametrize(
    "code", ["INVALID_ARGUMENT", "ALREADY_EXISTS", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE"]
)
def test_a_refusal_the_organization_does_not_explain_is_transient(
    emulator: Emulator, relay: TestClient, relay_context: RelayContext, org_id: str, code: str
) -> None:
    _, path = invite(relay_context, org_id, features=["sso", "dir_sync"])  # both still switched on
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", code=code, times=5))
    answer = relay.post(path)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "60"
    assert "Try again in a minute" in answer.text and "no longer enabled" not in answer.text


def test_a_replaced_link_says_so_naming_support_never_the_organization(
    relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    issued, old = invite(relay_context, org_id)
    again = invitations.replace_link(
        relay_context.history,
        environment="emulator",
        relay_url="http://testserver",
        invitation_id=issued.invitation.id,
        operator=ANA,
    )
    for answer in (relay.get(old), relay.post(old)):
        assert answer.status_code == 410 and "replaced by a newer one" in answer.text
        assert "help@portal.test" in answer.text and "Fixture Org" not in answer.text
    assert relay.post("/i/" + again.url.rsplit("/i/", 1)[1]).status_code == 303
    assert relay_context.history.invitations.get("emulator", issued.invitation.id).open_count == 1


def test_a_trailing_slash_is_a_404_never_a_redirect_to_the_host_header(
    relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    _, path = invite(relay_context, org_id)
    for answer in (
        relay.get(path + "/", headers={"Host": "evil.example"}),
        relay.post(path + "/", headers={"Host": "evil.example"}),
    ):
        assert answer.status_code == 404 and "location" not in answer.headers
        assert "This invitation link is not valid" in answer.text and "evil.example" not in answer.text
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")


def _assert_secured(answer: requests.Response | object) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "no-referrer"
    assert (
        headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in headers["content-security-policy"]
    )


def test_a_locked_database_is_a_503_page_with_every_header_and_no_traceback(
    gateway: ScalekitGateway, org_id: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    history = History(f"sqlite:///{tmp_path}/locked.db", busy_timeout_s=0.2)
    context = RelayContext(gateway=gateway, history=history, environment="emulator")
    _, path = invite(context, org_id)
    history.engine.dispose()  # the relay's next request connects afresh, and meets the lock
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None, timeout=0.2)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")  # WAL readers are shut out too
    holder.execute("BEGIN EXCLUSIVE")
    try:
        relay = TestClient(create_app(context), follow_redirects=False)
        with caplog.at_level(logging.INFO):
            answers = [relay.get(path), relay.post(path)]
        for answer in answers:
            assert answer.status_code == 503 and answer.headers["retry-after"] == "60"
            assert "Try again in a minute" in answer.text and "Internal Server Error" not in answer.text
            _assert_secured(answer)
        relay_log = [r for r in caplog.records if r.name == "dashboard.relay"]
        assert [r.levelname for r in relay_log] == ["WARNING", "WARNING"]
        assert all("history database is busy" in r.getMessage() for r in relay_log)
        assert not any(r.exc_info for r in caplog.records)  # an expected failure: no traceback
        assert not any(path.rsplit("/", 1)[1] in r.getMessage() for r in relay_log)
    finally:
        holder.close()
        history.engine.dispose()


@pytest.mark.skipif(not postgres.available(), reason="PostgreSQL's initdb and pg_ctl were not found")
def test_a_postgresql_server_gone_is_a_503_page(
    gateway: ScalekitGateway, org_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    with postgres.running_server() as server:  # a server of its own, stopped under the relay
        history = History(server.admin_url, busy_timeout_s=1)
        context = RelayContext(gateway=gateway, history=history, environment="emulator")
        _, path = invite(context, org_id)
    relay = TestClient(create_app(context), follow_redirects=False)
    with caplog.at_level(logging.INFO):
        answers = [relay.get(path), relay.post(path)]
    for answer in answers:
        assert answer.status_code == 503 and answer.headers["retry-after"] == "60"
        assert "Try again in a minute" in answer.text
        _assert_secured(answer)
    assert not any(r.exc_info for r in caplog.records)
    history.engine.dispose()


def test_an_unexpected_error_is_a_500_page_whose_reference_the_log_carries(
    gateway: ScalekitGateway, org_id: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    relay_context = RelayContext(
        gateway=gateway, history=History(f"sqlite:///{tmp_path}/damaged.db"), environment="emulator"
    )
    issued, path = invite(relay_context, org_id)
    # A damaged row (a date no driver can read) fails where no outcome covers it.
    with sqlite3.connect(tmp_path / "damaged.db") as damage:
        damage.execute("UPDATE invitation SET expires_at = 'garbage' WHERE id = ?", (issued.invitation.id,))
    relay_context.history.engine.dispose()
    relay = TestClient(create_app(relay_context), raise_server_exceptions=False)
    with caplog.at_level(logging.INFO):
        answer = relay.get(path)
    assert answer.status_code == 500 and "Internal Server Error" not in answer.text
    _assert_secured(answer)
    reference = answer.text.split("reference ", 1)[1][:12]
    assert reference.startswith("ERR-")
    [logged] = [r for r in caplog.records if reference in r.getMessage()]
    assert logged.name == "dashboard.relay" and logged.exc_info and "ValueError" in (logged.exc_text or "")
    assert path.rsplit("/", 1)[1] not in logged.getMessage() + (logged.exc_text or "")


def test_rate_limits_per_token_and_per_client(relay_context: RelayContext, org_id: str) -> None:
    relay = TestClient(create_app(relay_context, RateLimiter()), follow_redirects=False)
    _, path = invite(relay_context, org_id)
    answers = [relay.post(path).status_code for _ in range(PER_TOKEN.amount + 1)]
    assert answers[:-1] == [303] * PER_TOKEN.amount and answers[-1] == 429
    limited = relay.post(path)
    assert int(limited.headers["retry-after"]) > 0 and "Too many attempts" in limited.text
    # A script trying tokens from one address is stopped too, whatever the tokens.
    guesses = [relay.post(f"/i/guess-{n}").status_code for n in range(40)]
    assert 429 in guesses and guesses.count(404) <= 30


def test_a_flood_of_garbage_tokens_stores_nothing_and_spares_other_clients(
    relay_context: RelayContext, org_id: str
) -> None:
    limiter = RateLimiter()
    app = create_app(relay_context, limiter)
    attacker = TestClient(app, follow_redirects=False, client=("198.51.100.7", 40000))
    customer = TestClient(app, follow_redirects=False, client=("203.0.113.9", 40000))
    _, path = invite(relay_context, org_id)
    answers = [attacker.post(f"/i/garbage-{n}").status_code for n in range(300)]
    assert answers.count(404) == PER_CLIENT_OPENS.amount and answers.count(429) == 300 - 30
    for n in range(20_000):  # the same client, straight at the limiter: the HTTP path is above
        assert limiter.open("198.51.100.7", f"more-garbage-{n}") > 0
    # The client's window and the tokens it was allowed to try; nothing for the refused ones.
    assert limiter.stored_keys <= PER_CLIENT_OPENS.amount + 1
    page = customer.get(path)
    assert page.status_code == 200 and "Open the admin portal" in page.text
    assert customer.post(path).status_code == 303


def test_the_limiter_starts_no_thread_per_hit_and_still_forgets_old_keys() -> None:
    """The library's memory storage started a thread after hits to scan every key it held (a
    sixth of the relay's CPU under load): the windows trim themselves on their prune instead."""
    started: set[str] = set()

    def watch(frame: object, event: str, arg: object) -> None:
        if isinstance(threading.current_thread(), threading.Timer):
            started.add(threading.current_thread().name)

    windows = Windows(prune_every_s=0.2)
    second = RateLimitItemPerSecond(3, 2)
    previous = threading.gettrace()
    threading.settrace(watch)  # type: ignore[arg-type]  # called as each new thread begins
    try:
        for _ in range(3):
            assert windows.hit(second, "client 0") == 0.0
        assert windows.hit(second, "client 0") > 0  # a fourth within its two seconds: refused
        for n in range(147):  # three hits for each of 49 more clients
            assert windows.hit(second, f"client {1 + n % 49}") == 0.0
            time.sleep(0.0005)
        for timer in [t for t in threading.enumerate() if isinstance(t, threading.Timer)]:
            timer.join(5)
    finally:
        threading.settrace(previous)  # type: ignore[arg-type]
    assert started == set()
    deadline = time.monotonic() + 10
    while windows.stored_keys > 1:  # the others' windows empty and their keys gone, on a hit
        assert time.monotonic() < deadline
        time.sleep(0.1)
        windows.hit(second, "the one still hitting")
    [key] = windows.keys()
    assert digest("the one still hitting") in key


def test_the_limiter_slides_and_keeps_no_token() -> None:
    limiter = RateLimiter()
    small = RateLimitItemPerSecond(2, 1)
    assert [limiter.hit(small, "secret-token") for _ in range(2)] == [0.0, 0.0]
    wait = limiter.hit(small, "secret-token")
    assert 0 < wait <= 1
    deadline = time.monotonic() + 5
    while limiter.hit(small, "secret-token") > 0:  # the window slides: allowed again within a second
        assert time.monotonic() < deadline
        time.sleep(0.05)
    [key] = limiter.keys()
    assert "secret-token" not in key and digest("secret-token") in key


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


@pytest.mark.slow
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


@pytest.mark.slow
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
    assert done.returncode == 2 and "No Scalekit environment" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
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


def test_an_open_is_one_read_and_two_writes(
    relay: TestClient, relay_context: RelayContext, org_id: str
) -> None:
    """Each transaction is a turn in the pool and, for a write, in the write queue: an open takes
    the token's look-up, the pending mint and its completion (the open counted, and a revoke
    that raced it seen, in the same transaction), nothing more."""
    _, warm = invite(relay_context, org_id)
    _, path = invite(relay_context, org_id)
    assert relay.post(warm).status_code == 303  # a process's first mint also tidies the history
    seen: list[str] = []

    def begun(conn: sa.Connection) -> None:
        seen.append("write" if conn.info.get("write") else "read")

    sa.event.listen(relay_context.history.engine, "begin", begun)
    try:
        assert relay.post(path).status_code == 303
    finally:
        sa.event.remove(relay_context.history.engine, "begin", begun)
    assert sorted(seen) == ["read", "write", "write"]


def test_concurrent_opens_run_on_no_more_threads_than_the_history_has_connections(
    emulator: Emulator, relay_context: RelayContext, org_id: str
) -> None:
    """Twenty customers at once, Scalekit slow: the opens queue for the relay's few threads
    rather than each taking a thread of its own, and no thread waits for a connection."""
    engine = relay_context.history.engine
    assert engine.pool.size() >= THREADS
    paths = [invite(relay_context, org_id)[1] for _ in range(3)]  # 7 opens each: under the token limit
    threads: set[int] = set()
    sa.event.listen(engine, "begin", lambda conn: threads.add(threading.get_ident()))
    emulator.control.inject_fault(Fault(method="GeneratePortalLink", delay_seconds=0.3, times=20))
    server = EmbeddedRelay(create_app(relay_context)).start()
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = pool.map(
                lambda n: requests.post(server.url + paths[n % 3], allow_redirects=False, timeout=30),
                range(20),
            )
            assert [a.status_code for a in answers] == [303] * 20
    finally:
        server.stop()
        emulator.control.clear_faults()
    assert 1 <= len(threads) <= THREADS
