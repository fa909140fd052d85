"""The one place where long-lived resources are built and cached for the Streamlit server.

``st.cache_resource`` makes each of these once per server process (not per rerun or session):
the embedded emulator and relay, the Scalekit gateway, the history. Listings shared by several
pages are cached here too, with ``st.cache_data`` and a TTL. Pages ask for them here and never
build their own.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import streamlit as st

from scalekit_emulator import Branding, Emulator, local_origins

from . import organizations
from .config import Settings, load_settings
from .demo_history import seed_demo_history
from .errors import PortalDeskError
from .gateway import ScalekitGateway, trust_ca_bundle
from .history import History
from .history.issued import StatsFilter
from .history.stats import Choices, IssuanceStats, StatsReport
from .local_stack import STARTED, running_emulator
from .mailer import Mailer
from .models import Organization, OrganizationDetail
from .relay import EmbeddedRelay, RelayContext, create_app

DEMO_BRANDING = Branding(name="Portal Desk Demo", accent="#5b5bd6")


def settings() -> Settings:
    """Fresh on every call (it is cheap), so a changed ``.env`` applies on the next rerun; what
    make run started beside this server (its emulator, its relay) laid over the environment."""
    return load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"), overrides=STARTED.settings())


@st.cache_resource(show_spinner="Starting the local Scalekit emulator…")
def embedded_emulator(orgs: int, seed: int, portal_session_s: float = 6 * 3600) -> Emulator:
    """The emulator inside this server process, used when no Scalekit credentials are set."""
    session = dt.timedelta(seconds=portal_session_s)
    origins = local_origins(int(st.get_option("server.port")))  # the preview frames the portal
    emulator = Emulator(
        orgs=orgs, seed=seed, portal_session_ttl=session, branding=DEMO_BRANDING, allowed_origins=origins
    ).start()
    # Before the first gRPC channel exists: gRPC reads its roots once per process.
    trust_ca_bundle(str(emulator.ca_bundle_file))
    return emulator


def emulator_for(config: Settings) -> Emulator:
    return embedded_emulator(config.emulator_orgs, config.emulator_seed, config.emulator_portal_session_s)


def gateway(config: Settings) -> ScalekitGateway:
    """The gateway to the configured environment, or to the embedded emulator."""
    if config.uses_emulator:
        running = running_emulator(config.emulator_env_file)  # the one make run started
        if running is not None:
            return _connect(
                running.env_url,
                running.client_id,
                running.client_secret,
                config.call_timeout_s,
                running.ca_bundle,
            )
        emulator = emulator_for(config)
        return _connect(
            emulator.env_url, emulator.client_id, emulator.client_secret, config.call_timeout_s, None
        )
    return _connect(
        config.environment_url or "",
        config.client_id or "",
        config.client_secret or "",
        config.call_timeout_s,
        config.ca_bundle,
    )


@st.cache_resource(show_spinner="Connecting to Scalekit…")
def _connect(
    url: str, client_id: str, client_secret: str, call_timeout_s: float, ca_bundle: str | None
) -> ScalekitGateway:
    # Keyed on what the connection depends on only: another database or operator reuses it.
    if ca_bundle:
        trust_ca_bundle(ca_bundle)
    return ScalekitGateway.connect(Settings(call_timeout_s=call_timeout_s), url, client_id, client_secret)


@st.cache_resource(show_spinner=False)
def store(database_url: str) -> History:
    """The history for this server process; migrated when first opened."""
    return History(database_url).opened_for(settings().uses_emulator)  # emulator: never a live history


@st.cache_resource(show_spinner="Starting the local relay…")
def _embedded_relay(
    environment_url: str, database_url: str, _gateway: ScalekitGateway, _history: History, support: str
) -> EmbeddedRelay:
    context = RelayContext(
        gateway=_gateway,
        history=_history,
        environment="emulator",
        support_contact=support,
        brand=DEMO_BRANDING.name,
    )
    return EmbeddedRelay(create_app(context)).start()


def relay_url(config: Settings, gateway: ScalekitGateway, history: History) -> str | None:
    """Where invitations point: DASHBOARD_RELAY_URL, or on the emulator the relay this process
    runs itself (so the whole flow works on a fresh machine). None: invitations are unavailable."""
    if config.relay_url or not config.uses_emulator:
        return config.relay_url
    return _embedded_relay(
        gateway.environment_url, config.database_url, gateway, history, config.support_contact
    ).url


@st.cache_data(ttl=30, show_spinner=False)
def _reachability(environment_url: str, _config: Settings) -> str | None:
    try:
        gateway(_config)
    except PortalDeskError as error:
        return str(error)
    return None


def scalekit_problem(config: Settings) -> str | None:
    """Why the live environment cannot be reached (the sidebar says so), or None. A failed sign-in
    is tried again after 30 s, not on every run."""
    return _reachability(config.environment_url or "", config)


def mailer(config: Settings) -> Mailer | None:
    return Mailer(config.smtp) if config.smtp else None


def board(config: Settings, history: History) -> organizations.Board:
    """Every organization with its status and invitations, as the history holds it, shared by
    every session: the organizations and statuses read again only when the history's board
    version moves, the invitations' summaries also once a minute (invitations expire)."""
    env = config.environment_host
    version = history.board_version(env)
    minute = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    kept = _snapshot(config.database_url, env, version, history)
    return _board(config.database_url, env, (*version, minute), kept, history)


@st.cache_resource(show_spinner=False, max_entries=2)
def _snapshot(
    database_url: str, environment: str, version: tuple[object, ...], _history: History
) -> organizations.board.Snapshot:
    return organizations.board.snapshot(_history, environment)


@st.cache_resource(show_spinner=False, max_entries=4)
def _board(
    database_url: str,
    environment: str,
    version: tuple[object, ...],
    _kept: organizations.board.Snapshot,
    _history: History,
) -> organizations.Board:
    return organizations.board.read(_history, environment, version, _kept)


def background(config: Settings, history: History) -> organizations.Background:
    """What the worker is doing for this environment (one short read, every redraw)."""
    return organizations.Background.of(
        history.sweepers.state(config.environment_host), dt.datetime.now(dt.UTC)
    )


@st.cache_resource(show_spinner="Preparing the demo history…")
def _demo_history(database_url: str, environment_url: str, _store: History, _gateway: ScalekitGateway) -> int:
    return seed_demo_history(_store, _gateway)


def history(config: Settings, gateway: ScalekitGateway) -> History:
    """The issuance history; on the emulator, seeded once with a demo history when empty."""
    issuance_store = store(config.database_url)
    if config.uses_emulator and config.demo_history:
        _demo_history(config.database_url, gateway.environment_url, issuance_store, gateway)
    return issuance_store


@st.cache_data(ttl=60, show_spinner="Searching…")
def _search(environment_url: str, query: str, _gateway: ScalekitGateway) -> list[Organization]:
    return _gateway.search_organizations(query)


def search_organizations(
    gateway: ScalekitGateway, query: str, everyone: list[Organization]
) -> list[Organization]:
    return organizations.search(
        gateway, query, everyone, lambda needle: _search(gateway.environment_url, needle, gateway)
    )


@st.cache_data(ttl=30, show_spinner="Loading the organization…")
def _detail(
    environment_url: str, org_id: str, deadline_s: float, _gateway: ScalekitGateway
) -> OrganizationDetail:
    return organizations.load_detail(_gateway, org_id, deadline_s)


def organization_detail(gateway: ScalekitGateway, org_id: str, deadline_s: float) -> OrganizationDetail:
    """Connections, directories and domains of one organization; 30 s fresh, cleared on change.
    A detail with parts missing is not kept: the next run asks again."""
    detail = _detail(gateway.environment_url, org_id, deadline_s, gateway)
    if detail.missing:
        _detail.clear()
    return detail


def forget_listings() -> None:
    """Drop every cached listing and detail (between tests)."""
    _board.clear()
    _snapshot.clear()
    _demo_history.clear()
    _search.clear()
    _detail.clear()


@st.cache_data(ttl=60, show_spinner=False)
def stats_choices(database_url: str, environment: str) -> Choices:
    """Environments, reps (and their names) and organizations the history knows, for the stats
    filters. A minute fresh: they change as slowly as the team does, and listing them scans an index."""
    return IssuanceStats(store(database_url)).choices(environment)


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def stats_report(database_url: str, flt: StatsFilter, version: tuple[int, ...]) -> StatsReport:
    """The stats page's figures for one filter, kept a minute or until the history changes
    (``History.version``): a rerun for another chart split, or a second visit, reads nothing.
    "Open now" may lag an expiry by that minute."""
    return IssuanceStats(store(database_url)).report(flt, dt.datetime.now(dt.UTC))


@st.cache_data(ttl=60, max_entries=64, show_spinner=False)
def stats_per_period(
    database_url: str, flt: StatsFilter, grain: str, by: str, version: tuple[int, ...]
) -> pd.DataFrame:
    return IssuanceStats(store(database_url)).per_period(flt, grain, by)


def refresh_listings(config: Settings, history: History) -> bool:
    """Refresh: the worker lists again and refreshes every status now (the statuses shown stay
    until replaced). False when no worker sweeps this environment."""
    _search.clear()
    _detail.clear()
    return history.sweepers.request_refresh(config.environment_host, dt.datetime.now(dt.UTC))


def forget_detail() -> None:
    """After a change to an organization from Portal Desk (the service patched the history's
    listing), or a change the portal reported (the organization is on the worker's watch list):
    its cached detail is stale."""
    _detail.clear()
