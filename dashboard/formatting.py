"""Text for people: times and countdowns. (Outside text goes through ``dashboard.ui.text``.)"""

from __future__ import annotations

import datetime as dt


def absolute(moment: dt.datetime | None) -> str:
    """``Sat 5 Dec 2026, 10:50 UTC``."""
    if moment is None:
        return "never"
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%a} {utc.day} {utc:%b %Y, %H:%M} UTC"


def _span(delta: dt.timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    if not days and not hours:
        parts = [(minutes, "minute")] if minutes else [(seconds, "second")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words) or "0 seconds"


def countdown(expires_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``expires in 6 days 23 hours`` / ``expired 3 hours ago``, from the API's expire_time."""
    if expires_at is None:
        return "no expiry reported"
    delta = expires_at - (now or dt.datetime.now(dt.UTC))
    if delta.total_seconds() <= 0:
        return f"expired {_span(delta)} ago"
    return f"expires in {_span(delta)}"


def ago(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if moment is None:
        return "never"
    delta = (now or dt.datetime.now(dt.UTC)) - moment
    return "just now" if delta.total_seconds() < 60 else f"{_span(delta)} ago"
