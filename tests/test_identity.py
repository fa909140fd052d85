"""Who is operating: sign-in wins when configured, then DASHBOARD_OPERATOR, then a typed name."""

from __future__ import annotations

from dashboard.config import Settings
from dashboard.identity import resolve


def test_sign_in_wins_and_unknown_until_signed_in() -> None:
    settings = Settings(operator="env@portal.test")
    signed = resolve(settings, sign_in_configured=True, signed_in_email="sso@portal.test", typed_name="x")
    assert (signed.name, signed.source, signed.known) == ("sso@portal.test", "sign-in", True)
    waiting = resolve(settings, sign_in_configured=True, signed_in_email=None, typed_name="typed")
    assert (waiting.known, waiting.source) == (False, "unknown")


def test_environment_then_typed_name() -> None:
    from_env = resolve(
        Settings(operator="env@portal.test"),
        sign_in_configured=False,
        signed_in_email=None,
        typed_name="typed",
    )
    assert (from_env.name, from_env.source) == ("env@portal.test", "environment")
    typed = resolve(Settings(), sign_in_configured=False, signed_in_email=None, typed_name="  Cy Rep ")
    assert (typed.name, typed.source) == ("Cy Rep", "typed")
    assert not resolve(Settings(), sign_in_configured=False, signed_in_email=None, typed_name="  ").known
