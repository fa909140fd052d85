"""Status derivation, the table frame, filters and Needs attention: pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dashboard.models import (
    Connection,
    Directory,
    Invitation,
    InvitationSummary,
    Issuance,
    OnboardingStatus,
    Organization,
)
from dashboard.organizations import history_timeline, scim_state, sso_state
from dashboard.organizations import table as overview

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
    usable: int,
    next_expiry: dt.datetime | None,
    last_expires: dt.datetime,
    revoked: dt.datetime | None = None,
    opened: int = 0,
    last_opened: dt.datetime | None = None,
) -> InvitationSummary:
    return InvitationSummary(
        f"org_{n}",
        usable,
        next_expiry,
        opened,
        NOW - dt.timedelta(days=1),
        "ana",
        last_expires,
        revoked,
        last_opened,
    )


def test_frame_and_filters() -> None:
    orgs = [org(1), org(2, "EU"), org(3)]
    statuses = {"org_1": status(1, "enabled", "enabled"), "org_2": status(2, "draft")}
    links = {"org_2": summary(2, 1, NOW + dt.timedelta(days=2), NOW + dt.timedelta(days=2))}
    frame = overview.organization_frame(orgs, statuses, links)
    assert list(frame["SSO"]) == ["Enabled · Okta", "Draft · Okta", overview.CHECKING]
    assert list(frame["Last by"]) == ["", "ana", ""]
    assert frame["Last invitation"].isna().tolist() == [True, False, True]
    assert frame["Last invitation"][1] == NOW - dt.timedelta(days=1)  # a time: the browser says "1 day ago"
    assert list(frame["Directory sync"]) == ["Enabled · 5 users", "None", overview.CHECKING]
    assert list(frame["Open invitations"]) == [0, 1, 0]
    pick = overview.apply_filters
    assert list(pick(frame, overview.Filters(sso=["enabled", "draft"]))["ID"]) == ["org_1", "org_2"]
    assert list(pick(frame, overview.Filters(scim=["enabled"]))["ID"]) == ["org_1"]
    assert list(pick(frame, overview.Filters(regions=["EU"]))["ID"]) == ["org_2"]
    assert list(pick(frame, overview.Filters(active_link_only=True))["ID"]) == ["org_2"]
    assert len(pick(frame, overview.Filters())) == 3


def test_needs_attention_order_and_urgency() -> None:
    orgs = [org(n) for n in range(1, 8)]
    statuses = {
        "org_1": status(1, "draft"),
        "org_2": status(2, "none"),
        "org_3": status(3, "enabled"),
        "org_4": status(4, "in_progress"),
        "org_5": status(5, "none"),
        "org_7": status(7, "draft"),
    }
    hours, days = dt.timedelta(hours=1), dt.timedelta(days=1)
    links = {
        "org_1": summary(1, 1, NOW + 5 * days, NOW + 5 * days),
        "org_2": summary(2, 2, NOW + 20 * hours, NOW + 6 * days),
        "org_3": summary(3, 1, NOW + hours, NOW + hours),  # SSO on: fine
        "org_4": summary(4, 0, None, NOW - 3 * days),  # expired unopened
        "org_5": summary(5, 0, None, NOW - days, revoked=NOW - 2 * days),  # revoked: a choice, not a lapse
        "org_6": summary(6, 0, None, NOW - days),  # status unknown yet: listed
        "org_7": summary(7, 1, NOW + 3 * days, NOW + 3 * days, opened=1, last_opened=NOW - hours),
    }
    frame = overview.needs_attention(orgs, statuses, links, NOW)
    assert list(frame["ID"]) == ["org_2", "org_1", "org_7", "org_6", "org_4"]
    assert list(frame["Urgent"]) == [True, False, False, False, False]
    assert (
        list(frame["Why"])
        == ["Invitation not opened yet"] * 2
        + ["Opened, SSO not enabled yet"]
        + ["Last invitation expired unopened"] * 2
    )
    assert list(frame["When"]) == [
        "expires in 20 hours",
        "expires in 5 days",
        "expires in 3 days",
        "expired 1 day ago",
        "expired 3 days ago",
    ]


def test_history_timeline_newest_first() -> None:
    invitation = Invitation(
        id=7,
        reference="INV-000007",
        environment="emulator",
        organization_id="org_1",
        organization_name="Org 1",
        features=("sso",),
        issued_by="ana",
        issued_at=NOW - dt.timedelta(days=10),
        expires_at=NOW - dt.timedelta(days=3),
        recipient_email="it@org1.example",
        sent_at=NOW - dt.timedelta(days=10) + dt.timedelta(minutes=1),
        first_opened_at=NOW - dt.timedelta(days=9),
        last_opened_at=NOW - dt.timedelta(days=8),
        open_count=2,
    )
    preview = Issuance(
        1,
        None,
        "org_1",
        "Org 1",
        ("sso",),
        "embed",
        "bo",
        NOW - dt.timedelta(days=1),
        NOW - dt.timedelta(days=1),
        "emulator",
        "f" * 64,
    )
    opened_mint = Issuance(
        2,
        None,
        "org_1",
        "Org 1",
        ("sso",),
        "invitation",
        "ana",
        NOW - dt.timedelta(days=9),
        None,
        "emulator",
        "f" * 64,
        invitation_id=7,
    )
    entries = history_timeline(
        [invitation], [preview, opened_mint], [], (NOW - dt.timedelta(days=2), "status"), NOW
    )
    assert [e.what for e in entries] == [
        "LNK-000001 Portal preview session (SSO)",
        "SSO enabled (seen by a status check)",
        "INV-000007 expired",
        "INV-000007 opened again (2× in all)",
        "INV-000007 opened for the first time",
        "INV-000007 emailed for it@org1.example",
        "INV-000007 created (SSO) for it@org1.example",
    ]
    assert [e.who for e in entries][:1] == ["bo"]


def test_changes_since_the_last_visit_are_marked() -> None:
    orgs = [org(1), org(2), org(3)]
    visit = NOW - dt.timedelta(hours=5)
    statuses = {
        "org_1": dataclasses.replace(status(1, "enabled"), changed_at=NOW - dt.timedelta(hours=2)),
        "org_2": dataclasses.replace(status(2, "draft"), changed_at=NOW - dt.timedelta(days=3)),
        "org_3": dataclasses.replace(status(3, "none", "none"), sso=None),  # half known: SSO pending
    }
    opened = NOW - dt.timedelta(hours=3)  # the rep opened the page three hours ago
    frame = overview.organization_frame(orgs, statuses, {}, since=visit, watching_since=opened)
    assert frame["Changed"][0] == NOW - dt.timedelta(hours=2) and frame["Changed"][1:].isna().all()
    assert list(frame["New"]) == [overview.NEW, "", ""]  # changed while the page was open
    assert list(frame["SSO"])[2] == overview.CHECKING and list(frame["Directory sync"])[2] == "None"
    first_visit = overview.organization_frame(orgs, statuses, {}, since=None)
    assert first_visit["Changed"].isna().all() and set(first_visit["New"]) == {""}  # nothing to compare with


def test_one_table_serves_every_visit_each_marked_for_its_own() -> None:
    """The page builds the table once per history version and marks each visit on it: the
    result is the table built for that visit, and the shared table is left unmarked."""
    orgs = [org(1), org(2), org(3)]
    statuses = {
        "org_1": dataclasses.replace(status(1, "enabled"), changed_at=NOW - dt.timedelta(hours=2)),
        "org_2": dataclasses.replace(status(2, "draft"), changed_at=NOW - dt.timedelta(days=3)),
    }
    shared = overview.base_frame(orgs, statuses, {})
    for since, opened in [
        (NOW - dt.timedelta(hours=5), NOW - dt.timedelta(hours=3)),
        (None, NOW),
        (NOW, None),
    ]:
        built = overview.organization_frame(orgs, statuses, {}, since=since, watching_since=opened)
        assert overview.mark_changes(shared, since, opened).equals(built)
    assert shared["Changed"].isna().all() and set(shared["New"]) == {""}
