"""The app boots under AppTest: on the embedded emulator with nothing configured."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .apptest import open_page, read, rendered_text, sweep


def test_boots_on_the_embedded_emulator_with_no_credentials(app_env: Path) -> None:
    at = open_page()
    sweep()  # the worker's first listing
    at.run()
    assert not at.exception
    assert any("Local emulator" in m.value for m in at.sidebar.markdown)
    assert at.title[0].value == "Organizations"
    assert at.dataframe[0].value.shape[0] == 40
    assert "40 organizations" in at.caption[0].value


def test_partial_credentials_stop_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "https://acme.scalekit.dev")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "do-not-render-me")
    at = open_page(timeout=30)
    assert not at.exception
    assert "SCALEKIT_CLIENT_ID is missing" in read(at.error[0].value)
    assert "do-not-render-me" not in rendered_text(at)


def test_runs_against_a_configured_environment(
    emulator, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All three SCALEKIT_* set: the app talks to that environment (here a standalone emulator)."""
    for key, value in emulator.env_vars().items():
        if key.startswith("SCALEKIT_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SCALEKIT_CA_BUNDLE", str(emulator.ca_bundle_file))
    monkeypatch.setenv("DASHBOARD_DEMO_HISTORY", "1")  # demo rows are for the emulator mode only
    at = open_page()
    sweep()
    at.run()
    assert not at.exception
    host = emulator.env_url.removeprefix("https://")
    assert any(host in m.value for m in at.sidebar.markdown), [m.value for m in at.sidebar.markdown]
    assert not any("Local emulator" in m.value for m in at.sidebar.markdown)
    assert at.dataframe[0].value.shape[0] == emulator.backends.organizations.count
    assert emulator.client_secret not in rendered_text(at)
    assert not app_env.exists() or sqlite3.connect(app_env).execute(
        "SELECT (SELECT count(*) FROM link_issuance) + (SELECT count(*) FROM invitation)"
    ).fetchone() == (0,)
