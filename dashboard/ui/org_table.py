"""The Organizations list: table, filters, Needs attention, filled in as statuses arrive."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import organizations
from ..errors import PortalDeskError
from ..formatting import DATE, DATE_TIME, ago
from ..models import SCIM_STATES, SSO_LABELS, SSO_STATES, InvitationSummary, Organization
from ..organizations import Filters, StatusBoard
from ..organizations.table import SHOWN
from .feedback import show_error
from .text import md, plain

REDRAW_S = 1.5  # while statuses arrive; each redraw builds the whole table
TABLE_HEIGHT = 640  # about 17 rows: the page's height on a laptop, the rest one scroll away
COLUMN_CONFIG = {
    "Name": st.column_config.TextColumn(width="medium", pinned=True),
    "SSO": st.column_config.TextColumn(width="medium"),
    "Directory sync": st.column_config.TextColumn(width="small"),
    "Changed": st.column_config.TextColumn(width="small", help="Status changed since your last visit"),
    "Open invitations": st.column_config.NumberColumn(
        "Open inv.", format="%d", width="small", help="Invitations that can still be opened"
    ),
    "Last invitation": st.column_config.TextColumn(width="small", help="When, and by whom"),
    "Region": st.column_config.TextColumn(width="small"),
    "Created": st.column_config.DatetimeColumn(format=DATE, width="small"),
    "External ID": st.column_config.TextColumn(width="small"),
    "ID": st.column_config.TextColumn(width="medium"),
    "Invitation expires": st.column_config.DatetimeColumn(format=DATE_TIME),
    "Urgent": st.column_config.CheckboxColumn(help="Expires within 48 hours"),
}


@dataclass(frozen=True)
class ListView:
    """What the list shows beyond the organizations: whose visit, and since when."""

    board: StatusBoard
    summaries: Callable[[], dict[str, InvitationSummary]]
    since: dt.datetime | None  # the rep's previous visit: later changes are marked
    searching: bool


def filter_controls(regions: list[str]) -> Filters:
    sso, scim, region, active = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    return Filters(
        sso=sso.multiselect("SSO status", SSO_STATES, format_func=SSO_LABELS.__getitem__, placeholder="Any"),
        scim=scim.multiselect("Directory sync", SCIM_STATES, format_func=str.capitalize, placeholder="Any"),
        regions=region.multiselect("Region", regions, placeholder="Any"),
        active_link_only=active.checkbox("Has an open invitation"),
    )


def _open(frame: pd.DataFrame, event: object) -> None:
    rows = event.selection.rows if event is not None else []  # type: ignore[attr-defined]
    if rows:
        st.query_params["org"] = frame.iloc[rows[0]]["ID"]
        st.rerun(scope="app")


@functools.lru_cache(maxsize=65_536)
def _plain(value: object) -> str:
    return plain(value)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Outside text in the table's cells made plain (no bidi tricks, long values cut); the same
    names come back on every redraw, so each is made plain once."""
    outside = [c for c in ("Name", "External ID", "Last by", "Last invitation") if c in frame.columns]
    return frame.assign(**{c: frame[c].map(_plain) for c in outside})


# The last frames built, shared by every session: a redraw with nothing new (statuses, invitations,
# the minute relative times are counted in, the visit they are compared with) builds nothing.
_FRAMES: dict[tuple, pd.DataFrame] = {}


def _frame(
    orgs: list[Organization], view: ListView, links: dict[str, InvitationSummary], now: dt.datetime
) -> pd.DataFrame:
    key = (
        hash(tuple(orgs)),  # the organizations themselves: a rename is a new key
        view.board.version,
        hash(frozenset(links.items())),
        view.since,
        now.replace(second=0, microsecond=0),
    )
    frame = _FRAMES.get(key)
    if frame is None:
        frame = readable(
            organizations.organization_frame(orgs, view.board.statuses(), links, since=view.since, now=now)
        )
        if len(_FRAMES) >= 8:
            _FRAMES.pop(next(iter(_FRAMES)))
        _FRAMES[key] = frame
    return frame


def _highlight_urgent(row: pd.Series) -> list[str]:
    return ["background-color: #fde8e8" if row["Urgent"] else ""] * len(row)


def _status_line(view: ListView, shown: int, total: int, statuses: dict, filters: Filters) -> None:
    board = view.board
    waiting = board.pending
    scope = "matching the search" if view.searching else "in this environment"
    parts = [f"{shown:,} of {total:,} organizations {scope}"]
    if waiting:
        parts.append(f"checking {waiting:,} statuses")
    times = [s.fetched_at for s in statuses.values()]
    if times:
        parts.append(f"statuses as of {ago(min(times))}" + (", refreshing" if board.refreshing else ""))
    st.caption(" · ".join(parts))
    if waiting and filters.any:
        st.caption("Organizations still being checked join the filtered list as their status arrives.")
    failures = board.failures()
    if failures:
        st.warning(
            f"The status of {len(failures):,} organizations could not be fetched: "
            f"{md(next(iter(failures.values())), None)}",
            icon=":material/cloud_off:",
        )


def live_tables(orgs: list[Organization], view: ListView, filters: Filters) -> None:
    """Draw the tables now, and again while statuses are still arriving."""
    busy_at_start = view.board.refreshing or bool(view.board.pending)
    # Streamlit keeps this closure for the fragment's own reruns. During the page's full run it
    # must not rerun the app: that would wipe what the run just showed (a form's error, say).
    full_run = {"now": True}

    @st.fragment(run_every=REDRAW_S if busy_at_start else None)
    def tables() -> None:
        with organizations.foreground():  # a fragment's redraw is a page drawing too
            _tables()

    def _tables() -> None:
        statuses = view.board.statuses()
        try:
            links = view.summaries()
        except PortalDeskError as error:  # the history is unreadable: the list still shows
            show_error(error)
            links = {}
        now = dt.datetime.now(dt.UTC)
        frame = _frame(orgs, view, links, now)
        shown = organizations.apply_filters(frame, filters)
        attention = organizations.needs_attention(orgs, statuses, links, now)
        everything, todo = st.tabs(["All organizations", f"Needs attention ({len(attention)})"])
        with everything:
            _status_line(view, len(shown), len(frame), statuses, filters)
            event = st.dataframe(
                shown[SHOWN],  # the raw columns stay here: 10,000 rows cost the browser time to read
                column_order=SHOWN,
                column_config=COLUMN_CONFIG,
                hide_index=True,
                height=TABLE_HEIGHT,
                on_select="rerun",
                selection_mode="single-row",
                key="org_table",
            )
            _open(shown, event)
        with todo:
            _attention(attention)
        done = not (view.board.refreshing or view.board.pending)
        if busy_at_start and done and not full_run["now"]:
            st.rerun(scope="app")  # everything is in: one last full run, and the polling stops

    try:
        tables()
    finally:  # a run that stops or reruns inside the table has ended all the same
        full_run["now"] = False


def _attention(attention: pd.DataFrame) -> None:
    if attention.empty:
        st.caption(
            "Nothing needs attention: no invitation is out for an organization without SSO, "
            "and none expired unopened."
        )
        return
    st.caption(
        "Invitations not opened yet, soonest expiry first (red: under 48 hours); then "
        "invitations opened without SSO enabled yet; then invitations that expired unopened."
    )
    picked = st.dataframe(
        readable(attention).style.apply(_highlight_urgent, axis=1),
        column_config=COLUMN_CONFIG,
        hide_index=True,
        height=min(TABLE_HEIGHT, 38 + 35 * len(attention)),
        on_select="rerun",
        selection_mode="single-row",
        key="attention_table",
    )
    _open(attention, picked)
