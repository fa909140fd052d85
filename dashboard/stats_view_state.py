"""The Issuance stats page's view as its URL keeps it: filters, the chart's split and the table,
so a reload keeps them and a link sent to a manager opens the same view. No Streamlit here.

Only what differs from the default view is written (the default range stays "the last 90
days", whenever the link is opened). A value the URL holds that is not a choice the page offers
(an unknown rep, a malformed date, a kind that does not exist) is ignored, never an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .models import FEATURE_LABELS, LINK_KINDS

DEFAULT_DAYS = 90
SPLITS = ("kind", "feature")


@dataclass(frozen=True)
class StatsView:
    start: dt.date
    end: dt.date  # inclusive
    reps: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    split: str = "kind"
    table: bool = False


def default_view(today: dt.date) -> StatsView:
    return StatsView(today - dt.timedelta(days=DEFAULT_DAYS), today)


def _date(values: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(values[-1]) if values else None
    except ValueError:
        return None


def _known(values: Iterable[str], offered: Iterable[str]) -> tuple[str, ...]:
    allowed = set(offered)
    return tuple(dict.fromkeys(v for v in values if v in allowed))


def read_view(
    get_all: Callable[[str], list[str]], reps: Iterable[str], organizations: Iterable[str], today: dt.date
) -> StatsView:
    """The view a URL asks for (``get_all``: ``st.query_params.get_all``), each value checked
    against what the page offers."""
    default = default_view(today)
    start, end = _date(get_all("from")), _date(get_all("to"))
    if start is None or end is None or not start <= end <= today:
        start, end = default.start, default.end
    split = get_all("split")
    return StatsView(
        start=start,
        end=end,
        reps=_known(get_all("rep"), reps),
        organizations=_known(get_all("organization"), organizations),
        kinds=_known(get_all("kind"), LINK_KINDS),
        features=_known(get_all("feature"), FEATURE_LABELS),
        split=split[-1] if split and split[-1] in SPLITS else default.split,
        table=get_all("table")[-1:] == ["1"],
    )


def view_params(view: StatsView, today: dt.date) -> dict[str, str | list[str]]:
    """The query parameters for ``view``: only what differs from the default view."""
    default = default_view(today)
    params: dict[str, str | list[str]] = {}
    if (view.start, view.end) != (default.start, default.end):
        params |= {"from": view.start.isoformat(), "to": view.end.isoformat()}
    lists: Mapping[str, tuple[str, ...]] = {
        "rep": view.reps,
        "organization": view.organizations,
        "kind": view.kinds,
        "feature": view.features,
    }
    params |= {key: list(values) for key, values in lists.items() if values}
    if view.split != default.split:
        params["split"] = view.split
    if view.table:
        params["table"] = "1"
    return params
