"""Owners of organizations and the Needs attention CSV, on real SQLite files and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from dashboard.errors import InvalidInput, NotPermitted
from dashboard.history import History, NewInvitation, fingerprint
from dashboard.models import OnboardingStatus, Organization
from dashboard.organizations import board, owners
from dashboard.organizations import table as overview
from dashboard.organizations.export import attention_csv

from .people import ANA, BEN, BO, NOBODY, VIV

ENV = "emulator"
NOW = dt.datetime.now(dt.UTC)
ACME = Organization("org_acme1", "Acme", "CRM-1", "US", NOW - dt.timedelta(days=30), None, True, True)
HOSTILE = Organization("org_hostile1", '=HYPERLINK("https://evil.test","x")', None, "EU", None, None)


def invite(history: History, org: Organization, by: str, *, hours: float = 72, token: str = "t") -> None:
    history.invitations.create(
        NewInvitation(
            fingerprint(f"{org.id}-{token}"),
            ENV,
            org.id,
            org.display_name,
            ("sso",),
            by,
            NOW - dt.timedelta(days=1),
            NOW + dt.timedelta(hours=hours),
        )
    )


def shown_owner(history: History) -> dict[str, str]:
    """The owner each organization shows on the Organizations table, as the page reads it."""
    history.listing.save(ENV, [ACME, HOSTILE], NOW)
    read = board.read(history, ENV, ("v",))
    frame = overview.base_frame(read.organizations, read.statuses, read.summaries, read.owners, NOW)
    return dict(zip(frame["ID"], frame["owner"], strict=True))


def logged(history: History) -> list[dict]:
    return [
        json.loads(a.details) | {"by": a.actor} for a in history.activity.search(ENV, actions=["owner_set"])
    ]


def test_the_last_inviter_owns_until_someone_takes_it(history: History) -> None:
    assert shown_owner(history) == {ACME.id: "", HOSTILE.id: ""}
    invite(history, ACME, BEN.name)
    assert shown_owner(history)[ACME.id] == BEN.name
    assert owners.current(history, ENV, ACME.id) == owners.Owner(BEN.name, False)

    owners.set_owner(history, ANA, environment=ENV, organization=ACME, owner=ANA.name)
    assert shown_owner(history)[ACME.id] == ANA.name  # kept in the history, over the last inviter
    assert History(history.url).owners.of(ENV, ACME.id) == ANA.name  # another process reads it
    owners.set_owner(history, ANA, environment=ENV, organization=ACME, owner=None)
    assert shown_owner(history)[ACME.id] == BEN.name
    assert logged(history) == [
        {"owner": "nobody (the last inviter shows)", "was": ANA.name, "by": ANA.name},
        {"owner": ANA.name, "was": "nobody", "by": ANA.name},
    ]


def test_a_rep_cannot_take_a_colleagues_organization_or_hand_one_over(history: History) -> None:
    owners.set_owner(history, BEN, environment=ENV, organization=ACME, owner=BEN.name)
    with pytest.raises(NotPermitted, match="manager"):
        owners.set_owner(history, ANA, environment=ENV, organization=ACME, owner=ANA.name)
    with pytest.raises(NotPermitted, match="manager"):
        owners.set_owner(history, ANA, environment=ENV, organization=ACME, owner=None)
    with pytest.raises(NotPermitted, match="manager"):
        owners.set_owner(history, BEN, environment=ENV, organization=ACME, owner=ANA.name)
    for nobody in (VIV, NOBODY):
        with pytest.raises(NotPermitted):
            owners.set_owner(history, nobody, environment=ENV, organization=HOSTILE, owner=nobody.name)
    assert history.owners.load(ENV) == {ACME.id: BEN.name} and len(logged(history)) == 1


def test_a_manager_hands_an_organization_over_and_clears_it(history: History) -> None:
    owners.set_owner(history, BEN, environment=ENV, organization=ACME, owner=BEN.name)
    owners.set_owner(history, BO, environment=ENV, organization=ACME, owner=f"  {ANA.name} ")
    assert history.owners.of(ENV, ACME.id) == ANA.name
    with pytest.raises(InvalidInput, match="already owns"):
        owners.set_owner(history, BO, environment=ENV, organization=ACME, owner=ANA.name)
    with pytest.raises(InvalidInput, match="control characters"):
        owners.set_owner(history, BO, environment=ENV, organization=ACME, owner="ana\u202e@portal.test")
    owners.set_owner(history, BO, environment=ENV, organization=ACME, owner="")
    assert history.owners.of(ENV, ACME.id) is None
    assert [entry["by"] for entry in logged(history)] == [BO.name, BO.name, BEN.name]
    assert set(owners.team(history, ENV)) == {BEN.name, BO.name}


def test_my_organizations_and_the_mine_count_follow_the_owner(history: History) -> None:
    invite(history, ACME, ANA.name, hours=10)
    invite(history, HOSTILE, ANA.name, hours=72)
    owners.set_owner(history, BO, environment=ENV, organization=HOSTILE, owner=BEN.name)
    history.listing.save(ENV, [ACME, HOSTILE], NOW)
    read = board.read(history, ENV, ("v",))
    frame = overview.organization_frame(read.organizations, {}, read.summaries, owners=read.owners, now=NOW)
    mine = overview.apply_filters(frame, overview.Filters(owner=ANA.name))
    assert list(mine["ID"]) == [ACME.id]
    attention = overview.needs_attention(read.organizations, {}, read.summaries, NOW, read.owners)
    assert list(attention["ID"]) == [ACME.id, HOSTILE.id]
    assert list(attention["owner"]) == [ANA.name, BEN.name] and list(attention["Owner"]) == ["ana", "ben"]
    assert list(attention.columns[:5]) == ["Name", "Why", "Invitation expires", "When", "Urgent"]


def test_the_last_invitation_says_where_it_stands() -> None:
    def summary(**changes: object):
        base = dict(
            organization_id=ACME.id, usable=1, next_expiry=NOW + dt.timedelta(days=2), opened=0,
            last_issued_at=NOW - dt.timedelta(days=1), last_issued_by=ANA.name,
            last_expires_at=NOW + dt.timedelta(days=2), last_revoked_at=None, last_opened_at=None,
        )  # fmt: skip
        from dashboard.models import InvitationSummary

        return {ACME.id: InvitationSummary(**(base | changes))}

    def state(**changes: object) -> str:
        return overview.base_frame([ACME], {}, summary(**changes), now=NOW)["Invitation"].iloc[0]

    assert state() == "Not opened"
    assert state(last_opened=True, last_opened_at=NOW) == "Opened"
    # An older invitation opened lately says nothing of the last one.
    assert state(last_opened_at=NOW) == "Not opened"
    assert state(last_expires_at=NOW - dt.timedelta(hours=1)) == "Expired unopened"
    assert state(last_revoked_at=NOW) == "Revoked"
    assert overview.base_frame([ACME], {}, {}, now=NOW)["Invitation"].iloc[0] == ""


def test_the_attention_csv_holds_no_credential_and_runs_no_formula(history: History) -> None:
    invite(history, HOSTILE, ANA.name, hours=10, token="secret-token-value")
    history.listing.save(ENV, [HOSTILE], NOW)
    read = board.read(history, ENV, ("v",))
    statuses = {HOSTILE.id: OnboardingStatus(HOSTILE.id, "none", None, "none", None, NOW)}
    attention = overview.needs_attention(read.organizations, statuses, read.summaries, NOW, read.owners)
    with pytest.raises(NotPermitted, match="manager"):
        attention_csv(history, ANA, ENV, attention)
    text = attention_csv(history, BO, ENV, attention)
    [heading, row] = list(csv.reader(io.StringIO(text)))
    assert heading == [
        "Organization", "Why", "Invitation expires (UTC)", "Urgent", "Last invitation by", "Owner", "SSO",
        "Organization id",
    ]  # fmt: skip
    assert row[0] == "'" + HOSTILE.display_name  # shown as text by a spreadsheet, never run
    assert row[1:4] == ["Invitation not opened yet", (NOW + dt.timedelta(hours=10)).isoformat(), "yes"]
    assert row[4:] == [ANA.name, ANA.name, "None", HOSTILE.id]
    invitation = history.invitations.for_organization(ENV, HOSTILE.id)[0]
    assert "secret-token-value" not in text and fingerprint(f"{HOSTILE.id}-secret-token-value") not in text
    assert invitation.reference not in text and not any("http" in value for value in row[1:])
    [export] = history.activity.search(ENV, actions=["csv_exported"])
    assert json.loads(export.details) == {"export": "needs attention", "rows": 1}
