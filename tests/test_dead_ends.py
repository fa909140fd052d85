"""No dead ends (AppTest): whoever cannot act, or cannot open a page, is told why and what would
let them, in the main area (on a phone the sidebar starts closed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .apptest import button, open_page


def test_nobody_named_on_the_emulator_is_told_where_to_type_a_name(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    for page in (None, "pages/share_link.py", "pages/issuance_stats.py"):
        at = open_page(page)
        assert not at.exception
        assert any("Your name or email" in i.value and "sidebar" in i.value for i in at.main.info), page


def test_a_live_environment_with_nobody_named_says_exactly_what_to_set(
    emulator, app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in emulator.env_vars().items():
        if key.startswith("SCALEKIT_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("SCALEKIT_CA_BUNDLE", str(emulator.ca_bundle_file))
    monkeypatch.delenv("DASHBOARD_OPERATOR")
    org = emulator.backends.organizations.listing(page_size=1).items[0].id
    at = open_page("pages/share_link.py", org=org)
    assert not at.exception
    [hint] = [i.value for i in at.main.info if i.value.startswith("Read-only")]
    assert "`DASHBOARD_OPERATOR`" in hint and "`[auth]`" in hint and ".streamlit/secrets.toml" in hint
    create = button(at, "Create invitation")
    assert create.disabled and "`DASHBOARD_OPERATOR`" in (create.help or "")
    assert not any("Sign in (or tell" in i.value for i in at.info)


def test_a_rep_who_types_the_activity_address_is_told_who_can_read_it(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "rep")
    at = open_page("pages/activity.py")
    assert not at.exception
    assert at.title[0].value == "Activity"  # not Organizations
    [refused] = [i.value for i in at.main.info if "activity log" in i.value]
    assert "Your role (rep) cannot read the activity log: it takes a manager or above" in refused
