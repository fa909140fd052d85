"""Who is operating, with which role: sign-in wins when configured; in a live environment without
it, only DASHBOARD_OPERATOR acts; a typed (unverified) name on the emulator only."""

from __future__ import annotations

import pytest

from dashboard import permissions
from dashboard.config import Settings
from dashboard.errors import NotPermitted
from dashboard.identity import resolve, role_for
from dashboard.models import Operator

from .people import ANA, BO, NOBODY, OMAR, VIV

LIVE = {"environment_url": "https://acme.scalekit.dev", "client_id": "skc_1", "client_secret": "s"}
MAPPING = {
    "admin": ["omar@portal.test"],
    "manager": ["maya@portal.test", "@managers.portal.test"],
    "rep": ["@portal.test"],
    "claim": "roles",
}


def who(settings: Settings, *, configured: bool = False, claims=None, typed=None, role=None) -> Operator:
    return resolve(
        settings,
        sign_in_configured=configured,
        claims=claims,
        role_mapping=MAPPING,
        typed_name=typed,
        typed_role=role,
    )


def test_sign_in_wins_and_nobody_acts_until_signed_in() -> None:
    settings = Settings(operator="env@portal.test")
    signed = who(
        settings, configured=True, claims={"email": "maya@portal.test", "name": "Maya Chen"}, typed="x"
    )
    assert (signed.name, signed.role, signed.source, signed.display_name) == (
        "maya@portal.test",
        "manager",
        "sign-in",
        "Maya Chen",
    )
    waiting = who(settings, configured=True, claims=None, typed="typed", role="admin")
    assert (waiting.known, waiting.source) == (False, "unknown")


def test_roles_by_email_then_domain_then_claim_else_viewer() -> None:
    assert role_for("Omar@Portal.test", {}, MAPPING) == "admin"  # listed email, any case
    assert role_for("kim@managers.portal.test", {}, MAPPING) == "manager"  # a domain
    assert role_for("ana@portal.test", {"roles": ["admin"]}, MAPPING) == "rep"  # the email's role first
    assert role_for("x@elsewhere.test", {"roles": ["rep", "manager"]}, MAPPING) == "manager"  # the claim
    assert role_for("x@elsewhere.test", {"roles": "superuser"}, MAPPING) == "viewer"  # unknown role
    assert role_for("x@elsewhere.test", {}, {}) == "viewer"  # signed in, mapped to nothing


def test_live_without_sign_in_only_the_named_operator_acts() -> None:
    named = who(Settings(**LIVE, operator="ops@acme.test", operator_role="manager"), typed="Mallory")
    assert (named.name, named.role, named.source) == ("ops@acme.test", "manager", "environment")
    anonymous = who(Settings(**LIVE), typed="Mallory", role="admin")
    assert not anonymous.known  # a typed name counts on the emulator only
    # Exactly what to set, not "sign in" where nobody can.
    with pytest.raises(
        NotPermitted, match=r"cannot create or change invitations\. .*set `DASHBOARD_OPERATOR`"
    ):
        permissions.require(anonymous, "invite")
    assert "[auth]" in str(anonymous.to_act)


def test_typed_names_on_the_emulator_are_unverified() -> None:
    typed = who(Settings(), typed="  Cy Rep ", role="manager")
    assert (typed.name, typed.role, typed.source) == ("Cy Rep", "manager", "typed")  # marked as typed
    assert who(Settings(), typed="Cy", role="owner").role == "rep"  # an unknown role is a rep
    assert not who(Settings(), typed="  ").known


@pytest.mark.parametrize(
    ("operator", "allowed"),
    [
        (NOBODY, {"read"}),
        (VIV, {"read"}),
        (ANA, {"read", "invite", "direct_link", "preview", "revoke_own", "own"}),
        (
            BO,
            {
                "read",
                "invite",
                "direct_link",
                "preview",
                "revoke_own",
                "revoke_any",
                "stats_all",
                "export",
                "own",
                "assign_owner",
                "activity",
            },
        ),
        (OMAR, set(permissions.REQUIRED)),
    ],
)
def test_each_role_can_exactly_its_actions(operator: Operator, allowed: set[str]) -> None:
    assert {action for action in permissions.REQUIRED if permissions.can(operator, action)} == allowed
    for action in set(permissions.REQUIRED) - allowed:
        with pytest.raises(NotPermitted):
            permissions.require(operator, action)
        assert permissions.reason(operator, action)


def test_the_refusal_names_the_role_it_takes() -> None:
    assert permissions.reason(ANA, "revoke_any") == (
        "Your role (rep) cannot revoke, extend, resend or send a reminder for another rep's invitation: "
        "it takes a manager or above. Ask a manager."
    )
    assert permissions.revoking(ANA, ANA.name or "") == "revoke_own"
    assert permissions.revoking(ANA, "ben@portal.test") == "revoke_any"
    assert permissions.revoking(NOBODY, "") == "revoke_any"  # nobody owns an invitation by having no name
