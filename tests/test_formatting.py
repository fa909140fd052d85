"""Times for people: one date format; relative times rounded as people say them."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.formatting import absolute, ago, countdown, day

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (dt.timedelta(seconds=20), "just now"),
        (dt.timedelta(minutes=3, seconds=20), "3 minutes ago"),
        (dt.timedelta(minutes=50), "1 hour ago"),
        (dt.timedelta(hours=5, minutes=40), "6 hours ago"),
        (dt.timedelta(hours=24), "1 day ago"),
        (dt.timedelta(days=6, hours=23), "7 days ago"),
        (dt.timedelta(days=20), "3 weeks ago"),
        (dt.timedelta(days=140, hours=16), "5 months ago"),  # not "140 days 16 hours"
        (dt.timedelta(days=400), "1 year ago"),
        (dt.timedelta(days=800), "2 years ago"),
    ],
)
def test_relative_times_are_rounded_as_people_say_them(before: dt.timedelta, said: str) -> None:
    assert ago(NOW - before, NOW) == said


def test_countdowns_and_dates() -> None:
    assert countdown(NOW + dt.timedelta(days=6, hours=23), NOW) == "expires in 7 days"
    assert countdown(NOW - dt.timedelta(hours=3), NOW) == "expired 3 hours ago"
    assert countdown(None, NOW) == "no expiry reported"
    assert absolute(NOW.replace(day=5, hour=10, minute=50)) == "5 Nov 2026, 10:50 UTC"
    assert day(NOW) == "28 Nov 2026" and day(None) == "—"
    assert ago(None, NOW) == "never"
