"""The Issuance stats page under AppTest: empty state, demo history, filters that agree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import load_schema

from dashboard.history import History, NewInvitation, fingerprint
from dashboard.history.stats import IssuanceStats, StatsFilter

from .apptest import open_page, rendered_text

PAGE = "pages/issuance_stats.py"


def metric(at, label: str) -> str:
    [found] = [m for m in at.metric if m.label == label]
    return found.value


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_an_empty_history_is_a_friendly_empty_state(app_env: Path) -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert any("Nothing was issued in this range" in i.value for i in at.info)
    assert charts(at) == 0 and not at.metric


@pytest.fixture
def demo(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHBOARD_DEMO_HISTORY", "1")
    return app_env


def test_demo_history_fills_the_page_and_filters_agree(demo: Path) -> None:
    at = open_page(PAGE)
    assert not at.exception
    stats = IssuanceStats(History(f"sqlite:///{demo}"))
    today = dt.datetime.now(dt.UTC).date()
    window = dict(
        environment="emulator",
        start=dt.datetime.combine(today - dt.timedelta(days=90), dt.time(), dt.UTC),
        end=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC),
    )
    now = dt.datetime.now(dt.UTC)
    everything, funnel = stats.kpis(StatsFilter(**window), now), stats.funnel_totals(StatsFilter(**window))
    assert everything.issued > 30 and funnel.opened > 0  # a plausible demo: invitations, opens, SSO
    assert metric(at, "Issued") == f"{everything.issued:,}"
    assert metric(at, "Organizations reached") == f"{everything.organizations_reached:,}"
    assert metric(at, "Invitations issued") == f"{funnel.issued:,}"
    assert metric(at, "Opened") == f"{funnel.opened:,}"
    assert charts(at) == 5
    # The page draws them unvalidated (charts.spec): each must be valid Vega-Lite all the same.
    schema = load_schema()
    for element in at.get("vega_lite_chart"):
        validate_jsonschema(json.loads(element.proto.spec), schema)
    assert any(b.label == "Download CSV" for b in at.get("download_button"))
    assert "Preview" not in set(at.dataframe[0].value["kind"])  # previews count only when picked

    rep = stats.reps("emulator")[0]
    [rep_box] = [m for m in at.multiselect if m.label == "Rep"]
    rep_box.select(rep).run()
    narrowed = stats.kpis(StatsFilter(**window, reps=(rep,)), now)
    assert 0 < narrowed.issued < everything.issued
    assert metric(at, "Issued") == f"{narrowed.issued:,}"
    assert metric(at, "Revoked") == f"{narrowed.revoked:,}"
    assert set(at.dataframe[0].value["issued_by"]) == {rep}
    assert f"of {narrowed.issued:,}" in rendered_text(at)

    [kind_box] = [m for m in at.multiselect if m.label == "Kind"]
    kind_box.select("embed").run()
    previews = stats.kpis(StatsFilter(**window, reps=(rep,), kinds=("embed",)), now)
    assert metric(at, "Issued") == f"{previews.issued:,}"
    assert set(at.dataframe[0].value["kind"]) <= {"Preview"}


def test_kept_figures_give_way_to_a_new_invitation_at_once(app_env: Path) -> None:
    history = History(f"sqlite:///{app_env}")
    now = dt.datetime.now(dt.UTC)

    def invite(n: int) -> None:
        history.invitations.create(
            NewInvitation(fingerprint(f"k{n}"), "emulator", "org_1", "Org One", ("sso",), "ana", now,
                          now + dt.timedelta(days=7))
        )  # fmt: skip

    invite(1)
    at = open_page(PAGE)
    assert metric(at, "Invitations issued") == "1"
    at.run()  # a rerun with nothing new: the kept figures
    assert metric(at, "Invitations issued") == "1"
    invite(2)
    at.run()
    assert metric(at, "Invitations issued") == "2"


def test_a_one_day_range_draws_that_day(app_env: Path) -> None:
    history = History(f"sqlite:///{app_env}")
    now = dt.datetime.now(dt.UTC)
    for n in range(3):
        history.invitations.create(
            NewInvitation(
                fingerprint(f"t{n}"),
                "emulator",
                "org_1",
                "Org One",
                ("sso",),
                "ana",
                now,
                now + dt.timedelta(days=7),
            )
        )
    at = open_page(PAGE)
    today = now.date()
    at.date_input[0].set_value((today, today)).run()
    assert not at.exception
    assert metric(at, "Invitations issued") == "3"
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0].startswith(today.isoformat()) and domain[1].startswith(
        (today + dt.timedelta(days=1)).isoformat()
    )


def test_a_demo_rep_sees_their_own_work_and_the_log_has_the_demo(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = "ana.silva@portaldesk.example"  # a rep the emulator signs in; the demo history has her work
    monkeypatch.setenv("DASHBOARD_OPERATOR", ana)
    monkeypatch.setenv("DASHBOARD_OPERATOR_ROLE", "rep")
    at = open_page(PAGE)
    assert not at.exception
    history = History(f"sqlite:///{demo}")
    today = dt.datetime.now(dt.UTC).date()
    mine = StatsFilter(
        environment="emulator",
        start=dt.datetime.combine(today - dt.timedelta(days=90), dt.time(), dt.UTC),
        end=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC),
        reps=(ana,),
    )
    own = IssuanceStats(history).kpis(mine, dt.datetime.now(dt.UTC))
    assert own.issued > 0 and metric(at, "Issued") == f"{own.issued:,}"
    assert set(at.dataframe[0].value["issued_by"]) == {ana}
    created = history.activity.search("emulator", actions=["invitation_created"], limit=None)
    assert len(created) == len(
        IssuanceStats(history).rows(
            dataclasses.replace(
                mine, reps=(), kinds=("invitation",), start=mine.start - dt.timedelta(days=400)
            )
        )
    )
