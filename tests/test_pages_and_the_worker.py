"""Pages beside the worker (AppTest): Activity and Issuance stats read only the history and work
while Scalekit is unreachable, the sidebar says when a live environment is not; notifications are
listed for managers; a rep switches their own emails off; Refresh asks the worker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import runtime
from dashboard.config import load_settings
from dashboard.history import History
from dashboard.history.notifications import NewNotice

from .apptest import button, open_page, rendered_text, sweep

DEAD = "https://127.0.0.1:9"  # nothing listens on the discard port: Scalekit is unreachable


def _unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCALEKIT_ENVIRONMENT_URL", DEAD)
    monkeypatch.setenv("SCALEKIT_CLIENT_ID", "skc_test")
    monkeypatch.setenv("SCALEKIT_CLIENT_SECRET", "secret-never-shown")
    monkeypatch.setenv("SCALEKIT_CALL_TIMEOUT", "2")
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "manager")


def test_activity_and_stats_work_while_scalekit_is_unreachable(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _unreachable(monkeypatch)
    history = History(f"sqlite:///{app_env}")
    now = dt.datetime.now(dt.UTC)
    history.notifications.add(
        [
            NewNotice(
                environment="127.0.0.1:9",
                event_key="first_open:1",
                channel="team",
                recipient="",
                kind="first_open",
                title="Ashford Networks opened INV-000001",
                body="Ashford Networks's IT admin opened invitation INV-000001 (SSO), sent by ana.",
                created_at=now,
                organization_name="Ashford Networks",
            )
        ]
    )
    at = open_page("pages/activity.py", timeout=60)
    assert not at.exception
    assert at.title[0].value == "Activity"
    assert any("Live — not reachable" in m.value for m in at.sidebar.markdown)
    told = [d.value for d in at.dataframe if "Message" in d.value.columns]
    assert told and "opened invitation INV-000001" in told[0]["Message"][0]
    assert "secret-never-shown" not in rendered_text(at)
    at = open_page("pages/issuance_stats.py", timeout=60)
    assert not at.exception
    assert at.title[0].value == "Issuance stats"


def test_refresh_asks_the_worker_and_says_when_there_is_none(app_env: Path) -> None:
    at = open_page()
    button(at, "Refresh").click().run()
    assert any("worker is not running" in w.value for w in at.warning)
    sweep()  # a worker has swept (and holds the environment for its lease)
    config = load_settings(dotenv_path=None)
    history = runtime.store(config.database_url)
    at = open_page()
    button(at, "Refresh").click().run()
    state = history.sweepers.state("emulator")
    assert state is not None and state.refresh_requested_at is not None


def test_a_rep_switches_their_own_emails_off(app_env: Path, monkeypatch: pytest.MonkeyPatch, smtp) -> None:
    _inbox, port, ca_file = smtp
    monkeypatch.setenv("DASHBOARD_SMTP_URL", f"smtp://desk:mail-pass@localhost:{port}")
    monkeypatch.setenv("DASHBOARD_SMTP_FROM", "portal-desk@portal.test")
    monkeypatch.setenv("DASHBOARD_SMTP_CA_FILE", str(ca_file))
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "rep")
    at = open_page()
    [switch] = [t for t in at.sidebar.toggle if t.label == "Email me when my customers act"]
    assert switch.value is True
    switch.set_value(False).run()
    history = History(f"sqlite:///{app_env}")
    assert history.notifications.email_wanted("ana@portal.test") is False
    assert history.notifications.quiet() == {"ana@portal.test"}
