"""The Organizations list: table, filters and Needs attention, redrawn when the history changes.

The worker writes every listing and status into the history; this list reads it. A fragment asks
the history's board version every few seconds (one short query) and rebuilds the table only when
it moved; an unchanged table is the same message, which the browser already holds, so nothing
large is sent again.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from .. import organizations, runtime
from ..config import Settings
from ..errors import PortalDeskError
from ..formatting import DATE, DATE_TIME, ago
from ..history import History
from ..models import SCIM_LABELS, SCIM_STATES, SSO_LABELS, SSO_STATES, Operator
from ..organizations import Background, Board, Filters
from ..organizations.export import attention_csv
from ..organizations.table import ATTENTION_SHOWN, SHOWN
from ..permissions import reason
from .feedback import last_resort, show_error
from .text import md, plain

REDRAW_S = 2.0  # how often an open page looks for news: one version query per session
TABLE_HEIGHT = 640  # about 17 rows: the page's height on a laptop, the rest one scroll away
# Widths in pixels, so that at 1,280 px (sidebar open) the columns a rep reads first (name, SSO,
# directory sync, the last invitation, its state, whose) fit without scrolling; the ids, which
# name rather than tell, come last and are in the detail view anyway.
COLUMN_CONFIG = {
    "New": st.column_config.TextColumn("", width=26, help="Changed while you had this page open"),
    "Name": st.column_config.TextColumn(width=170, pinned=True),
    "SSO": st.column_config.TextColumn(width=160),
    "Directory sync": st.column_config.TextColumn(width=130),
    "Last invitation": st.column_config.DatetimeColumn(format="distance", width=110),
    "Invitation": st.column_config.TextColumn(width=118, help="Where the last invitation stands"),
    "Owner": st.column_config.TextColumn(
        width=90, help="Set on the organization's page; until then, whoever sent its last invitation"
    ),
    "Changed": st.column_config.DatetimeColumn(
        format="distance", width=100, help="Status changed since your last visit"
    ),
    "Open invitations": st.column_config.NumberColumn(
        "Open inv.", format="%d", width=75, help="Invitations that can still be opened"
    ),
    "Last by": st.column_config.TextColumn(width=90),
    "Region": st.column_config.TextColumn(width=65),
    "Created": st.column_config.DatetimeColumn(format=DATE, width=100),
    "External ID": st.column_config.TextColumn(width=110),
    "ID": st.column_config.TextColumn(width=170),
    "Why": st.column_config.TextColumn(width=204),
    "Invitation expires": st.column_config.DatetimeColumn("Expires", format=DATE_TIME, width=130),
    "When": st.column_config.TextColumn(width=124),
    "Urgent": st.column_config.CheckboxColumn(width=60, help="Expires within 48 hours"),
}
# The page's filters and tab live in the address (Streamlit's query-parameter binding): a reload
# keeps them, and a link shows a colleague the same view. Values that are not options are dropped.
TABS = ("All organizations", "Needs attention")
NOBODY = Operator(None)


@dataclass(frozen=True)
class ListView:
    """Whose list, since when, and what the rep searched for."""

    config: Settings
    history: History
    since: dt.datetime | None  # the rep's previous visit: later changes are marked
    opened_at: dt.datetime  # this visit: changes after it are marked as new
    matches: tuple[str, ...] | None  # ids a search found, in its order; None: no search
    operator: Operator = NOBODY  # whose "mine", and who may export

    @property
    def me(self) -> str | None:
        return self.operator.name if self.operator.known else None


def filter_controls(regions: list[str], me: str | None) -> Filters:
    """The filters, each in the address. Chosen values wrap onto more lines, never cut short."""
    sso, scim, region, boxes = st.columns([3.2, 2.6, 1.8, 2.4], vertical_alignment="bottom")
    mine = boxes.toggle(
        "My organizations",
        key="mine",
        disabled=me is None,
        help="The ones you own (or, with no owner set, sent the last invitation to)"
        if me
        else "Sign in to see the organizations you own.",
        bind="query-params",
    )
    return Filters(
        sso=sso.multiselect(
            "SSO status",
            SSO_STATES,
            format_func=SSO_LABELS.__getitem__,
            placeholder="Any",
            key="sso",
            wrap=True,
            bind="query-params",
        ),
        scim=scim.multiselect(
            "Directory sync",
            SCIM_STATES,
            format_func=SCIM_LABELS.__getitem__,
            placeholder="Any",
            key="scim",
            wrap=True,
            bind="query-params",
        ),
        regions=region.multiselect(
            "Region", regions, placeholder="Any", key="region", wrap=True, bind="query-params"
        ),
        active_link_only=boxes.checkbox("Has an open invitation", key="open", bind="query-params"),
        owner=me if mine and me else None,
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
    outside = [c for c in ("Name", "External ID", "Last by", "Owner") if c in frame.columns]
    return frame.assign(**{c: frame[c].map(_plain) for c in outside})


@st.cache_resource(show_spinner=False, max_entries=4)
def _base(version: tuple[object, ...], _board: Board) -> pd.DataFrame:
    """The whole table for one board version, before anyone's marks: built once, shared by every
    redraw and session."""
    return readable(
        organizations.table.base_frame(
            _board.organizations, _board.statuses, _board.summaries, _board.owners, _board.read_at
        )
    )


@dataclass(frozen=True)
class _Drawn:
    """What this session drew last: redrawn with no news, the same Arrow table goes out again
    (serializing 10,000 rows anew costs tens of milliseconds a redraw)."""

    key: tuple[Any, ...]
    shown: pd.DataFrame
    arrow: pa.Table
    columns: list[str]


def _drawn(view: ListView, board: Board, filters: Filters) -> _Drawn:
    key = (board.version, view.since, view.opened_at, filters, view.matches)
    kept = st.session_state.get(_DRAWN)
    if isinstance(kept, _Drawn) and kept.key == key:
        return kept
    frame = organizations.table.mark_changes(_base(board.version, board), view.since, view.opened_at)
    shown = organizations.apply_filters(_matching(frame, view.matches), filters)
    columns = _columns(frame)
    drawn = _Drawn(key, shown, pa.Table.from_pandas(shown[columns], preserve_index=False), columns)
    st.session_state[_DRAWN] = drawn
    return drawn


_DRAWN = "organizations_drawn"


def _columns(frame: pd.DataFrame) -> list[str]:
    """The shown columns; "New" and "Changed" only when some row has one (an empty column of
    "None" says nothing and takes the room of one that does)."""
    empty = {"New"} if not (frame["New"] != "").any() else set()
    if frame["Changed"].isna().all():
        empty.add("Changed")
    return [c for c in SHOWN if c not in empty]


def _highlight_urgent(row: pd.Series) -> list[str]:
    return ["background-color: #fde8e8" if row["Urgent"] else ""] * len(row)


def _mine(view: ListView, attention: pd.DataFrame) -> int:
    return int((attention["owner"] == view.me).sum()) if view.me and not attention.empty else 0


def _status_line(
    view: ListView, board: Board, background: Background, shown: int, attention: pd.DataFrame
) -> None:
    scope = "matching the search" if view.matches is not None else "in this environment"
    parts = [f"{shown:,} of {len(board.organizations):,} organizations {scope}"]
    if len(attention):
        parts.append(
            f"{len(attention):,} need attention" + (f" ({_mine(view, attention):,} yours)" if view.me else "")
        )
    checking = sum(1 for org in board.organizations if org.id not in board.statuses)
    if checking:
        parts.append(f"checking {checking:,} statuses")
    if background.statuses_as_of is not None:
        parts.append(
            f"statuses as of {ago(background.statuses_as_of)}"
            + (", refreshing" if background.refreshing else "")
        )
    elif background.refreshing:
        parts.append("statuses on the way")
    st.caption(" · ".join(parts))
    if background.problem:
        st.warning(
            f"Portal Desk's worker could not refresh everything: {md(background.problem, 300)}",
            icon=":material/cloud_off:",
        )
    if not background.alive:
        st.warning(
            "Portal Desk's worker is not running, so statuses are as last seen and nothing new arrives. "
            "Start it with `make worker` (`make run` starts it for you).",
            icon=":material/sync_disabled:",
        )


def _matching(frame: pd.DataFrame, matches: tuple[str, ...] | None) -> pd.DataFrame:
    if matches is None:
        return frame
    order = {org_id: n for n, org_id in enumerate(matches)}
    found = frame[frame["ID"].isin(order)]
    return found.iloc[found["ID"].map(order).argsort()]


def live_tables(view: ListView, filters: Filters) -> None:
    """Draw the tables, and again whenever the history says something changed."""

    @st.fragment(run_every=REDRAW_S)
    def tables() -> None:
        with last_resort("The organizations table failed"):
            _tables()

    def _tables() -> None:
        try:
            board = runtime.board(view.config, view.history)
            background = runtime.background(view.config, view.history)
        except PortalDeskError as error:  # the history is unreadable: say so, try again next time
            show_error(error)
            return
        if not board.listed:
            _waiting(background)
            return
        drawn = _drawn(view, board, filters)
        attention = organizations.needs_attention(
            board.organizations, board.statuses, board.summaries, board.read_at, board.owners
        )
        # Labels without counts: the tab's label is its value in the address.
        everything, todo = st.tabs(list(TABS), key="view", bind="query-params")
        with everything:
            _status_line(view, board, background, len(drawn.shown), attention)
            event = st.dataframe(
                drawn.arrow,  # the raw columns stay out: 10,000 rows cost the browser time to read
                column_order=drawn.columns,
                column_config=COLUMN_CONFIG,
                hide_index=True,
                height=min(TABLE_HEIGHT, 38 + 35 * max(len(drawn.shown), 1)),
                on_select="rerun",
                selection_mode="single-row",
                key="org_table",
            )
            _open(drawn.shown, event)
        with todo:
            _attention(view, attention)

    tables()


def _waiting(background: Background) -> None:
    if background.alive:
        st.info(
            "Portal Desk's worker is listing this environment's organizations for the first time; "
            "they appear here as soon as it is done.",
            icon=":material/hourglass_top:",
        )
    else:
        st.warning(
            "No organization has been listed yet, and Portal Desk's worker is not running. Start it with "
            "`make worker` (`make run` starts it for you); the list appears here by itself.",
            icon=":material/sync_disabled:",
        )
    if background.problem:
        st.caption(f"Last problem: {md(background.problem, 300)}")


def regions(board: Board) -> list[str]:
    """Scalekit's two, and any other a listing holds: a region in the address stays valid while
    the first listing is still on its way."""
    return sorted({"US", "EU"} | {org.region for org in board.organizations if org.region})


def _attention(view: ListView, attention: pd.DataFrame) -> None:
    if attention.empty:
        st.caption(
            "Nothing needs attention: no invitation is out for an organization without SSO, "
            "and none expired unopened."
        )
        return
    urgent = int(attention["Urgent"].sum())
    counts = [f"**{len(attention):,}** need attention"]
    if view.me:
        counts.append(f"**{_mine(view, attention):,}** mine")
    counts.append(f"**{urgent:,}** urgent")
    words, download = st.columns([4, 1], vertical_alignment="center")
    words.markdown(" · ".join(counts))
    no_export = reason(view.operator, "export")
    download.download_button(
        "CSV",
        # Made, and recorded, on the click.
        data=lambda: attention_csv(view.history, view.operator, view.config.environment_host, attention),
        file_name=f"needs-attention-{dt.date.today().isoformat()}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=bool(no_export),
        help=no_export or "Download this list as CSV (no links or tokens are in it)",
        key="attention_csv",
    )
    st.caption(
        "Invitations not opened yet, soonest expiry first (red: under 48 hours); then "
        "invitations opened without SSO enabled yet; then invitations that expired unopened."
    )
    picked = st.dataframe(
        readable(attention).style.apply(_highlight_urgent, axis=1),
        column_order=ATTENTION_SHOWN,
        column_config=COLUMN_CONFIG,
        hide_index=True,
        height=min(TABLE_HEIGHT, 38 + 35 * len(attention)),
        on_select="rerun",
        selection_mode="single-row",
        key="attention_table",
    )
    _open(attention, picked)


__all__ = ["ListView", "filter_controls", "live_tables", "regions"]
