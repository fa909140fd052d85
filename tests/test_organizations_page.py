"""The Organizations page under AppTest, on an embedded emulator with 250 organizations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import links, runtime
from dashboard.config import load_settings
from dashboard.emulator import Fault
from dashboard.store import IssuanceStore

from .apptest import app_emulator, button, open_page, rendered_text

ORGS = 250


@pytest.fixture
def big_app(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DASHBOARD_EMULATOR_ORGS", str(ORGS))
    yield app_env
    app_emulator().reset()  # app_env resets the default-sized one


def gateway():
    return runtime.gateway(load_settings(dotenv_path=None))


def settled(at):
    """Run until every onboarding status is in (the page fills them in the background)."""
    assert runtime.status_board(gateway()).wait(60)
    return at.run()


def table(at):
    return at.dataframe[0].value


def test_lists_every_organization_across_pages(big_app: Path) -> None:
    at = settled(open_page())
    assert not at.exception
    frame = table(at)
    assert len(frame) == ORGS == len(set(frame["ID"]))
    assert "Checking…" not in set(frame["SSO"])
    assert f"{ORGS} of {ORGS} organizations" in rendered_text(at)


def test_search_is_server_side(big_app: Path) -> None:
    backend = app_emulator().backend
    word = backend.list_organizations(page_size=1).items[0].display_name.split()[0]
    at = settled(open_page())
    at.text_input[0].input(word).run()
    expected = {o.id for o in backend.search_organizations(word, page_size=100).items}
    assert set(table(at)["ID"]) == expected and 0 < len(expected) < ORGS
    at.text_input[0].input("ext-that-matches-nothing").run()
    assert table(at).empty


def _statuses() -> dict:
    return runtime.status_board(gateway()).statuses()


@pytest.mark.parametrize(
    ("label", "option", "check"),
    [
        ("SSO status", "enabled", lambda s, o: s[o.id].sso == "enabled"),
        ("Directory sync", "enabled", lambda s, o: s[o.id].scim == "enabled"),
        ("Region", "EU", lambda s, o: o.region == "EU"),
    ],
)
def test_each_filter(big_app: Path, label: str, option: str, check) -> None:
    at = settled(open_page())
    [widget] = [m for m in at.multiselect if m.label == label]
    widget.select(option).run()
    orgs = gateway().list_organizations()
    statuses = _statuses()
    expected = {o.id for o in orgs if check(statuses, o)}
    assert set(table(at)["ID"]) == expected and 0 < len(expected) < ORGS


def test_has_an_active_link_filter(big_app: Path) -> None:
    store = IssuanceStore(f"sqlite:///{big_app}")
    orgs = gateway().list_organizations()[:2]
    for org in orgs:
        links.issue_link(
            gateway(),
            store,
            environment="emulator",
            organization=org,
            features=["sso"],
            operator="ana@portal.test",
        )
    at = settled(open_page())
    [box] = [c for c in at.checkbox if c.label == "Has an active link"]
    box.check().run()
    frame = table(at)
    assert set(frame["ID"]) == {o.id for o in orgs}
    assert set(frame["Last link by"]) == {"ana@portal.test"}


def test_detail_by_query_parameter(big_app: Path) -> None:
    backend = app_emulator().backend
    org_id = next(oid for oid, dirs in backend._directories.items() if dirs)
    org = backend.get_organization(org_id)
    at = open_page(org=org_id)
    assert not at.exception
    assert at.header[0].value.replace("\\", "") == org.display_name
    text = rendered_text(at)
    assert org_id in text and "Admin portal features" in text
    connections, directories, domains = (at.dataframe[i].value for i in range(3))
    assert list(connections["ID"]) == [c.id for c in backend.connections(org_id)]
    assert list(directories["Users"]) == [d.total_users for d in backend.directories(org_id)]
    assert list(domains["Domain"]) == [d.domain for d in backend.domains(org_id)]


def test_unknown_org_in_query_parameter(big_app: Path) -> None:
    at = open_page(org="org_10000000000000000")
    assert not at.exception
    assert "was not found" in at.warning[0].value


def test_settings_toggle_updates_scalekit(big_app: Path) -> None:
    org_id = app_emulator().backend.create_organization("Toggle Co").id
    at = open_page(org=org_id)
    [dir_sync] = [t for t in at.toggle if t.label == "Directory sync (SCIM)"]
    assert dir_sync.value is False
    dir_sync.set_value(True).run()
    assert app_emulator().backend.get_organization(org_id).features["dir_sync"] is True
    assert any("Enabled Directory sync" in s.value for s in at.success)


def _create(at, name: str, external_id: str = ""):
    [name_box] = [t for t in at.text_input if t.label == "Display name"]
    [ext_box] = [t for t in at.text_input if t.label == "External id (optional)"]
    name_box.input(name)
    ext_box.input(external_id)
    return button(at, "Create").click().run()


def test_create_organization_then_duplicate_and_empty_name(big_app: Path) -> None:
    at = _create(open_page(), "Initech Europe", "CRM-900")
    assert not at.exception
    created = app_emulator().backend.get_organization(external_id="CRM-900")
    assert at.query_params["org"] == created.id
    count = app_emulator().backend.organization_count
    at = _create(open_page(), "Initech Again", "CRM-900")
    assert any("already exists" in e.value for e in at.error)
    at = _create(open_page(), "   ")
    assert any("display name" in e.value for e in at.error)
    assert app_emulator().backend.organization_count == count


def test_needs_attention_ordering(big_app: Path) -> None:
    store = IssuanceStore(f"sqlite:///{big_app}")
    gw = gateway()
    settled(open_page())
    statuses = _statuses()
    not_enabled = [o for o in gw.list_organizations() if statuses[o.id].sso != "enabled"][:3]
    issued = [
        links.issue_link(
            gw, store, environment="emulator", organization=o, features=["sso"], operator="ana@portal.test"
        )
        for o in not_enabled
    ]
    # Make the second link the most urgent (expires in 10 hours) and the third expire unused.
    app_emulator().backend._links[issued[1].link.id].expire_time = dt.datetime.now(dt.UTC) + dt.timedelta(
        hours=10
    )
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE link_issuance SET expires_at = ? WHERE link_id = ?",
            ((dt.datetime.now(dt.UTC) + dt.timedelta(hours=10)).replace(tzinfo=None), issued[1].link.id),
        )
        conn.exec_driver_sql(
            "UPDATE link_issuance SET expires_at = ? WHERE link_id = ?",
            ((dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(tzinfo=None), issued[2].link.id),
        )
    at = open_page()
    attention = at.dataframe[1].value
    assert list(attention["ID"]) == [not_enabled[1].id, not_enabled[0].id, not_enabled[2].id]
    assert list(attention["Urgent"]) == [True, False, False]
    assert list(attention["Why"])[-1] == "Last link expired unused"


def test_scalekit_faults_show_a_message_not_a_traceback(big_app: Path) -> None:
    runtime.forget_listings()
    app_emulator().inject_fault(Fault(method="ListOrganization", code="RESOURCE_EXHAUSTED"))
    at = open_page()
    assert not at.exception
    assert any("rate limiting" in e.value for e in at.error)


def test_status_failures_are_reported(big_app: Path) -> None:
    app_emulator().inject_fault(Fault(method="ListConnections", code="PERMISSION_DENIED"))
    at = settled(open_page())
    assert not at.exception
    assert any("could not be fetched" in w.value and "credentials" in w.value for w in at.warning)
    assert set(table(at)["SSO"]) == {"Checking…"}
