"""Settings: live, emulator, or a clear error; secrets never in reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.config import ConfigError, load_settings

LIVE = {
    "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev/",
    "SCALEKIT_CLIENT_ID": "skc_123",
    "SCALEKIT_CLIENT_SECRET": "top-secret-value",
}


def test_no_credentials_means_the_emulator() -> None:
    settings = load_settings({}, dotenv_path=None)
    assert settings.uses_emulator
    assert settings.environment_label == "Local emulator"
    assert settings.environment_host == "emulator"


def test_all_three_mean_live_and_the_secret_stays_hidden() -> None:
    settings = load_settings(LIVE, dotenv_path=None)
    assert not settings.uses_emulator
    assert settings.environment_url == "https://acme.scalekit.dev"
    assert settings.environment_label == "acme.scalekit.dev"
    assert "top-secret-value" not in repr(settings)


@pytest.mark.parametrize("missing", sorted(LIVE))
def test_a_partial_set_names_what_is_missing(missing: str) -> None:
    partial = {k: v for k, v in LIVE.items() if k != missing}
    with pytest.raises(ConfigError, match=f"{missing} is missing") as info:
        load_settings(partial, dotenv_path=None)
    assert "top-secret-value" not in str(info.value)


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("\n".join(f"{k}={v}" for k, v in LIVE.items()) + "\nDASHBOARD_OPERATOR=ana@acme.com\n")
    settings = load_settings({"DASHBOARD_OPERATOR": "bo@acme.com"}, dotenv_path=dotenv)
    assert settings.client_id == "skc_123"
    assert settings.operator == "bo@acme.com"


def test_bad_numbers_and_plain_http_are_refused() -> None:
    with pytest.raises(ConfigError, match="SCALEKIT_CALL_TIMEOUT"):
        load_settings({"SCALEKIT_CALL_TIMEOUT": "soon"}, dotenv_path=None)
    with pytest.raises(ConfigError, match="https://"):
        load_settings({**LIVE, "SCALEKIT_ENVIRONMENT_URL": "http://acme.scalekit.dev"}, dotenv_path=None)
