"""One organization: metadata, feature settings, connections, directories, domains, links, history."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from .. import organizations, runtime
from ..config import Settings
from ..errors import NotFound, PortalDeskError
from ..formatting import DATE_TIME, day
from ..gateway import ScalekitGateway
from ..history import History
from ..models import FEATURE_LABELS, FEATURE_SETTING_LABELS, SSO_LABELS, Feature, Operator, OrganizationDetail
from ..organizations import scim_state, sso_state
from ..permissions import reason
from .feedback import flash, show_error, show_flash
from .invitation_list import InvitationDesk, invitation_list
from .org_admin import admin_actions
from .org_owner import owner_field
from .org_timeline import timeline
from .text import full, md


def _back() -> None:
    del st.query_params["org"]
    for key in ("org_table", "attention_table"):  # or the old selection reopens this view
        st.session_state.pop(key, None)


def _toggle(
    gateway: ScalekitGateway, history: History, operator: Operator, env: str, org_id: str, feature: Feature
) -> None:
    enabled = st.session_state[f"feature-{feature}-{org_id}"]
    try:
        organizations.set_feature(
            gateway,
            history,
            operator,
            environment=env,
            organization_id=org_id,
            feature=feature,
            enabled=enabled,
        )
    except PortalDeskError as error:
        flash("error", str(error))
        runtime.forget_detail()
    else:
        state = "Enabled" if enabled else "Disabled"
        flash("success", f"{state} {FEATURE_LABELS[feature]} in this organization's admin portal.")
        runtime.forget_detail()


DATES = {
    name: st.column_config.DatetimeColumn(format=DATE_TIME) for name in ("Created", "Last sync", "Added")
}


def _table(rows: list[dict[str, Any]], empty: str, missing: str | None = None) -> None:
    if missing:
        st.warning(f"{md(missing, None)} Reload the page to try again.", icon=":material/cloud_off:")
    elif rows:
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
    d.metric("Created", day(org.created_at))
    for part, why in detail.missing:
        if part in ("connections", "directories"):
            (a if part == "connections" else b).caption(f":material/cloud_off: {md(why, None)}")


def organization_detail_view(
    gateway: ScalekitGateway, history: History, config: Settings, org_id: str, operator: Operator
) -> None:
    st.button("All organizations", icon=":material/arrow_back:", on_click=_back)
    env = config.environment_host
    try:
        detail = runtime.organization_detail(gateway, org_id, config.call_timeout_s)
    except NotFound:
        st.warning(
            f"Organization {md(org_id)} was not found in this environment; it may have been deleted.",
            icon=":material/search_off:",
        )
        return
    except PortalDeskError as error:
        show_error(error)
        return
    org = detail.organization
    organizations.noticed(history, env, detail)
    st.header(md(org.display_name, 200))
    st.caption(f"{md(org.id)} · external id {md(org.external_id or '—', 80)}")
    for key, value in org.metadata:
        full(key, value, limit=80, key=f"meta-{org.id}-{key}")
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
    owner_field(history, operator, env, org)
    admin_actions(gateway, history, operator, env, org)
    _facts(detail)

    st.subheader("Admin portal features")
    left, right = st.columns(2)
    may_change = reason(operator, "organization_settings")
    for column, (feature, label) in zip((left, right), FEATURE_SETTING_LABELS.items(), strict=True):
        column.toggle(
            label,
            value=getattr(org, f"{feature}_feature"),
            key=f"feature-{feature}-{org.id}",
            on_change=_toggle,
            args=(gateway, history, operator, env, org.id, feature),
            disabled=bool(may_change),
            help=may_change,
        )

    conns, dirs, domains, invited, history_tab = st.tabs(
        ["SSO connections", "Directories", "Domains", "Invitations", "History"]
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
            detail.lacks("connections"),
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
            detail.lacks("directories"),
        )
    with domains:
        _table(
            [
                {"Domain": d.domain, "Verification": d.verification_status, "Added": d.created_at}
                for d in detail.domains
            ],
            "No domain yet.",
            detail.lacks("domains"),
        )
    with invited:
        desk = InvitationDesk(
            gateway=gateway,
            history=history,
            environment=env,
            relay_url=runtime.relay_url(config, gateway, history),
            mailer=runtime.mailer(config),
            operator=operator,
        )
        invitation_list(desk, org)
    with history_tab:
        timeline(history, env, org.id)
