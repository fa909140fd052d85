"""Shared fixtures: one emulator for the session, reached through the real SDK."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager

from dashboard import runtime
from dashboard.config import SCALEKIT_KEYS, Settings
from dashboard.gateway import ScalekitGateway, trust_ca_bundle
from dashboard.history import History
from scalekit_emulator import Emulator

from .apptest import app_emulator

pytest_plugins = ["tests.mail_server", "tests.postgres", "tests.webhook"]  # smtp; PostgreSQL; webhook

SESSION_ORGS = 250  # three pages at Scalekit's page size of 100


def pytest_configure(config: pytest.Config) -> None:
    # Tests always run on emulators, whatever the developer's shell or .env says.
    for key in SCALEKIT_KEYS:
        os.environ.pop(key, None)
    os.environ["DASHBOARD_DOTENV"] = ""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs a PostgreSQL server or Chromium, so `make check` can leave them out."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        values = [v for value in params.values() for v in (value if isinstance(value, tuple) else (value,))]
        if names & {"postgres_server", "postgres_url"} or "postgresql" in values:
            item.add_marker(pytest.mark.postgres)
        if "page" in names or "browser" in names or "context" in names:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator(orgs=SESSION_ORGS, seed=11) as emu:
        # Every emulator in this process shares one CA, so trusting it once is enough; it must
        # happen before the first gRPC channel is made.
        trust_ca_bundle(str(emu.ca_bundle_file))
        yield emu


@pytest.fixture(autouse=True)
def _clean_emulator(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" in request.fixturenames:
        control = request.getfixturevalue("emulator").control
        control.clear_faults()
        control.reset_clock()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(call_timeout_s=2.0)


@pytest.fixture(scope="session")
def gateway(emulator: Emulator, settings: Settings) -> ScalekitGateway:
    return ScalekitGateway.connect(settings, emulator.env_url, emulator.client_id, emulator.client_secret)


@pytest.fixture
def org_id(gateway: ScalekitGateway) -> str:
    """A fresh organization per test (made through the SDK), so tests that change state never
    meet each other's links."""
    return gateway.create_organization("Fixture Org").id


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database: a real SQLite file, and a real PostgreSQL database (tests/postgres.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/history.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def history(database_url: str) -> Iterator[History]:
    """A fresh history, on each database Portal Desk supports."""
    store = History(database_url)
    yield store
    store.engine.dispose()  # PostgreSQL: no connection left to keep the database from being dropped


@pytest.fixture(autouse=True)
def _multipage_as_in_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run AppTest the way a browser session runs after its first script run.

    A pages/ folder starts Streamlit in its legacy multipage mode until the first st.navigation
    call, once per server (dashboard.ui.shell.ensure_app_shell handles that first run; a browser
    test covers it). AppTest re-enters that mode at every run(), which a server never does.
    """
    original = PagesManager.__init__

    def init(self: PagesManager, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings for an AppTest run of the app: a fresh history file and a known operator.

    The app's embedded emulator is built once per process (st.cache_resource) and reset after
    each test; listings cached with st.cache_data are cleared so no test sees another's data.
    """
    database = tmp_path / "issuance.db"
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("DASHBOARD_OPERATOR", "ana@portal.test")
    monkeypatch.setenv("DASHBOARD_DEMO_HISTORY", "0")  # tests count rows; the demo has its own test
    runtime.forget_listings()
    runtime.stats_choices.clear()
    yield database
    runtime.forget_listings()
    runtime.stats_choices.clear()
    app_emulator().control.reset()
