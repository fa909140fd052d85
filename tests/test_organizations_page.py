"""The Organizations page under AppTest, on an embedded emulator with 250 organizations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import invitations, runtime
from dashboard.config import load_settings
from dashboard.history import History, NewInvitation, fingerprint
from dashboard.organizations import owners
from dashboard.ui.text import md
from scalekit_emulator import Fault

from .apptest import APP, app_emulator, button, open_page, rendered_text, sweep
from .people import ANA, BEN, BO

ORGS = 250


@pytest.fixture
def big_app(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DASHBOARD_EMULATOR_ORGS", str(ORGS))
    yield app_env
    app_emulator().control.reset()  # app_env resets the default-sized one


def gateway():
    return runtime.gateway(load_settings(dotenv_path=None))


def settled(at):
    """The worker lists every organization and status into the history; the page shows them."""
    sweep()
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


def test_search_is_server_side_and_short_queries_filter_locally(big_app: Path) -> None:
    orgs = gateway().list_organizations()
    word = orgs[0].display_name.split()[0]
    at = settled(open_page())
    at.text_input[0].input(word).run()
    expected = {o.id for o in gateway().search_organizations(word)}
    assert set(table(at)["ID"]) == expected and 0 < len(expected) < ORGS
    at.text_input[0].input("ext-that-matches-nothing").run()
    assert table(at).empty
    # Two characters: under Scalekit's minimum of three, so the page filters what it has.
    at.text_input[0].input(word[:2]).run()
    assert not at.exception and not at.error
    assert set(table(at)["ID"]) == {
        o.id
        for o in orgs
        if word[:2].lower() in o.display_name.lower()
        or (o.external_id or "").lower().startswith(word[:2].lower())
    }


def _statuses() -> dict:
    config = load_settings(dotenv_path=None)
    return runtime.store(config.database_url).statuses.load("emulator")


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


def test_has_an_open_invitation_filter(big_app: Path) -> None:
    history = History(f"sqlite:///{big_app}")
    orgs = [o for o in gateway().list_organizations() if o.sso_feature][:2]
    for org in orgs:
        invitations.create(
            gateway(),
            history,
            environment="emulator",
            relay_url="https://relay.test",
            organization=org,
            features=["sso"],
            days=7,
            operator=ANA,
        )
    at = settled(open_page())
    [box] = [c for c in at.checkbox if c.label == "Has an open invitation"]
    box.check().run()
    frame = table(at)
    assert set(frame["ID"]) == {o.id for o in orgs}
    assert set(frame["Last by"]) == {"ana"} and frame["Last invitation"].notna().all()  # by whom, when


def test_detail_by_query_parameter(big_app: Path) -> None:
    env = app_emulator().backends.env
    org_id = next(d.organization_id for d in env.directories.values())
    org = env.orgs[org_id]
    at = open_page(org=org_id)
    assert not at.exception
    assert at.header[0].value.replace("\\", "") == org.display_name
    text = rendered_text(at)
    assert md(org_id) in text and "Admin portal features" in text
    connections, directories, domains = (at.dataframe[i].value for i in range(3))
    assert list(connections["ID"]) == [c.id for c in env.of_org(env.connections, env.org_connections, org_id)]
    assert list(directories["Users"]) == [
        d.total_users for d in env.of_org(env.directories, env.org_directories, org_id)
    ]
    assert list(domains["Domain"]) == [d.domain for d in env.of_org(env.domains, env.org_domains, org_id)]


def test_unknown_org_in_query_parameter(big_app: Path) -> None:
    at = open_page(org="org_10000000000000000")
    assert not at.exception
    assert "was not found" in at.warning[0].value


def test_settings_toggle_updates_scalekit(big_app: Path) -> None:
    org_id = gateway().create_organization("Toggle Co").id
    at = open_page(org=org_id)
    [dir_sync] = [t for t in at.toggle if t.label == "Directory sync (SCIM)"]
    assert dir_sync.value is True  # new organizations have both features on
    dir_sync.set_value(False).run()
    assert gateway().get_organization(org_id).dir_sync_feature is False
    assert any("Disabled Directory sync" in s.value for s in at.success)


def _create(at, name: str, external_id: str = ""):
    [name_box] = [t for t in at.text_input if t.label == "Display name"]
    [ext_box] = [t for t in at.text_input if t.label == "External id (optional)"]
    name_box.input(name)
    ext_box.input(external_id)
    return button(at, "Create").click().run()


def test_create_organization_then_duplicate_and_empty_name(big_app: Path) -> None:
    at = _create(open_page(), "Initech Europe", "CRM-900")
    assert not at.exception
    created = app_emulator().backends.organizations.get(external_id="CRM-900")
    assert at.query_params["org"] == created.id
    count = app_emulator().backends.organizations.count
    at = _create(open_page(), "Initech Again", "CRM-900")
    orgs_now = app_emulator().backends.organizations.count
    shown = [e.value for e in at.error], at.query_params.get("org"), orgs_now
    assert any("already exists" in e.value for e in at.error), shown  # what the page did instead
    at = _create(open_page(), "   ")
    assert any("display name" in e.value for e in at.error)
    assert app_emulator().backends.organizations.count == count


def test_needs_attention_ordering(big_app: Path) -> None:
    history = History(f"sqlite:///{big_app}")
    settled(open_page())
    statuses = _statuses()
    not_enabled = [o for o in gateway().list_organizations() if statuses[o.id].sso != "enabled"][:3]
    now = dt.datetime.now(dt.UTC)
    # A week left; ten hours left (urgent); expired yesterday, never opened.
    for n, (org, expires) in enumerate(zip(not_enabled, (7 * 24, 10, -24), strict=True)):
        history.invitations.create(
            NewInvitation(
                fingerprint(f"t{n}"),
                "emulator",
                org.id,
                org.display_name,
                ("sso",),
                "ana",
                now - dt.timedelta(days=8),
                now + dt.timedelta(hours=expires),
            )
        )
    at = open_page()
    attention = at.dataframe[1].value
    assert list(attention["ID"]) == [not_enabled[1].id, not_enabled[0].id, not_enabled[2].id]
    assert list(attention["Urgent"]) == [True, False, False]
    assert list(attention["Why"])[-1] == "Last invitation expired unopened"


def test_scalekit_faults_show_a_message_not_a_traceback(big_app: Path) -> None:
    settled(open_page())
    app_emulator().control.inject_fault(Fault(method="SearchOrganization", code="RESOURCE_EXHAUSTED"))
    at = open_page()
    at.text_input[0].input("Sequoia").run()
    assert not at.exception
    assert any("rate limiting" in e.value for e in at.error)


def test_status_failures_are_reported(big_app: Path) -> None:
    app_emulator().control.inject_fault(Fault(method="ListDirectories", code="PERMISSION_DENIED"))
    at = settled(open_page())
    assert not at.exception
    assert any("could not refresh everything" in w.value and "does not let" in w.value for w in at.warning)
    assert set(table(at)["Directory sync"]) == {"Checking…"}


def test_the_page_reads_the_history_and_never_lists_scalekit_itself(big_app: Path) -> None:
    """Without a worker the page says so, and lists nothing itself; once the worker has listed,
    the page shows it, and a status the worker writes later shows on the next redraw."""
    app_emulator().control.inject_fault(Fault(method="ListOrganization", code="UNAVAILABLE"))
    at = open_page(listing=False)
    assert not at.exception and not at.dataframe
    assert any("worker is not running" in w.value for w in at.warning)
    app_emulator().control.clear_faults()
    at = settled(at)
    frame = table(at)
    assert len(frame) == ORGS
    org_id = frame["ID"].iloc[0]
    config = load_settings(dotenv_path=None)
    history = runtime.store(config.database_url)
    before = history.statuses.load("emulator")[org_id]
    history.statuses.save("emulator", [dataclasses.replace(before, sso="enabled", sso_provider="Okta",
                                                           fetched_at=dt.datetime.now(dt.UTC))])  # fmt: skip
    at.run()  # what the fragment's next redraw does
    assert table(at).set_index("ID").loc[org_id, "SSO"] == "Enabled · Okta"


def _at_address(**params: str | list[str]) -> AppTest:
    """The page opened from an address with these query parameters, as a reload or a shared
    link opens it (the worker has listed and checked every organization)."""
    sweep()
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _widget(widgets, label: str):
    [found] = [w for w in widgets if w.label == label]
    return found


def test_filters_come_from_the_address_and_values_that_are_no_option_are_ignored(app_env: Path) -> None:
    at = _at_address(sso=["Enabled", "Bogus"], region=["EU", "Mars"], scim="Sometimes", open="maybe")
    assert not at.exception and not at.error
    assert _widget(at.multiselect, "SSO status").value == ["enabled"]
    assert _widget(at.multiselect, "Region").value == ["EU"]
    assert _widget(at.multiselect, "Directory sync").value == []
    assert _widget(at.checkbox, "Has an open invitation").value is False
    statuses = _statuses()
    expected = {
        o.id for o in gateway().list_organizations() if statuses[o.id].sso == "enabled" and o.region == "EU"
    }
    assert set(table(at)["ID"]) == expected and expected

    word = gateway().list_organizations()[0].display_name.split()[0]
    at = _at_address(q=word, open="true")
    assert at.text_input[0].value == word and _widget(at.checkbox, "Has an open invitation").value is True
    assert table(at).empty  # nobody has invited anyone yet


def test_my_organizations_and_the_mine_count(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "rep")
    history = History(f"sqlite:///{app_env}")
    sweep()
    statuses = _statuses()
    orgs = [o for o in gateway().list_organizations() if statuses[o.id].sso != "enabled" and o.sso_feature]
    mine_invited, handed, bens = orgs[:3]
    for org, rep in ((mine_invited, ANA), (bens, BEN)):
        invitations.create(gateway(), history, environment="emulator", relay_url="https://relay.test",
                           organization=org, features=["sso"], days=7, operator=rep)  # fmt: skip
    owners.set_owner(history, BO, environment="emulator", organization=handed, owner=ANA.name)
    at = _at_address(mine="true")
    assert not at.exception and _widget(at.toggle, "My organizations").value is True
    assert set(table(at)["ID"]) == {mine_invited.id, handed.id}
    assert set(table(at)["Owner"]) == {"ana"}
    attention = at.dataframe[1].value
    assert set(attention["ID"]) == {mine_invited.id, bens.id}  # Needs attention lists everyone's
    assert any("**2** need attention · **1** mine" in m.value for m in at.markdown)


def test_a_rep_takes_ownership_on_the_detail_and_a_viewer_cannot(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "rep")
    org = gateway().list_organizations()[0]
    at = open_page(org=org.id)
    assert any("Owner: nobody yet" in m.value for m in at.markdown)
    at = button(at, "Take ownership").click().run()
    assert not at.exception
    history = History(f"sqlite:///{app_env}")
    assert history.owners.of("emulator", org.id) == "ana@portal.test"
    assert [a.actor for a in history.activity.search("emulator", actions=["owner_set"])] == [
        "ana@portal.test"
    ]
    assert any("now owns" in s.value for s in at.success)
    button(at, "Give up ownership")  # and nothing else: taking it again makes no sense

    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "viewer")
    at = open_page(org=org.id)
    assert any(md("ana@portal.test", 120) in m.value for m in at.markdown)
    assert not [b for b in at.button if "ownership" in b.label]
