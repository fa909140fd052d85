"""The sidebar every page shares: the Scalekit environment in use, and who is operating."""

from __future__ import annotations

import streamlit as st

from .. import identity
from ..activity import record_sign_in
from ..config import Settings
from ..errors import PortalDeskError
from ..history import History
from ..models import ROLE_LABELS, ROLES, Operator
from .text import md, plain

_SIGN_IN_SEEN = "sidebar_sign_in_recorded"

# The typed name and role live in this browser's localStorage, so a reload or a new tab keeps
# them (the emulator-only, unverified mode). Python sends what to keep; the browser answers once
# per session with what it kept.
_REMEMBER_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const KEY = "portalDesk.typedOperator";
  if (data.name) {
    localStorage.setItem(KEY, JSON.stringify({ name: data.name, role: data.role }));
  } else if (data.forget) {
    localStorage.removeItem(KEY);
  } else if (!data.asked) {
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(KEY) || "null"); } catch (error) { kept = null; }
    setStateValue("kept", kept && typeof kept.name === "string" ? kept : { name: "", role: "" });
  }
}
"""
_remember = st.components.v2.component("portal_desk.remember_operator", js=_REMEMBER_JS)


def environment_badge(config: Settings, problem: str | None = None) -> None:
    """Which Scalekit environment; ``problem``: why a live one cannot be reached right now."""
    with st.sidebar:
        if config.uses_emulator:
            st.badge("Local emulator", icon=":material/science:", color="violet")
            st.caption(
                "Demo data from the bundled Scalekit emulator. "
                "Set SCALEKIT_* in `.env` to use a live environment."
            )
        elif problem:
            st.badge(
                f"Live — not reachable: {plain(config.environment_label, 60)}",
                icon=":material/cloud_off:",
                color="red",
            )
            st.caption(md(problem, 300))
        else:
            st.badge(config.environment_label, icon=":material/cloud_done:", color="green")
            st.caption("Live Scalekit environment.")


def operator_box(config: Settings, history: History | None) -> Operator:
    """Who is acting, shown and (for typed names) asked for; returns the operator."""
    with st.sidebar:
        st.divider()
        if identity.sign_in_configured():
            return _signed_in(config, history)
        if config.operator:
            operator = identity.current(config)
            _who(operator, "named by DASHBOARD_OPERATOR")
            return operator
        if config.uses_emulator:
            return _typed(config)
        operator = identity.current(config)  # nobody: it says what to set
        st.caption(operator.to_act or "")
        return operator


def _who(operator: Operator, how: str) -> None:
    name = operator.display_name or operator.name or ""
    st.markdown(f"**{md(name, 80)}**")
    if operator.display_name and operator.name:
        st.caption(md(operator.name, 120))
    st.badge(ROLE_LABELS[operator.role], icon=":material/badge:", color="blue")
    st.caption(how)


def _signed_in(config: Settings, history: History | None) -> Operator:
    if not st.user.is_logged_in:  # the shell shows the sign-in screen alone; this is a safety net
        return Operator(None)
    operator = identity.current(config)
    if operator.known and history is not None and not st.session_state.get(_SIGN_IN_SEEN):
        try:  # once per browser session; the ID token's issue time tells sign-ins apart
            record_sign_in(history, operator, config.environment_host, st.user.to_dict())
        except PortalDeskError as error:  # tried again on the next run
            st.caption(f"Your sign-in is not in the activity log yet: {md(error, 200)}")
        else:
            st.session_state[_SIGN_IN_SEEN] = True
    if operator.role == "viewer":
        _who(operator, "Signed in. Your email is in no role yet: ask an admin to add it to [roles].")
    else:
        _who(operator, "Signed in")
    st.button("Sign out", on_click=st.logout, icon=":material/logout:", width="stretch")
    return operator


def _typed(config: Settings) -> Operator:
    # Copied into plain session keys: widget state is dropped whenever a run doesn't draw the
    # widget, and the name must outlive any page switch.
    name = st.session_state.get(identity.TYPED_KEY, "")
    role = st.session_state.get(identity.TYPED_ROLE_KEY, "rep")
    kept = _remember(
        data={
            "name": name,
            "role": role,
            "asked": _ASKED in st.session_state,
            "forget": _FORGET in st.session_state,
        },
        key="remember_operator",
        default={"kept": None},
        on_kept_change=lambda: None,
    )
    st.session_state.pop(_FORGET, None)
    answer = kept.kept if kept is not None else None
    if answer is not None and _ASKED not in st.session_state:
        st.session_state[_ASKED] = True
        if not name and not st.session_state.get("operator_input") and answer.get("name"):
            st.session_state[identity.TYPED_KEY] = str(answer["name"]).strip()[:120]
            st.session_state[identity.TYPED_ROLE_KEY] = (
                answer.get("role") if answer.get("role") in ROLES else "rep"
            )
            st.session_state.pop("operator_input", None)  # set afresh from the remembered name
            st.session_state.pop("operator_role_input", None)
            st.rerun()
    # Widget values set from the remembered ones only when the widgets have none: set on every run,
    # they would send the browser the old value while the rep is typing a new one, and a run still
    # under way when the rep pressed Enter would wipe the name before it registered.
    if "operator_input" not in st.session_state:
        st.session_state["operator_input"] = st.session_state.get(identity.TYPED_KEY, "")
    if "operator_role_input" not in st.session_state:
        st.session_state["operator_role_input"] = role if role in ROLES else "rep"
    st.text_input(
        "Your name or email",
        key="operator_input",
        placeholder="ana@yourcompany.com",
        max_chars=120,
        help="Recorded with everything you issue or revoke; this browser remembers it.",
        on_change=_remember_name,
    )
    st.selectbox(
        "Role",
        ROLES,
        format_func=lambda role: ROLE_LABELS[role],
        key="operator_role_input",
        on_change=_remember_role,
        help="On the emulator only: pick the role to try the dashboard as.",
    )
    operator = identity.current(config)
    if operator.known:
        st.badge("Unverified", icon=":material/gpp_maybe:", color="orange")
        st.caption("Typed on this browser, not signed in: the emulator allows it for demos and checks.")
    return operator


_ASKED, _FORGET = "sidebar_operator_asked", "sidebar_operator_forget"


def _remember_name() -> None:
    typed = st.session_state["operator_input"].strip()
    st.session_state[identity.TYPED_KEY] = typed
    if not typed:
        st.session_state[_FORGET] = True


def _remember_role() -> None:
    st.session_state[identity.TYPED_ROLE_KEY] = st.session_state["operator_role_input"]
