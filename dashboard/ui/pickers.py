"""The organization picker every page shares: type to filter, preselected from ``?org=``."""

from __future__ import annotations

import streamlit as st

from .. import organizations, runtime
from ..errors import PortalDeskError
from ..gateway import ScalekitGateway
from ..models import FEATURE_LABELS, Feature, Organization, is_organization_id
from .feedback import show_error
from .text import md, plain


def organization_label(org: Organization) -> str:
    """A select option: plain text (options are not Markdown), bidi controls removed, cut to fit."""
    external = f" · {plain(org.external_id, 40)}" if org.external_id else ""
    return f"{plain(org.display_name, 80)}{external} · {org.id}"


def organization_picker(
    orgs: list[Organization], *, key: str = "org_picker", preferred: str | None = None
) -> Organization | None:
    """A selectbox over ``orgs`` that follows and sets the ``org`` query parameter, so a URL
    such as ``/share_link?org=org_123`` opens with that organization chosen; without one, the
    ``preferred`` organization is chosen first (the Portal preview's demo organization)."""
    by_id = {org.id: org for org in orgs}
    wanted = st.query_params.get("org") or (preferred if preferred in by_id else None)
    if key not in st.session_state and wanted in by_id:
        st.session_state[key] = wanted
    elif wanted and wanted not in by_id and key not in st.session_state:
        named = md(wanted) if is_organization_id(wanted) else "named in the address"
        st.warning(
            f"The organization {named} is not in this environment; choose another.",
            icon=":material/search_off:",
        )
    chosen = st.selectbox(
        "Organization",
        options=list(by_id),
        format_func=lambda org_id: organization_label(by_id[org_id]),
        index=None,
        placeholder="Type a name, external id or organization id…",
        key=key,
    )
    if chosen is not None and st.query_params.get("org") != chosen:
        st.query_params["org"] = chosen
    return by_id.get(chosen) if chosen else None


def choose_organization(gateway: ScalekitGateway, preferred: str | None = None) -> Organization | None:
    """The picker over every organization the worker listed into the history; stops the page if
    they can't load. An organization the address names that the listing lacks (created at Scalekit
    since the worker's last listing) is asked of Scalekit, as the person asked for it."""
    try:
        config = runtime.settings()
        history = runtime.store(config.database_url)
        board = runtime.board(config, history)
        orgs = list(board.organizations)
        wanted = st.query_params.get("org")
        if is_organization_id(wanted) and wanted not in {o.id for o in orgs}:
            found = organizations.newly_listed(gateway, history, config.environment_host, str(wanted))
            orgs = [found, *orgs] if found is not None else orgs
    except PortalDeskError as error:
        show_error(error)
        st.stop()
    # The notice keeps its place on the page whether shown or not: when the listing arrives, what
    # follows must not move (Streamlit remounts a moved element, and the portal preview's iframe
    # would load its single-use link a second time).
    notice = st.empty()
    if not board.listed:
        notice.info(
            "Portal Desk's worker has not listed this environment's organizations yet; they appear here as "
            "soon as it has (make run starts it, or `make worker`).",
            icon=":material/hourglass_top:",
        )
    return organization_picker(orgs, preferred=preferred)


def _default(org: Organization | None, feature: str) -> bool:
    return org is None or feature in org.enabled_features  # none chosen yet: all, as most orgs


def follow_organization(org: Organization | None, prefix: str) -> bool:
    """Set the ``prefix`` feature boxes to ``org``'s defaults when it is not the organization they
    were last set for. True when that changed a box the browser had sent: a click in this run was
    made on boxes showing something else, so it must not act."""
    marker, scope = f"{prefix}-features-for", org.id if org else None
    if marker in st.session_state and st.session_state[marker] == scope:
        return False
    changed = False
    for name in FEATURE_LABELS:
        key, value = f"{prefix}-{name}", _default(org, name)
        changed = changed or (key in st.session_state and st.session_state[key] != value)
        st.session_state[key] = value
    st.session_state[marker] = scope
    return changed


def feature_boxes(org: Organization | None, prefix: str) -> list[Feature]:
    """One checkbox per feature, keyed ``{prefix}-{feature}``; a feature switched off for the
    organization can't be chosen. Returns the features ticked."""
    enabled = org.enabled_features if org else ()
    chosen: list[Feature] = []
    for column, (name, label) in zip(st.columns(len(FEATURE_LABELS)), FEATURE_LABELS.items(), strict=True):
        off = org is None or name not in enabled
        key = f"{prefix}-{name}"
        if key not in st.session_state:  # else follow_organization (or the rep) set it
            st.session_state[key] = _default(org, name)
        help_text = (
            "Choose an organization first."
            if org is None
            else "Switched off in this organization's admin portal settings."
            if off
            else None
        )
        if column.checkbox(label, disabled=off, key=key, help=help_text):
            chosen.append(name)
    return chosen
