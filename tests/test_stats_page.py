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
from dashboard.ui.stats_view import ORG_CHOICES

from .apptest import open_page, rendered_text

PAGE = "pages/issuance_stats.py"


def figures(at) -> dict[str, str]:
    """The page's figures block (Markdown tables): each header cell -> its value, bold and rate
    stripped ("**86** · 72%" -> "86")."""
    found: dict[str, str] = {}
    for block in at.markdown:
        rows = [line for line in block.value.splitlines() if line.startswith("|")]
        for header, _, values in zip(rows[0::3], rows[1::3], rows[2::3], strict=False):
            cells = zip(header.strip("|").split("|"), values.strip("|").split("|"), strict=True)
            found |= {h.strip(): v.split("·")[0].replace("**", "").strip() for h, v in cells}
    return found


def metric(at, label: str) -> str:
    return figures(at)[label]


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_an_empty_history_is_a_friendly_empty_state(app_env: Path) -> None:
    at = open_page(PAGE)
    assert not at.exception
    assert any("Nothing was issued in this range" in i.value for i in at.info)
    assert charts(at) == 0 and not figures(at)


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
    assert metric(at, "Issued (all kinds)") == f"{everything.issued:,}"
    assert metric(at, "Organizations reached") == f"{everything.organizations_reached:,}"
    assert metric(at, "Invitations issued") == f"{funnel.issued:,}"
    assert metric(at, "Opened") == f"{funnel.opened:,}"
    assert charts(at) == 4  # one per question: over time, per rep, organizations, status
    # The page draws them unvalidated (charts.spec): each must be valid Vega-Lite all the same.
    schema = load_schema()
    for element in at.get("vega_lite_chart"):
        validate_jsonschema(json.loads(element.proto.spec), schema)
    assert any(b.label == "Download CSV" for b in at.get("download_button"))
    assert not at.dataframe  # the rows on demand
    at.toggle(key="stats_table").set_value(True).run()
    assert "Preview" not in set(at.dataframe[0].value["kind"])  # previews count only when picked

    rep = stats.reps("emulator")[0]
    [rep_box] = [m for m in at.multiselect if m.label == "Rep"]
    rep_box.select(rep).run()
    narrowed = stats.kpis(StatsFilter(**window, reps=(rep,)), now)
    assert 0 < narrowed.issued < everything.issued
    assert metric(at, "Issued (all kinds)") == f"{narrowed.issued:,}"
    assert metric(at, "Revoked") == f"{narrowed.revoked:,}"
    assert set(at.dataframe[0].value["issued_by"]) == {rep}
    assert f"of {narrowed.issued:,}" in rendered_text(at)

    [kind_box] = [m for m in at.multiselect if m.label == "Kind"]
    kind_box.select("embed").run()
    previews = stats.kpis(StatsFilter(**window, reps=(rep,), kinds=("embed",)), now)
    assert metric(at, "Issued (all kinds)") == f"{previews.issued:,}"
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
    assert spec["layer"][0]["encoding"]["x"]["timeUnit"] == "yearmonthdate"  # a short range: days
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
    assert own.issued > 0 and metric(at, "Issued (all kinds)") == f"{own.issued:,}"
    at.toggle(key="stats_table").set_value(True).run()
    assert set(at.dataframe[0].value["issued_by"]) == {ana}
    created = history.activity.search("emulator", actions=["invitation_created"], limit=None)
    assert len(created) == len(
        IssuanceStats(history).rows(
            dataclasses.replace(
                mine, reps=(), kinds=("invitation",), start=mine.start - dt.timedelta(days=400)
            )
        )
    )


DURATION = r"^(under 1 min|\d+ min|\d+ h|\d+ days|—)$"


def spec_of(at, kind: str) -> dict:
    """The chart whose Vega-Lite has ``kind`` at its top ("hconcat": per rep) or whose title is
    ``kind``; with the rows Streamlit sent beside it (as Arrow) under "rows"."""
    import pyarrow as pa

    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if kind in spec or spec.get("title") == kind:
            frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in element.proto.datasets]
            return spec | {"rows": [row for f in frames for row in f.to_dict("records")]}
    raise AssertionError(f"no {kind} chart")


def test_the_charts_name_reps_count_every_bar_and_slice_and_say_durations(demo: Path) -> None:
    import re

    from dashboard.demo_history import REPS

    at = open_page(PAGE)
    assert not at.exception
    names = {name for _, name, _, _ in REPS}
    [rep_box] = [m for m in at.multiselect if m.label == "Rep"]
    assert set(rep_box.options) == names  # the directory's names, not emails
    per_rep = spec_of(at, "hconcat")
    bars = per_rep["hconcat"][0]["layer"]
    assert bars[1]["mark"]["type"] == "text" and bars[1]["encoding"]["text"]["field"] == "invitations"
    rows = [row for row in per_rep["rows"] if "to_open" in row]
    assert rows and {row["who"] for row in rows} <= names
    assert all(row["rep"].endswith("@portaldesk.example") for row in rows)  # the email, for the tooltip
    assert all(re.match(DURATION, row["to_open"]) and re.match(DURATION, row["to_sso"]) for row in rows)
    assert "0.0 h" not in json.dumps(per_rep)
    status = spec_of(at, "Status")
    assert [layer["mark"]["type"] for layer in status["layer"]] == ["arc", "text"]
    assert status["layer"][1]["encoding"]["text"]["field"] == "items"
    organizations = spec_of(at, "Top organizations")
    assert organizations["layer"][1]["encoding"]["text"]["field"] == "items"
    for label in ("Median issue → first open", "Median first open → SSO"):
        assert re.match(DURATION, metric(at, label)), metric(at, label)


def test_a_two_and_a_half_minute_open_to_sso_reads_3_min(app_env: Path) -> None:
    history = History(f"sqlite:///{app_env}")
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    opened = issued + dt.timedelta(hours=5)
    invitation = NewInvitation(
        fingerprint("quick"), "emulator", "org_1", "Org One", ("sso",), "ana@portal.test", issued,
        issued + dt.timedelta(days=7), first_opened_at=opened, last_opened_at=opened, open_count=1,
    )  # fmt: skip
    history.import_history(
        [invitation], [], [("emulator", "org_1", opened + dt.timedelta(seconds=150), "test")]
    )
    at = open_page(PAGE)
    assert not at.exception
    assert metric(at, "Median first open → SSO") == "3 min"
    assert metric(at, "Median issue → first open") == "5 h"
    [row] = [r for r in spec_of(at, "hconcat")["rows"] if "to_sso" in r]
    assert (row["to_open"], row["to_sso"]) == ("5 h", "3 min")


def _open_with(params: dict[str, list[str]]):
    from streamlit.testing.v1 import AppTest

    from .apptest import APP, listed

    listed()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(PAGE)
    for key, values in params.items():
        at.query_params[key] = values
    at.run()
    return at


def test_a_link_to_a_view_opens_that_view_and_a_change_is_kept_in_the_url(demo: Path) -> None:
    from dashboard.demo_history import REPS

    today = dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=20)
    ana, ben = REPS[0][0], REPS[1][0]
    at = _open_with(
        {"from": [start.isoformat()], "to": [today.isoformat()], "rep": [ana, ben], "kind": ["invitation"],
         "split": ["feature"], "table": ["1"]}
    )  # fmt: skip
    assert not at.exception
    assert at.date_input(key="stats_dates").value == (start, today)
    assert at.multiselect(key="stats_reps").value == [ana, ben]
    assert at.multiselect(key="stats_kinds").value == ["invitation"]
    assert at.get("button_group")[0].value == "feature"  # the split control
    assert set(at.dataframe[0].value["issued_by"]) <= {ana, ben}
    assert set(at.dataframe[0].value["kind"]) == {"Invitation"}
    at.multiselect(key="stats_kinds").select("direct").run()
    assert at.query_params["kind"] == ["invitation", "direct"]
    assert at.query_params["rep"] == [ana, ben] and at.query_params["from"] in (
        start.isoformat(),
        [start.isoformat()],
    )


def test_query_values_the_page_does_not_offer_are_ignored(demo: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    at = _open_with(
        {"from": ["2026-13-45"], "to": ["yesterday"], "rep": ["nobody@example.com"], "kind": ["secret"],
         "organization": ["org_unknown"], "feature": ["<b>x</b>"], "split": ["rep"], "table": ["yes"]}
    )  # fmt: skip
    assert not at.exception and not at.error
    assert at.date_input(key="stats_dates").value == (today - dt.timedelta(days=90), today)
    for key in ("stats_reps", "stats_orgs", "stats_kinds", "stats_features"):
        assert at.multiselect(key=key).value == []
    assert not at.dataframe
    assert "nobody@example.com" not in rendered_text(at)
    assert dict(at.query_params) == {}  # the URL says what the page shows: the default view


def test_the_organization_filter_offers_the_most_recent_and_a_link_reaches_any(app_env: Path) -> None:
    # Thousands of options cost the browser seconds at every load: the filter offers the
    # ORG_CHOICES organizations issued to most recently, and whatever a link names.
    history = History(f"sqlite:///{app_env}")
    now = dt.datetime.now(dt.UTC)
    count = ORG_CHOICES + 5
    issued = [
        NewInvitation(fingerprint(f"t{n}"), "emulator", f"org_{n:04d}", f"Company {n:04d}", ("sso",),
                      "ana", now - dt.timedelta(minutes=n), now + dt.timedelta(days=7))
        for n in range(count)
    ]  # fmt: skip
    history.import_history(issued, [], [])
    oldest = f"org_{count - 1:04d}"
    at = _open_with({"organization": [oldest]})
    assert not at.exception
    offered = at.multiselect(key="stats_orgs").options
    assert (
        len(offered) == ORG_CHOICES + 1
        and "Company 0000" in offered
        and f"Company {count - 2:04d}" not in offered
    )
    assert at.multiselect(key="stats_orgs").value == [oldest]
    assert metric(at, "Invitations issued") == "1"  # the named organization's figures
    at.multiselect(key="stats_orgs").set_value([]).run()
    assert len(at.multiselect(key="stats_orgs").options) == ORG_CHOICES
