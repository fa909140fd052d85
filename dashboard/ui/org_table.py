"""The Organizations list: table, filters, Needs attention, filled in as statuses arrive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from .. import overview
from ..errors import PortalDeskError
from ..models import SCIM_STATES, SSO_LABELS, SSO_STATES, InvitationSummary, Organization
from ..onboarding import StatusBoard
from .feedback import show_error
from .text import md, plain

TABLE_COLUMNS = [name for name in overview.COLUMNS if not name.endswith("_state")]  # raw filter values
COLUMN_CONFIG = {
    "Created": st.column_config.DatetimeColumn(format="D MMM YYYY"),
    "Last invitation": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
    "Invitation expires": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm"),
    "Open invitations": st.column_config.NumberColumn(
        format="%d", help="Invitations that can still be opened"
    ),
    "Urgent": st.column_config.CheckboxColumn(help="Expires within 48 hours"),
}


def filter_controls(regions: list[str]) -> overview.Filters:
    sso, scim, region, active = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    return overview.Filters(
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


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Outside text in the table's cells made plain (no bidi tricks, long values cut)."""
    outside = [c for c in ("Name", "External ID", "Last by") if c in frame.columns]
    return frame.assign(**{c: frame[c].map(plain) for c in outside})


def _highlight_urgent(row: pd.Series) -> list[str]:
    return ["background-color: #fde8e8" if row["Urgent"] else ""] * len(row)


def live_tables(
    orgs: list[Organization],
    board: StatusBoard,
    filters: overview.Filters,
    summaries: Callable[[], dict[str, InvitationSummary]],
    searching: bool,
) -> None:
    """Draw the tables now and again every second while statuses are still arriving."""
    pending_at_start = board.pending

    @st.fragment(run_every=1.0 if pending_at_start else None)
    def tables() -> None:
        statuses = board.statuses()
        try:
            links = summaries()
        except PortalDeskError as error:  # the history is unreadable: the list still shows
            show_error(error)
            links = {}
        frame = overview.organization_frame(orgs, statuses, links)
        shown = overview.apply_filters(frame, filters)
        attention = overview.needs_attention(orgs, statuses, links, dt.datetime.now(dt.UTC))
        everything, todo = st.tabs(["All organizations", f"Needs attention ({len(attention)})"])
        with everything:
            waiting = board.pending
            status_note = f" · checking SSO/SCIM status of {waiting:,} more" if waiting else ""
            scope = "matching the search" if searching else "in this environment"
            st.caption(f"{len(shown):,} of {len(frame):,} organizations {scope}{status_note}")
            if waiting and filters.any:
                st.caption(
                    "Organizations still being checked join the filtered list as their status arrives."
                )
            failures = board.failures()
            if failures:
                st.warning(
                    f"The status of {len(failures):,} organizations could not be fetched: "
                    f"{md(next(iter(failures.values())), None)}",
                    icon=":material/cloud_off:",
                )
            event = st.dataframe(
                readable(shown),
                column_order=TABLE_COLUMNS,
                column_config=COLUMN_CONFIG,
                hide_index=True,
                on_select="rerun",
                selection_mode="single-row",
                key="org_table",
            )
            _open(shown, event)
        with todo:
            if attention.empty:
                st.caption(
                    "Nothing needs attention: no invitation is out for an organization without SSO, "
                    "and none expired unopened."
                )
            else:
                st.caption(
                    "Invitations not opened yet, soonest expiry first (red: under 48 hours); then "
                    "invitations opened without SSO enabled yet; then invitations that expired unopened."
                )
                picked = st.dataframe(
                    readable(attention).style.apply(_highlight_urgent, axis=1),
                    column_config=COLUMN_CONFIG,
                    hide_index=True,
                    on_select="rerun",
                    selection_mode="single-row",
                    key="attention_table",
                )
                _open(attention, picked)
        if pending_at_start and not board.pending:
            st.rerun(scope="app")  # everything is in: one last full run, and the polling stops

    tables()
