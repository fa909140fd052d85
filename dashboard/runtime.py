"""The one place where long-lived resources are built and cached for the Streamlit server.

``st.cache_resource`` makes each of these once per server process (not per rerun or session):
the embedded emulator, the Scalekit gateway, the issuance store. Listings shared by several pages
are cached here too, with ``st.cache_data`` and a TTL. Pages ask for them here and never build their own.
"""

from __future__ import annotations

import os

import streamlit as st

from .config import Settings, load_settings, trust_ca_bundle
from .emulator import Emulator
from .gateway import ScalekitGateway
from .models import Organization
from .store import IssuanceStore


def settings() -> Settings:
    """Fresh on every call (it is cheap), so a changed ``.env`` applies on the next rerun."""
    return load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))


@st.cache_resource(show_spinner="Starting the local Scalekit emulator…")
def embedded_emulator(orgs: int, seed: int) -> Emulator:
    """The emulator inside this server process, used when no Scalekit credentials are set."""
    emulator = Emulator(orgs=orgs, seed=seed).start()
    # Before the first gRPC channel exists: gRPC reads its roots once per process.
    trust_ca_bundle(str(emulator.ca_bundle_file))
    return emulator


@st.cache_resource(show_spinner="Connecting to Scalekit…")
def gateway(config: Settings) -> ScalekitGateway:
    if config.uses_emulator:
        emulator = embedded_emulator(config.emulator_orgs, config.emulator_seed)
        return ScalekitGateway.connect(config, emulator.env_url, emulator.client_id, emulator.client_secret)
    if config.ca_bundle:
        trust_ca_bundle(config.ca_bundle)
    return ScalekitGateway.connect(config)


def clear() -> None:
    """Forget every cached resource and listing (tests; the Refresh buttons use narrower clears)."""
    st.cache_resource.clear()
    st.cache_data.clear()


@st.cache_resource(show_spinner=False)
def store(database_url: str) -> IssuanceStore:
    """The issuance history for this server process; migrated when first opened."""
    return IssuanceStore(database_url)


@st.cache_data(ttl=300, show_spinner="Loading organizations…")
def organizations(environment: str, _gateway: ScalekitGateway) -> list[Organization]:
    """Every organization of ``environment`` (the cache key), for pickers; five minutes fresh."""
    return _gateway.list_organizations()
