"""One organization: metadata, feature settings, connections, directories, domains, links, history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from .. import runtime
from ..config import Settings
from ..errors import NotFound, PortalDeskError
from ..formatting import absolute, md_escape
from ..gateway import ScalekitGateway
from ..identity import Operator
from ..models import FEATURE_LABELS, SSO_LABELS, OrganizationDetail
from ..onboarding import history_timeline, scim_state, sso_state
from ..store import IssuanceStore
from .active_links import flash, organization_links, show_flash
from .feedback import show_error


def _back() -> None:
    del st.query_params["org"]
    for key in ("org_table", "attention_table"):  # or the old selection reopens this view
        st.session_state.pop(key, None)


def _toggle(gateway: ScalekitGateway, org_id: str, feature: str) -> None:
    enabled = st.session_state[f"feature-{feature}-{org_id}"]
    try:
        gateway.update_organization_settings(org_id, **{feature: enabled})
    except PortalDeskError as error:
        flash("error", str(error))
    else:
        state = "Enabled" if enabled else "Disabled"
        flash("success", f"{state} {FEATURE_LABELS[feature]} in this organization's admin portal.")
    runtime.organization_changed(gateway)


DATES = {
    name: st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")
    for name in ("Created", "Last sync", "Added")
}


def _table(rows: list[dict], empty: str) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=DATES)
    else:
        st.caption(empty)


def _facts(detail: OrganizationDetail) -> None:
    org = detail.organization
    sso, provider = sso_state(detail.connections)
    scim, users = scim_state(detail.directories)
    a, b, c, d = st.columns(4)
    a.metric("SSO", SSO_LABELS[sso])
    a.caption(provider or "No identity provider yet")
    b.metric("Directory sync", scim.capitalize())
    b.caption(f"{users:,} users" if users is not None else "No users synced")
    c.metric("Region", org.region or "—")
    d.metric("Created", org.created_at.strftime("%d %b %Y") if org.created_at else "—")


def organization_detail_view(
    gateway: ScalekitGateway, store: IssuanceStore, config: Settings, org_id: str, operator: Operator
) -> None:
    st.button("All organizations", icon=":material/arrow_back:", on_click=_back)
    env = config.environment_host
    try:
        detail = runtime.organization_detail(gateway, org_id)
    except NotFound:
        st.warning(
            f"Organization {org_id} was not found in this environment; it may have been deleted.",
            icon=":material/search_off:",
        )
        return
    except PortalDeskError as error:
        show_error(error)
        return
    org = detail.organization
    st.header(md_escape(org.display_name))
    meta = " · ".join(f"{k}: {v}" for k, v in org.metadata)
    st.caption(f"{org.id} · external id {org.external_id or '—'}" + (f" · {meta}" if meta else ""))
    share, preview, _ = st.columns([1, 1, 4])
    share.page_link(
        "pages/share_link.py", label="Share link", icon=":material/share:", query_params={"org": org.id}
    )
    preview.page_link(
        "pages/portal_preview.py",
        label="Preview portal",
        icon=":material/preview:",
        query_params={"org": org.id},
    )
    show_flash()
    _facts(detail)

    st.subheader("Admin portal features")
    left, right = st.columns(2)
    for column, feature, label in ((left, "sso", "SSO"), (right, "dir_sync", "Directory sync (SCIM)")):
        column.toggle(
            label,
            value=getattr(org, f"{feature}_feature"),
            key=f"feature-{feature}-{org.id}",
            on_change=_toggle,
            args=(gateway, org.id, feature),
        )

    conns, dirs, domains, active, history = st.tabs(
        ["SSO connections", "Directories", "Domains", "Active links", "History"]
    )
    with conns:
        _table(
            [
                {
                    "Provider": c.provider,
                    "Type": c.type,
                    "Status": c.status.replace("_", " "),
                    "Enabled": c.enabled,
                    "Created": c.created_at,
                    "ID": c.id,
                }
                for c in detail.connections
            ],
            "No SSO connection yet.",
        )
    with dirs:
        _table(
            [
                {
                    "Provider": d.provider,
                    "Name": d.name,
                    "Enabled": d.enabled,
                    "Users": d.total_users,
                    "Groups": d.total_groups,
                    "Last sync": d.last_synced_at,
                    "ID": d.id,
                }
                for d in detail.directories
            ],
            "No directory yet.",
        )
    with domains:
        _table(
            [
                {"Domain": d.domain, "Verification": d.verification_status, "Added": d.created_at}
                for d in detail.domains
            ],
            "No domain yet.",
        )
    with active:
        organization_links(gateway, store, environment=env, org=org, operator=operator)
    with history:
        try:
            entries = history_timeline(
                store.issuances_for_organization(env, org.id),
                dt.datetime.now(dt.UTC),
                store.portal_events(env, org.id),
            )
        except PortalDeskError as error:
            show_error(error)
        else:
            if not entries:
                st.caption("Portal Desk has issued no link for this organization yet.")
            for when, what, who in entries:
                st.markdown(
                    f"**{absolute(when)}** · {md_escape(what)}" + (f" · {md_escape(who)}" if who else "")
                )
