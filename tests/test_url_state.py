"""Shareable views (AppTest): the Activity, Share link and Portal preview pages keep their filters
and organization in the address, so a reload or a link someone sent opens the same view; a value
that makes no sense there is dropped without a word of error. Never a link or a token."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from .apptest import APP, app_emulator, button, listed, open_page

ACTIVITY, SHARE, PREVIEW = "pages/activity.py", "pages/share_link.py", "pages/portal_preview.py"


def opened(page: str, **params: str | list[str]) -> AppTest:
    """A fresh browser session opening ``page`` at an address with ``params``."""
    listed()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def an_org() -> str:
    page = app_emulator().backends.organizations.listing(page_size=100)
    return next(o.id for o in page.items if all(o.features.values()))


def test_the_activity_filters_come_from_the_address(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "manager")
    org = an_org()
    button(open_page(SHARE, org=org), "Create invitation").click().run()  # one action, by ana
    today = dt.datetime.now(dt.UTC).date()
    week = [str(today - dt.timedelta(days=7)), str(today)]
    at = opened(ACTIVITY, between=week, who="ana@portal.test", action="Invitation created", organization=org)
    [when] = at.date_input
    assert when.value == (today - dt.timedelta(days=7), today)
    assert [m.value for m in at.multiselect] == [["ana@portal.test"], ["invitation_created"]]
    assert [t.value for t in at.text_input if t.label == "Organization id"] == [org]
    assert list(at.dataframe[0].value["Action"]) == ["Invitation created"]
    # The browser writes a changed filter back into the address: tests/browser/test_views_browser.py.


def test_nonsense_in_the_activity_address_is_ignored(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "manager")
    at = opened(
        ACTIVITY,
        between=["yesterday", "2999-01-01"],
        who="mallory@evil.test",
        action="drop_tables",
        organization="<img src=x>",
        view="Secrets",
    )
    assert not at.error
    assert [m.value for m in at.multiselect] == [[], []]
    assert "Not an organization id" in " ".join(c.value for c in at.caption)
    assert "mallory" not in str(dict(at.query_params)) and "drop_tables" not in str(dict(at.query_params))


def test_the_portal_preview_keeps_its_organization_features_and_height(app_env: Path) -> None:
    org = an_org()
    at = opened(PREVIEW, org=org, features="SSO", height="900")  # labels, as the browser writes them
    assert at.selectbox[0].value == org
    assert at.segmented_control[0].value == ["sso"]
    assert at.slider[0].value == 900
    address = str(dict(at.query_params))  # the embedded link's location is not in it
    assert "magicLink" not in address and "://" not in address
    at = opened(PREVIEW, org=org, features="everything", height="a lot")
    assert set(at.segmented_control[0].value) == {"sso", "dir_sync"} and at.slider[0].value == 700


def test_the_share_link_page_keeps_its_organization(app_env: Path) -> None:
    org = an_org()
    at = opened(SHARE, org=org)
    assert at.selectbox[0].value == org
    button(at, "Create invitation").click().run()
    assert dict(at.query_params) == {"org": org}  # the invitation's URL never goes in the address
