"""Who is operating the dashboard: the signed-in user, DASHBOARD_OPERATOR, or a typed name."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .config import Settings

TYPED_KEY = "operator_name"


@dataclass(frozen=True)
class Operator:
    name: str | None  # None: unknown, so issuing and revoking stay disabled
    source: str  # "sign-in", "environment", "typed", "unknown"

    @property
    def known(self) -> bool:
        return bool(self.name)


def resolve(
    settings: Settings, *, sign_in_configured: bool, signed_in_email: str | None, typed_name: str | None
) -> Operator:
    """The rules, free of Streamlit: sign-in wins when configured; then the environment; then
    what the rep typed this session."""
    if sign_in_configured:
        return Operator(signed_in_email, "sign-in") if signed_in_email else Operator(None, "unknown")
    if settings.operator:
        return Operator(settings.operator, "environment")
    typed = (typed_name or "").strip()
    return Operator(typed, "typed") if typed else Operator(None, "unknown")


def sign_in_configured() -> bool:
    """True when ``[auth]`` is set in ``.streamlit/secrets.toml`` (so ``st.login`` works)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all (Streamlit's error subclasses this)
        return False


def current(settings: Settings) -> Operator:
    configured = sign_in_configured()
    claim = st.user.get("email") if configured and st.user.is_logged_in else None
    email = claim if isinstance(claim, str) else None
    return resolve(
        settings,
        sign_in_configured=configured,
        signed_in_email=email,
        typed_name=st.session_state.get(TYPED_KEY),
    )
