"""The stats page's words and names without a page: durations as people say them, reps by the
name they signed in with, and the view a URL asks for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dashboard.activity import record_sign_in
from dashboard.charts import _labels, rep_label, say_duration
from dashboard.demo_history import REPS
from dashboard.history import History
from dashboard.history.stats import IssuanceStats
from dashboard.stats_view_state import StatsView, default_view, read_view, view_params
from scalekit_emulator.backends.identity import DEFAULT_STAFF

from .people import ANA, BEN

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (None, "—"),
        (20, "under 1 min"),
        (150, "3 min"),  # 2.5 minutes: never "0.0 h"
        (59 * 60, "59 min"),
        (2 * 3600, "2 h"),
        (35 * 3600, "35 h"),
        (4 * 86400, "4 days"),
        (60.4 * 86400, "60 days"),
    ],
)
def test_durations_read_in_the_unit_people_say(seconds: float | None, said: str) -> None:
    assert say_duration(seconds) == said


def test_reps_are_named_and_two_of_one_name_keep_their_emails() -> None:
    import pandas as pd

    names = {"a@x.test": "Sam Lee", "b@x.test": "Sam Lee", "c@x.test": "Ana Silva"}
    assert rep_label("c@x.test", names) == "Ana Silva"
    assert rep_label("d@x.test", names) == "d@x.test"  # never signed in with a name
    assert list(_labels(pd.Series(["a@x.test", "b@x.test", "c@x.test"]), names)) == [
        "Sam Lee (a@x.test)",
        "Sam Lee (b@x.test)",
        "Ana Silva",
    ]


def test_a_sign_in_keeps_the_directory_name_the_stats_show(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path / 'h.db'}")
    record_sign_in(history, ANA, "emulator", {"iat": 1_700_000_000, "iss": "https://idp.test"})
    record_sign_in(history, BEN, "emulator", {"iat": 1_700_000_100, "iss": "https://idp.test"})
    record_sign_in(history, BEN, "elsewhere", {"iat": 1_700_000_200, "iss": "https://idp.test"})
    assert IssuanceStats(history).rep_names("emulator") == {ANA.name: "Ana Silva", BEN.name: "Ben Okafor"}
    [details] = history.engine.connect().exec_driver_sql(
        "SELECT details FROM activity WHERE actor = ? AND environment = 'emulator'", (ANA.name,)
    )
    assert json.loads(details[0])["name"] == "Ana Silva"


def test_every_demo_rep_can_sign_in_on_the_emulator_under_that_name() -> None:
    staff = {person.email: (person.name, person.roles) for person in DEFAULT_STAFF}
    for email, name, role, _ in REPS:
        assert staff[email] == (name, (role,))


def _params(values: dict[str, list[str]]):
    return lambda key: values.get(key, [])


def test_a_view_survives_its_url() -> None:
    view = StatsView(
        TODAY - dt.timedelta(days=10),
        TODAY,
        reps=("a@x.test",),
        organizations=("org_1", "org_2"),
        kinds=("embed",),
        features=("dir_sync",),
        split="feature",
        table=True,
    )
    params = {k: v if isinstance(v, list) else [v] for k, v in view_params(view, TODAY).items()}
    assert read_view(_params(params), ["a@x.test", "b@x.test"], ["org_1", "org_2"], TODAY) == view
    assert view_params(default_view(TODAY), TODAY) == {}  # the default view: a clean URL


def test_values_the_page_does_not_offer_are_dropped() -> None:
    asked = {
        "from": ["2026-11-30"],
        "to": ["2027-01-01"],  # after today
        "rep": ["a@x.test", "evil@x.test", "a@x.test"],
        "organization": ["org_9"],
        "kind": ["embed", "nope"],
        "feature": ["sso", "<script>"],
        "split": ["org"],
        "table": ["true"],
    }
    view = read_view(_params(asked), ["a@x.test"], ["org_1"], TODAY)
    assert view == StatsView(
        default_view(TODAY).start, TODAY, reps=("a@x.test",), kinds=("embed",), features=("sso",)
    )
