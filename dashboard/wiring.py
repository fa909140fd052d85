"""Building the outside systems from settings, for processes that are not the Streamlit server
(the worker, the relay): Scalekit's gateway and the history. ``runtime.py`` caches the same for
the server's pages."""

from __future__ import annotations

from .config import Settings
from .errors import ConfigError
from .gateway import ScalekitGateway, trust_ca_bundle
from .history import History
from .local_stack import ENV_FILE_VARIABLE, running_emulator


def gateway_for(config: Settings) -> ScalekitGateway:
    """The live environment, or the emulator another process runs (``make run`` starts one and
    names its settings file in DASHBOARD_EMULATOR_ENV_FILE)."""
    if config.uses_emulator:
        running = running_emulator(config.emulator_env_file)
        if running is None:
            raise ConfigError(
                "No Scalekit environment: set SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and "
                f"SCALEKIT_CLIENT_SECRET, or {ENV_FILE_VARIABLE} to a running emulator's settings file "
                "(make run does this by itself)."
            )
        trust_ca_bundle(running.ca_bundle)  # before the first gRPC channel of this process
        return ScalekitGateway.connect(config, running.env_url, running.client_id, running.client_secret)
    if config.ca_bundle:
        trust_ca_bundle(config.ca_bundle)
    return ScalekitGateway.connect(config)


def history_for(config: Settings) -> History:
    return History(config.database_url)
