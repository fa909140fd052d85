"""Text for people: dates, times and relative times, one way everywhere. (Outside text goes
through ``dashboard.ui.text``.)

One date format, in Python and in tables (Streamlit's DatetimeColumn takes moment.js patterns):
``5 Dec 2026, 10:50`` in UTC. Relative times are rounded as people say them: "3 hours ago",
"in 6 days", "4 months ago", never "140 days 16 hours".
"""

from __future__ import annotations

import datetime as dt

DATE_TIME = "D MMM YYYY, HH:mm"  # for st.column_config.DatetimeColumn
DATE = "D MMM YYYY"


def absolute(moment: dt.datetime | None) -> str:
    """``5 Dec 2026, 10:50 UTC``."""
    if moment is None:
        return "never"
    utc = moment.astimezone(dt.UTC)
    return f"{utc.day} {utc:%b %Y, %H:%M} UTC"


def day(moment: dt.datetime | None) -> str:
    """``5 Dec 2026``."""
    if moment is None:
        return "—"
    utc = moment.astimezone(dt.UTC)
    return f"{utc.day} {utc:%b %Y}"


# (below this many seconds, say it in this unit of this many seconds): the thresholds people
# use (after moment.js's): 45 minutes is "1 hour", 22 hours "1 day", 320 days "1 year".
_UNITS = (
    (45 * 60, "minute", 60),
    (22 * 3600, "hour", 3600),
    (int(13.5 * 86400), "day", 86400),
    (50 * 86400, "week", 7 * 86400),
    (320 * 86400, "month", int(30.44 * 86400)),
    (None, "year", int(365.25 * 86400)),
)


def span(delta: dt.timedelta) -> str:
    """``6 days``, ``1 hour``, ``4 months``: the largest sensible unit, rounded."""
    seconds = abs(delta.total_seconds())
    if seconds < 45:
        return "a few seconds"
    for below, unit, size in _UNITS:
        if below is None or seconds < below:
            n = max(1, round(seconds / size))
            return f"{n} {unit}{'' if n == 1 else 's'}"
    raise AssertionError("the last unit has no bound")


def countdown(expires_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``expires in 6 days`` / ``expired 3 hours ago``, from the API's expire_time."""
    if expires_at is None:
        return "no expiry reported"
    delta = expires_at - (now or dt.datetime.now(dt.UTC))
    if delta.total_seconds() <= 0:
        return f"expired {span(delta)} ago"
    return f"expires in {span(delta)}"


def ago(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if moment is None:
        return "never"
    delta = (now or dt.datetime.now(dt.UTC)) - moment
    return "just now" if delta.total_seconds() < 45 else f"{span(delta)} ago"
