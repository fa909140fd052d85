"""Status derivation, the table frame, filters and Needs attention: pure functions."""

from __future__ import annotations

import datetime as dt

from dashboard import overview
from dashboard.models import Connection, Directory, LinkSummary, OnboardingStatus, Organization
from dashboard.onboarding import history_timeline, scim_state, sso_state

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def conn(status: str, enabled: bool = False, provider: str = "Okta") -> Connection:
    return Connection("conn_1", "org_1", provider, "SAML", status, enabled, NOW)


def test_sso_state_is_the_furthest_connection() -> None:
    assert sso_state([]) == ("none", None)
    assert sso_state([conn("draft"), conn("in_progress", provider="Google Workspace")]) == (
        "in_progress",
        "Google Workspace",
    )
    assert sso_state([conn("completed")]) == ("configured", "Okta")
    assert sso_state([conn("draft"), conn("completed", enabled=True, provider="JumpCloud")]) == (
        "enabled",
        "JumpCloud",
    )


def test_scim_state_counts_users_of_enabled_directories() -> None:
    directory = Directory("dir_1", "org_1", "d", "Okta", True, 120, 9, NOW)
    assert scim_state([]) == ("none", None)
    assert scim_state([directory]) == ("enabled", 120)
    off = Directory("dir_2", "org_1", "d", "Okta", False, 0, 0, None)
    assert scim_state([off]) == ("disabled", None)


def org(n: int, region: str = "US") -> Organization:
    return Organization(f"org_{n}", f"Org {n}", None, region, NOW, NOW)


def status(n: int, sso: str, scim: str = "none") -> OnboardingStatus:
    return OnboardingStatus(f"org_{n}", sso, "Okta", scim, 5 if scim == "enabled" else None, NOW)


def summary(
    n: int,
    active: int,
    next_expiry: dt.datetime | None,
    last_expires: dt.datetime,
    revoked: dt.datetime | None = None,
) -> LinkSummary:
    return LinkSummary(
        f"org_{n}", active, next_expiry, NOW - dt.timedelta(days=1), "ana", last_expires, revoked
    )


def test_frame_and_filters() -> None:
    orgs = [org(1), org(2, "EU"), org(3)]
    statuses = {"org_1": status(1, "enabled", "enabled"), "org_2": status(2, "draft")}
    links = {"org_2": summary(2, 1, NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=2))}
    frame = overview.organization_frame(orgs, statuses, links)
    assert list(frame["SSO"]) == ["Enabled", "Draft", overview.CHECKING]
    assert list(frame["Directory sync"]) == ["Enabled · 5 users", "None", overview.CHECKING]
    assert list(frame["Active links"]) == [0, 1, 0]
    pick = overview.apply_filters
    assert list(pick(frame, overview.Filters(sso=["enabled", "draft"]))["ID"]) == ["org_1", "org_2"]
    assert list(pick(frame, overview.Filters(scim=["enabled"]))["ID"]) == ["org_1"]
    assert list(pick(frame, overview.Filters(regions=["EU"]))["ID"]) == ["org_2"]
    assert list(pick(frame, overview.Filters(active_link_only=True))["ID"]) == ["org_2"]
    assert len(pick(frame, overview.Filters())) == 3


def test_needs_attention_order_and_urgency() -> None:
    orgs = [org(n) for n in range(1, 7)]
    statuses = {
        "org_1": status(1, "draft"),
        "org_2": status(2, "none"),
        "org_3": status(3, "enabled"),
        "org_4": status(4, "in_progress"),
        "org_5": status(5, "none"),
    }
    links = {
        "org_1": summary(1, 1, NOW + dt.timedelta(days=5), NOW + dt.timedelta(days=5)),
        "org_2": summary(2, 2, NOW + dt.timedelta(hours=20), NOW + dt.timedelta(days=6)),
        "org_3": summary(3, 1, NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)),  # SSO on: fine
        "org_4": summary(4, 0, None, NOW - dt.timedelta(days=3)),  # expired unused
        "org_5": summary(5, 0, None, NOW - dt.timedelta(days=1), revoked=NOW - dt.timedelta(days=2)),
        "org_6": summary(6, 0, None, NOW - dt.timedelta(days=1)),  # status unknown yet: listed
    }
    frame = overview.needs_attention(orgs, statuses, links, NOW)
    assert list(frame["ID"]) == ["org_2", "org_1", "org_6", "org_4"]
    assert list(frame["Urgent"]) == [True, False, False, False]
    assert list(frame["Why"][:2]) == ["Link out, SSO not enabled"] * 2
    assert list(frame["When"]) == [
        "expires in 20 hours",
        "expires in 5 days",
        "expired 1 day ago",
        "expired 3 days ago",
    ]


def test_history_timeline_newest_first() -> None:
    from dashboard.models import Issuance
    from tests.test_store import new  # the same row builder as the store tests

    def issuance(link: str, issued: dt.datetime, **extra: object) -> Issuance:
        base = new(link_id=link, when=issued)
        return Issuance(
            id=1,
            revoked_at=extra.get("revoked_at"),
            revoked_by=extra.get("revoked_by"),
            **{k: getattr(base, k) for k in base.__dataclass_fields__},
        )

    entries = history_timeline(
        [
            issuance("a", NOW - dt.timedelta(days=10)),
            issuance("b", NOW - dt.timedelta(days=2), revoked_at=NOW - dt.timedelta(days=1), revoked_by="bo"),
        ],
        NOW,
    )
    assert [what for _, what, _ in entries] == [
        "Link revoked",
        "Shareable link issued (SSO + Directory sync)",
        "Link expired",
        "Shareable link issued (SSO + Directory sync)",
    ]
    assert entries[0][2] == "bo"
