"""Hostile text everywhere outside text can come from, then every page in real Chromium: no
dialog, no anchor or image made from it, no request to any host but the app's."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect
from scalekit import ScalekitClient
from scalekit.v1.organizations import organizations_pb2 as org_pb

from dashboard.history import History, NewInvitation, fingerprint
from scalekit_emulator import Emulator

from .conftest import Dashboard, running_dashboard

pytestmark = pytest.mark.browser


class Spy(ThreadingHTTPServer):
    """A host the corpus points images and links at: it must never be asked for anything."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        spy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                spy.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def corpus(spy: str) -> list[str]:
    return [
        f"![x]({spy}/p.png)",
        "[Re-authenticate here](https://evil.example/login)",
        "<img src=x onerror=alert(1)>",
        "<script>alert(2)</script>",
        f"{spy}/autolink www.evil.example phish@evil.example",
        "$\\frac{a}{b}$ :red[ALERT] **bold**",
        "\u202eexe.txt\u202c Corp",
        "Ünïcödé 🎉 " + "long" * 40,
    ]


def deleted_name(spy: str) -> str:
    return f"![x]({spy}/deleted.png) [Re-verify your login](https://evil.example/phish)"


@pytest.fixture(scope="module")
def spy() -> Iterator[Spy]:
    server = Spy()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def hostile(
    emulator: Emulator, spy: Spy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Dashboard, list[str], Emulator]]:
    """A dashboard on a live-mode environment that this test fills with hostile data through the
    real SDK (the session's emulator fixture makes this process trust the emulators' CA)."""
    folder = tmp_path_factory.mktemp("hostile")
    texts = corpus(spy.origin)
    with Emulator(orgs=3, seed=21) as target:
        client = ScalekitClient(target.env_url, target.client_id, target.client_secret)
        history = History(f"sqlite:///{folder / 'issuance.db'}")
        host = target.env_url.removeprefix("https://")
        org_ids = []
        now = dt.datetime.now(dt.UTC)
        for n, text in enumerate(texts):
            created = org_pb.CreateOrganization(
                display_name=text[:200],
                external_id=f"{text[:60]}-{n}",
                metadata={"note": text[:256], "sso_url": f"{spy.origin}/m"},
            )
            org = client.organization.create_organization(created)[0].organization
            org_ids.append(org.id)
            history.invitations.create(
                NewInvitation(
                    token_hash=fingerprint(f"t{n}"),
                    environment=host,
                    organization_id=org.id,
                    organization_name=org.display_name,
                    features=("sso",),
                    issued_by=text[:255],
                    issued_at=now,
                    expires_at=now + dt.timedelta(days=3),
                    recipient_email=f"phish{n}@evil.example",
                    note=text[:500],
                )
            )
        # One more, for an admin to delete: its name must stay text in the "… was deleted." message.
        doomed = org_pb.CreateOrganization(display_name=deleted_name(spy.origin))
        org_ids.append(client.organization.create_organization(doomed)[0].organization.id)
        env = {k: v for k, v in target.env_vars().items() if k.startswith("SCALEKIT_")}
        env.pop("SCALEKIT_EMULATOR_CONTROL_TOKEN")
        with running_dashboard(
            folder, **env, DASHBOARD_RELAY_URL="https://relay.portal.test", DASHBOARD_OPERATOR=texts[1]
        ) as dashboard:
            yield dashboard, org_ids, target


def guard(page: Page, allowed: set[str]) -> tuple[list[str], list[str]]:
    dialogs: list[str] = []
    foreign: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: foreign.append(request.url) if urlsplit(request.url).netloc not in allowed else None,
    )
    return dialogs, foreign


def assert_only_text(page: Page, spy: Spy) -> None:
    for selector in (
        'a[href*="evil.example"]',
        f'a[href*="{spy.origin}"]',
        f'img[src*="{spy.origin}"]',
        "img[src=x]",
        'a[href^="mailto:phish"]',
    ):
        assert page.locator(selector).count() == 0, selector
    for frame in page.frames:
        assert frame.locator('a[href*="evil.example"]').count() == 0


def test_every_page_shows_hostile_text_as_text(hostile, spy: Spy, page: Page, shot) -> None:
    dashboard, org_ids, emulator = hostile
    app = urlsplit(dashboard.url).netloc
    allowed = {app, urlsplit(emulator.portal_url).netloc}
    dialogs, foreign = guard(page, allowed)

    visits = [
        ("/", "Needs attention"),
        (f"/?org={org_ids[0]}", "Admin portal features"),
        (f"/?org={org_ids[4]}", "Admin portal features"),
        (f"/share_link?org={org_ids[1]}", "Invitations"),
        ("/issuance_stats?table=1", "Show the issued items"),  # the table too: every name
        (f"/share_link?org={quote('[Re-authenticate here](https://evil.example/login)')}", "Share link"),
        (f"/?org={quote('![x](' + spy.origin + '/q.png)')}", "not valid"),
    ]
    for n, (path, landmark) in enumerate(visits):
        page.goto(dashboard.url + path)
        expect(page.get_by_text(landmark).first).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1_500)
        assert_only_text(page, spy)
        shot(page, f"-{n}")
    page.goto(f"{dashboard.url}/?org={org_ids[2]}")
    expect(page.get_by_text("Admin portal features")).to_be_visible(timeout=30_000)
    page.get_by_role("tab", name="History").click()
    page.wait_for_timeout(1_000)
    assert_only_text(page, spy)
    assert dialogs == [] and spy.hits == [], (dialogs, spy.hits)
    assert foreign == [], foreign


def test_hostile_portal_events_stay_text(hostile, spy: Spy, page: Page, shot) -> None:
    dashboard, org_ids, emulator = hostile
    org_id = org_ids[3]
    events = [
        {"event_type": "ORGANIZATION_SSO_ENABLED", "object": "connection", "organization_id": org_id,
         "message": text, "data": {"id": text, "nested": {"deep": [1, 2, 3]}}}
        for text in corpus(spy.origin)
    ]  # fmt: skip
    huge = {"event_type": "ORGANIZATION_SSO_DISABLED", "organization_id": org_id, "message": "HUGE" * 25_000}
    events += [huge, {"event_type": "PORTAL_SESSION_EXPIRY", "organization_id": org_id, "message": "x" * 300}]

    def fake_portal(route: Route) -> None:
        # The portal's own origin posting what a compromised portal might: the origin check passes.
        script = "".join(f"parent.postMessage({json.dumps(e)}, '*');" for e in events).replace("<", "\\u003c")
        route.fulfill(content_type="text/html", body=f"<h1 id='org-name'>fake</h1><script>{script}</script>")

    page.route(re.compile(re.escape(emulator.portal_url) + r"/magicLink/.*"), fake_portal)
    dialogs, foreign = guard(page, {urlsplit(dashboard.url).netloc, urlsplit(emulator.portal_url).netloc})
    page.goto(f"{dashboard.url}/portal_preview?org={org_id}")
    expect(page.get_by_text("PORTAL_SESSION_EXPIRY")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("ORGANIZATION_SSO_ENABLED")).to_have_count(len(corpus(spy.origin)))
    expect(page.get_by_text("ORGANIZATION_SSO_DISABLED")).to_have_count(0)  # 100 kB: not an event
    assert_only_text(page, spy)
    shot(page)
    page.goto(f"{dashboard.url}/?org={org_id}")
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_text("Portal:").first).to_be_visible(timeout=30_000)
    assert_only_text(page, spy)
    assert dialogs == [] and spy.hits == [] and foreign == []


def test_a_deleted_organizations_name_stays_text(hostile, spy: Spy, page: Page, shot) -> None:
    dashboard, org_ids, emulator = hostile
    name = deleted_name(spy.origin)
    dialogs, foreign = guard(page, {urlsplit(dashboard.url).netloc, urlsplit(emulator.portal_url).netloc})
    page.goto(f"{dashboard.url}/?org={org_ids[-1]}")
    page.get_by_role("button", name="Delete", exact=True).click()  # the operator is an admin
    confirm = page.get_by_role("dialog")
    confirm.get_by_role("textbox").fill(name)
    confirm.get_by_role("textbox").press("Enter")
    expect(confirm.get_by_role("button", name="Delete for good")).to_be_enabled(timeout=20_000)
    confirm.get_by_role("button", name="Delete for good").click()
    expect(page.get_by_text("was deleted.")).to_be_visible(timeout=30_000)
    said = page.get_by_test_id("stAlertContentSuccess").locator("p").inner_text().replace("\u2060", "")
    assert said.strip() == f"{name} was deleted."  # exactly the name, as text
    page.wait_for_timeout(1_000)
    assert_only_text(page, spy)
    assert page.get_by_test_id("stAlertContentSuccess").locator("a, img").count() == 0
    shot(page)
    assert dialogs == [] and spy.hits == [] and foreign == [], (dialogs, spy.hits, foreign)


def test_another_site_cannot_frame_the_dashboard(dashboard: Dashboard, page: Page) -> None:
    page.route(
        "http://evil.test/frame.html",
        lambda route: route.fulfill(
            content_type="text/html", body=f'<iframe id="victim" src="{dashboard.url}/share_link"></iframe>'
        ),
    )
    response = page.request.get(dashboard.url + "/")
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    page.goto("http://evil.test/frame.html")
    page.wait_for_timeout(3_000)
    framed = page.frame_locator("#victim")
    assert framed.get_by_role("heading", name="Share link").count() == 0  # the browser refused to render it


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with running_dashboard(tmp_path_factory.mktemp("framed")) as running:
        yield running
