"""The Issuance stats page under AppTest: empty state, demo history, filters that agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.stats import IssuanceStats, StatsFilter
from dashboard.store import IssuanceStore

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
    assert any("No links were issued in this range" in i.value for i in at.info)
    assert charts(at) == 0 and not at.metric


@pytest.fixture
def demo(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHBOARD_DEMO_HISTORY", "1")
    return app_env


def test_demo_history_fills_the_page_and_filters_agree(demo: Path) -> None:
    at = open_page(PAGE)
    assert not at.exception
    stats = IssuanceStats(IssuanceStore(f"sqlite:///{demo}"))
    today = dt.datetime.now(dt.UTC).date()
    window = dict(
        environment="emulator",
        start=dt.datetime.combine(today - dt.timedelta(days=90), dt.time(), dt.UTC),
        end=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC),
    )
    everything = stats.kpis(StatsFilter(**window), dt.datetime.now(dt.UTC))
    assert everything.links_issued > 500  # a plausible demo history: a few thousand rows over six months
    assert metric(at, "Links issued") == f"{everything.links_issued:,}"
    assert metric(at, "Organizations reached") == f"{everything.organizations_reached:,}"
    assert charts(at) == 4
    assert any(b.label == "Download CSV" for b in at.get("download_button"))

    rep = stats.reps("emulator")[0]
    [rep_box] = [m for m in at.multiselect if m.label == "Rep"]
    rep_box.select(rep).run()
    narrowed = stats.kpis(StatsFilter(**window, reps=(rep,)), dt.datetime.now(dt.UTC))
    assert 0 < narrowed.links_issued < everything.links_issued
    assert metric(at, "Links issued") == f"{narrowed.links_issued:,}"
    assert metric(at, "Revoked") == f"{narrowed.revoked:,}"
    table = at.dataframe[0].value
    assert set(table["issued_by"]) == {rep}
    assert f"of {narrowed.links_issued:,} links" in rendered_text(at)

    [kind_box] = [m for m in at.multiselect if m.label == "Kind"]
    kind_box.select("shareable").run()
    both = stats.kpis(StatsFilter(**window, reps=(rep,), kinds=("shareable",)), dt.datetime.now(dt.UTC))
    assert metric(at, "Links issued") == f"{both.links_issued:,}"
    assert set(at.dataframe[0].value["kind"]) <= {"shareable"}
