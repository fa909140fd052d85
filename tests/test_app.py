"""The app boots under AppTest: on the embedded emulator with nothing configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from .apptest import open_page, rendered_text


def test_boots_on_the_embedded_emulator_with_no_credentials(app_env: Path) -> None:
    at = open_page()
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
    assert "SCALEKIT_CLIENT_ID is missing" in at.error[0].value
    assert "do-not-render-me" not in rendered_text(at)
