"""The app boots under AppTest: on the embedded emulator with nothing configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import runtime

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


TEXT_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "text",
    "code",
    "exception",
)


def rendered_text(at: AppTest) -> str:
    """Everything a person could read on the page, for "never rendered" checks."""
    return "\n".join(str(getattr(e, "value", "")) for kind in TEXT_ELEMENTS for e in at.get(kind))


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    runtime.clear()
    yield
    runtime.clear()


def test_boots_on_the_embedded_emulator_with_no_credentials() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("Local emulator" in m.value for m in at.sidebar.markdown)
    assert at.title[0].value == "Organizations"
    assert at.dataframe[0].value.shape[0] == 40
    assert "40 organizations" in at.caption[0].value


def test_partial_credentials_stop_with_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", "https://acme.scalekit.dev")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "do-not-render-me")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "SCALEKIT_CLIENT_ID is missing" in at.error[0].value
    assert "do-not-render-me" not in rendered_text(at)
