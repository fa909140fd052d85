"""The owner line on an organization's detail view: who looks after it, and the buttons the
operator's role allows (take it, give it up; a manager hands it to anyone)."""

from __future__ import annotations

import streamlit as st

from ..errors import PortalDeskError
from ..history import History
from ..models import Operator, Organization
from ..organizations import owners
from ..permissions import can
from .feedback import flash, show_error
from .text import md, plain


def _set(history: History, operator: Operator, env: str, org: Organization, owner: str | None) -> None:
    try:
        owners.set_owner(history, operator, environment=env, organization=org, owner=owner)
    except PortalDeskError as error:
        flash("error", str(error))
    else:
        flash("success", f"{owner} now owns {org.display_name}." if owner else "Nobody owns it now.")


def owner_field(history: History, operator: Operator, env: str, org: Organization) -> None:
    try:
        now = owners.current(history, env, org.id)
    except PortalDeskError as error:
        show_error(error)
        return
    if now.name is None:
        said = "Owner: nobody yet"
    elif now.chosen:
        said = f"Owner: **{md(now.name, 120)}**"
    else:
        said = f"Owner: **{md(now.name, 120)}** (sent the last invitation; nobody set an owner)"
    words, act = st.columns([3, 2], vertical_alignment="center")
    words.markdown(f":material/person: {said}")
    me = operator.name if operator.known else None
    if can(operator, "assign_owner"):
        with act.popover("Change owner", icon=":material/manage_accounts:"), st.form(f"owner-{org.id}"):
            people = owners.team(history, env)
            chosen = st.selectbox(
                "Owner",
                people,
                index=people.index(now.name) if now.chosen and now.name in people else None,
                format_func=lambda name: plain(name, 120),
                placeholder="Choose or type an email",
                accept_new_options=True,
            )
            save, clear = st.columns(2)
            if save.form_submit_button("Set owner", type="primary"):
                if chosen is None:
                    flash("error", "Choose or type the new owner's email first.")
                else:
                    _set(history, operator, env, org, chosen)
                st.rerun()
            if clear.form_submit_button("No owner", disabled=not now.chosen):
                _set(history, operator, env, org, None)
                st.rerun()
    elif me and can(operator, "own"):
        if now.chosen and now.name == me:
            act.button(
                "Give up ownership",
                icon=":material/person_remove:",
                on_click=_set,
                args=(history, operator, env, org, None),
            )
        elif not now.chosen:
            act.button(
                "Take ownership",
                icon=":material/person_add:",
                on_click=_set,
                args=(history, operator, env, org, me),
            )
        else:
            act.caption("A manager can hand it to you.")
