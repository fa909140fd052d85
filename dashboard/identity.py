"""Who is operating the dashboard, with which role.

- With sign-in configured (``[auth]`` in secrets, ``st.login`` against any OIDC provider), the
  signed-in email; its role comes from ``[roles]`` (emails, ``@domains`` or an ID-token claim),
  and a person signed in but mapped to nothing is a viewer.
- Without sign-in in a live environment, only ``DASHBOARD_OPERATOR`` may act: one named operator
  with ``DASHBOARD_OPERATOR_ROLE`` (admin by default: the deployment has no one else).
- On the emulator only, a name typed in the sidebar, marked unverified, with a role picked there
  (for scripted demos and checks, ``DASHBOARD_SIGN_IN=off``); the browser remembers it.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from .config import Settings
from .models import ROLES, Operator, Role

TYPED_KEY, TYPED_ROLE_KEY = "operator_name", "operator_role"


def _best(roles: list[str]) -> Role | None:
    known = [Role(r) for r in roles if r in ROLES]
    return max(known, key=ROLES.index) if known else None


def role_for(email: str, claims: Mapping[str, object], mapping: Mapping[str, object]) -> Role:
    """The role ``[roles]`` gives this person: an email listed, else their email domain
    (``@example.com``), else the ID-token claim ``mapping["claim"]`` names; else viewer."""
    address = email.strip().lower()
    domain = "@" + address.rsplit("@", 1)[-1] if "@" in address else ""
    listed: dict[str, list[str]] = {
        role: [str(v).strip().lower() for v in value]
        for role, value in mapping.items()
        if role in ROLES and isinstance(value, list | tuple)
    }
    by_email = _best([role for role, entries in listed.items() if address in entries])
    if by_email:
        return by_email
    by_domain = _best([role for role, entries in listed.items() if domain and domain in entries])
    if by_domain:
        return by_domain
    claim = mapping.get("claim")
    if isinstance(claim, str) and claim in claims:
        value = claims[claim]
        roles = [str(v).lower() for v in value] if isinstance(value, list | tuple) else [str(value).lower()]
        found = _best(roles)
        if found:
            return found
    return Role.VIEWER


def resolve(
    settings: Settings,
    *,
    sign_in_configured: bool,
    claims: Mapping[str, object] | None,
    role_mapping: Mapping[str, object],
    typed_name: str | None,
    typed_role: str | None,
) -> Operator:
    """The rules above, free of Streamlit."""
    unknown = Operator(None, to_act=how_to_act(settings, sign_in_configured=sign_in_configured))
    if sign_in_configured:
        email = claims.get("email") if claims else None
        if not isinstance(email, str) or not email:
            return unknown
        name = claims.get("name") if claims else None
        role = role_for(email, claims or {}, role_mapping)
        return Operator(email, role, "sign-in", name if isinstance(name, str) else None)
    if settings.operator:
        return Operator(settings.operator, Role(settings.operator_role), "environment")
    typed = (typed_name or "").strip()
    if settings.uses_emulator and typed:
        return Operator(typed, Role(typed_role) if typed_role in ROLES else Role.REP, "typed")
    return unknown


def how_to_act(settings: Settings, *, sign_in_configured: bool) -> str:
    """What names an operator in this deployment, as a sentence that says exactly what to do or
    set (the main area shows it: on a phone the sidebar starts closed)."""
    if sign_in_configured:
        return "Sign in with the Sign in button to issue or revoke anything."
    if settings.uses_emulator:
        return (
            "To issue or revoke anything, type your name or email under **Your name or email** in the "
            "sidebar (on a phone, open it with **>>** at the top left) and pick a role there."
        )
    return (
        "Read-only: nobody is signed in. To act, set `DASHBOARD_OPERATOR` to your email in `.env` "
        "(with `DASHBOARD_OPERATOR_ROLE`, admin by default) and restart Portal Desk, or configure "
        "sign-in: an `[auth]` section in `.streamlit/secrets.toml` (README, Who is acting)."
    )


def sign_in_configured() -> bool:
    """True when ``[auth]`` is in the secrets (so ``st.login`` works)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all (Streamlit's error subclasses this)
        return False


def _role_mapping() -> Mapping[str, object]:
    try:
        return dict(st.secrets.get("roles", {}))
    except FileNotFoundError:
        return {}


def current(settings: Settings) -> Operator:
    configured = sign_in_configured()
    claims = st.user.to_dict() if configured and st.user.is_logged_in else None
    return resolve(
        settings,
        sign_in_configured=configured,
        claims=claims,
        role_mapping=_role_mapping() if configured else {},
        typed_name=st.session_state.get(TYPED_KEY),
        typed_role=st.session_state.get(TYPED_ROLE_KEY),
    )
