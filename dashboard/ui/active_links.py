"""An organization's active portal links, each with a Revoke button behind a confirmation."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from .. import links, runtime
from ..errors import NotFound, PortalDeskError
from ..formatting import absolute, ago, countdown, md_escape
from ..gateway import ScalekitGateway
from ..identity import Operator
from ..links import ActiveLink
from ..models import FEATURE_LABELS, Organization
from ..store import IssuanceStore
from .feedback import show_error

FLASH_KEY = "active_links_flash"
PENDING_KEY = "active_links_pending_revoke"

RevokeAction = Callable[[ActiveLink], None]


def flash(kind: str, text: str) -> None:
    """A message that survives the rerun a dialog ends with."""
    st.session_state[FLASH_KEY] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(FLASH_KEY, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def _ask(link_id: str) -> None:
    st.session_state[PENDING_KEY] = link_id


def _forget() -> None:
    st.session_state.pop(PENDING_KEY, None)


# The pending revocation lives in session state rather than in the Revoke button's return value,
# so the dialog is drawn again on every rerun until the rep confirms, cancels or dismisses it.
@st.dialog("Revoke this link?", on_dismiss=_forget)
def _confirm(org_name: str, row: ActiveLink, revoke: RevokeAction) -> None:
    sent = row.issuance.recipient_email if row.issuance and row.issuance.recipient_email else None
    st.markdown(
        f"Link `{row.link_id}` for **{md_escape(org_name)}** stops working at once"
        + (f"; **{md_escape(sent)}** will need a new one." if sent else ".")
    )
    left, right = st.columns(2)
    if left.button("Revoke link", type="primary", key=f"confirm-revoke-{row.link_id}"):
        _forget()
        revoke(row)
        st.rerun()
    if right.button("Keep it", key=f"cancel-revoke-{row.link_id}"):
        _forget()
        st.rerun()


def active_links_list(
    org: Organization, rows: list[ActiveLink], *, revoke: RevokeAction, can_revoke: bool
) -> None:
    if not rows:
        st.caption("No active links. Links revoked or expired drop out of this list.")
        return
    for row in rows:
        issuance = row.issuance
        with st.container(border=True):
            info, when, action = st.columns([5, 4, 2], vertical_alignment="center")
            if issuance is None:
                info.markdown(f"`{row.link_id}`  \nIssued outside Portal Desk")
            else:
                features = " + ".join(FEATURE_LABELS[f] for f in issuance.features)
                recipient = f" → {md_escape(issuance.recipient_email)}" if issuance.recipient_email else ""
                info.markdown(
                    f"`{row.link_id}` · {issuance.kind}  \n**{features}** · by "
                    f"{md_escape(issuance.issued_by)} {ago(issuance.issued_at)}{recipient}"
                )
                if issuance.note:
                    info.caption(issuance.note)
            when.markdown(f"{countdown(row.expires_at).capitalize()}  \n{absolute(row.expires_at)}")
            action.button(
                "Revoke",
                key=f"revoke-{row.link_id}",
                disabled=not can_revoke,
                icon=":material/link_off:",
                on_click=_ask,
                args=(row.link_id,),
            )
    pending = next((r for r in rows if r.link_id == st.session_state.get(PENDING_KEY)), None)
    if pending is not None and can_revoke:
        _confirm(org.display_name, pending, revoke)


def organization_links(
    gateway: ScalekitGateway, store: IssuanceStore, *, environment: str, org: Organization, operator: Operator
) -> None:
    """The organization's active links from Scalekit, joined with the history, each revocable."""

    def revoke(row: ActiveLink) -> None:
        try:
            links.revoke_link(
                gateway,
                store,
                environment=environment,
                org_id=org.id,
                link_id=row.link_id,
                operator=operator.name,
            )
        except PortalDeskError as error:
            flash("error", str(error))
        else:
            flash("success", f"Link {row.link_id} revoked.")

    try:
        rows = links.active_links(gateway, store, environment=environment, org_id=org.id)
    except NotFound:
        st.warning(
            "This organization no longer exists in Scalekit. Refresh the list.", icon=":material/search_off:"
        )
        runtime.forget_listings()
    except PortalDeskError as error:
        show_error(error)
    else:
        active_links_list(org, rows, revoke=revoke, can_revoke=operator.known)
