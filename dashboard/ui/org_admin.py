"""An admin's changes to one organization: edit its name and external id, delete it (behind a
confirmation that names it). The services refuse anyone else; the buttons say why."""

from __future__ import annotations

import streamlit as st

from .. import organizations, runtime
from ..errors import PortalDeskError
from ..gateway import ScalekitGateway
from ..history import History
from ..models import Operator, Organization
from ..permissions import reason
from .feedback import flash, show_error
from .text import md


def _leave() -> None:
    st.query_params.pop("org", None)
    for key in ("org_table", "attention_table"):
        st.session_state.pop(key, None)


@st.dialog("Edit organization")
def _edit(
    gateway: ScalekitGateway, history: History, operator: Operator, env: str, org: Organization
) -> None:
    with st.form(f"edit-{org.id}"):
        name = st.text_input("Display name", value=org.display_name, max_chars=organizations.changes.NAME_MAX)
        external = st.text_input(
            "External id", value=org.external_id or "", help="Your CRM's id; empty clears it"
        )
        if st.form_submit_button("Save", type="primary"):
            try:
                organizations.update(
                    gateway,
                    history,
                    operator,
                    environment=env,
                    organization=org,
                    display_name=name,
                    external_id=external,
                )
            except PortalDeskError as error:
                show_error(error)
                return
            runtime.forget_detail()
            flash("success", "Saved.")
            st.rerun()


@st.dialog("Delete organization")
def _delete(
    gateway: ScalekitGateway, history: History, operator: Operator, env: str, org: Organization
) -> None:
    st.markdown(
        f"**{md(org.display_name, 200)}** is deleted at Scalekit with its SSO connections, directories "
        "and domains; its people can no longer sign in through it. This cannot be undone."
    )
    typed = st.text_input(f"Type {md(org.display_name, 200)} to confirm", key=f"confirm-delete-{org.id}")
    if st.button("Delete for good", type="primary", disabled=typed.strip() != org.display_name.strip()):
        try:
            organizations.delete(
                gateway, history, operator, environment=env, organization=org, confirmation=typed
            )
        except PortalDeskError as error:
            show_error(error)
            return
        runtime.forget_detail()
        flash("success", f"{org.display_name} was deleted.")
        _leave()
        st.rerun()


def admin_actions(
    gateway: ScalekitGateway, history: History, operator: Operator, env: str, org: Organization
) -> None:
    refused = reason(operator, "organization_settings")
    edit, delete, _ = st.columns([1, 1, 4])
    if edit.button(
        "Edit", icon=":material/edit:", disabled=bool(refused), help=refused, key=f"edit-{org.id}"
    ):
        _edit(gateway, history, operator, env, org)
    if delete.button(
        "Delete", icon=":material/delete:", disabled=bool(refused), help=refused, key=f"delete-{org.id}"
    ):
        _delete(gateway, history, operator, env, org)
