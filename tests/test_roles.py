"""Roles are enforced by the services themselves, and every action leaves one activity row.

Everything here goes through the real services, the emulator (through the SDK) and a real SQLite
file: a page could be skipped, the services cannot.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from dashboard import activity, invitations, links, organizations, reporting
from dashboard.errors import NotPermitted
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.history.stats import StatsFilter
from dashboard.mailer import Mailer
from dashboard.models import ACTIVITY_LABELS, Operator
from dashboard.organizations import owners

from .mail_server import settings as smtp_settings
from .people import ANA, BEN, BO, OMAR, VIV

ENV = "emulator"
RELAY = "https://relay.portal.test"


def invite(gateway: ScalekitGateway, history: History, org_id: str, operator: Operator = ANA, **more):
    return invitations.create(
        gateway,
        history,
        environment=ENV,
        relay_url=RELAY,
        organization=gateway.get_organization(org_id),
        features=["sso"],
        days=7,
        operator=operator,
        **more,
    )


def rows(history: History) -> list[tuple]:
    query = "SELECT actor, role, action, organization_id, details FROM activity ORDER BY id"
    with history.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(query)]


def test_every_action_leaves_one_row_and_no_secret(
    smtp, gateway: ScalekitGateway, history: History, org_id: str, tmp_path: Path
) -> None:
    _, port, ca_file = smtp
    mailer = Mailer(smtp_settings(port, ca_file))
    org = gateway.get_organization(org_id)
    secrets: list[str] = []

    issued = invite(gateway, history, org_id, recipient_email="it@acme.example")
    secrets.append(issued.url)
    invitations.send(history, mailer, issued, operator=ANA)
    ref = dict(environment=ENV, invitation_id=issued.invitation.id)
    invitations.extend(history, **ref, days=10, operator=ANA)
    resent = invitations.replace_link(history, **ref, relay_url=RELAY, operator=ANA)
    secrets.append(resent.url)
    invitations.remind(history, mailer, **ref, operator=ANA)  # emailed: it has a recipient
    invitations.revoke(gateway, history, **ref, operator=BO)  # a manager revokes Ana's
    direct = links.open_now(
        gateway, history, environment=ENV, organization=org, features=["sso"], operator=ANA
    )
    embed = links.start_preview(
        gateway, history, environment=ENV, organization=org, features=["sso"], operator=ANA
    )
    secrets += [direct.link.location, direct.link.id, embed.link.location, embed.link.id]
    made = organizations.create(
        gateway, history, OMAR, environment=ENV, display_name="Logged Co", region="EU"
    )
    organizations.set_feature(
        gateway, history, OMAR, environment=ENV, organization_id=made.id, feature="dir_sync", enabled=False
    )
    owners.set_owner(history, OMAR, environment=ENV, organization=made, owner=ANA.name)
    renamed = organizations.update(
        gateway,
        history,
        OMAR,
        environment=ENV,
        organization=made,
        display_name="Logged Co 2",
        external_id="X-1",
    )
    organizations.delete(
        gateway, history, OMAR, environment=ENV, organization=renamed, confirmation="Logged Co 2"
    )
    now = dt.datetime.now(dt.UTC)
    reporting.issued_csv(
        history, BO, StatsFilter(ENV, now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    )
    signed_in = Operator("maya@portal.test", "manager", "sign-in", "Maya Chen")
    claims = {"email": "maya@portal.test", "iat": int(now.timestamp()), "iss": "http://127.0.0.1:1"}
    assert activity.record_sign_in(history, signed_in, ENV, claims)
    assert not activity.record_sign_in(history, signed_in, ENV, claims)  # a reload: the same sign-in

    written = rows(history)
    assert sorted(action for _, _, action, _, _ in written) == sorted(ACTIVITY_LABELS)  # each once
    by_action = {
        action: (actor, role, org, json.loads(details)) for actor, role, action, org, details in written
    }
    assert by_action["invitation_created"][:3] == ("ana@portal.test", "rep", org_id)
    assert by_action["invitation_created"][3]["reference"] == issued.invitation.reference
    assert by_action["invitation_revoked"][:2] == ("bo@portal.test", "manager")
    assert by_action["invitation_reminded"][3]["channel"] == "email"
    assert by_action["invitation_revoked"][3]["issued_by"] == "ana@portal.test"
    assert by_action["feature_toggled"][3] == {"enabled": False, "feature": "Directory sync"}
    assert by_action["organization_updated"][3]["changed"] == ["display name", "external id"]
    assert by_action["csv_exported"][:2] == ("bo@portal.test", "manager")
    assert by_action["signed_in"][:2] == ("maya@portal.test", "manager")
    # Links, invitation URLs and link ids are credentials: none of them is in the log.
    dump = "\n".join(str(row) for row in written)
    assert not [s for s in secrets if s in dump or s.rsplit("/", 1)[-1] in dump]


def test_a_rep_cannot_revoke_another_reps_invitation(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = invite(gateway, history, org_id, operator=BEN)
    with pytest.raises(NotPermitted, match="takes a manager"):
        invitations.revoke(
            gateway, history, environment=ENV, invitation_id=issued.invitation.id, operator=ANA
        )
    assert history.invitations.get(ENV, issued.invitation.id).usable()
    own = invite(gateway, history, org_id, operator=ANA)
    invitations.revoke(gateway, history, environment=ENV, invitation_id=own.invitation.id, operator=ANA)
    assert [r[2] for r in rows(history)] == ["invitation_created", "invitation_created", "invitation_revoked"]


def test_a_rep_cannot_extend_or_resend_another_reps_invitation_even_expired(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    issued = invite(gateway, history, org_id, operator=BEN)
    ref = dict(environment=ENV, invitation_id=issued.invitation.id)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)  # Ben's invitation has expired by then
    before = history.invitations.get(ENV, issued.invitation.id)
    for now in (None, later):
        with pytest.raises(NotPermitted, match="takes a manager"):
            invitations.extend(history, **ref, days=7, operator=ANA, now=now)
        with pytest.raises(NotPermitted, match="takes a manager"):
            invitations.replace_link(history, **ref, relay_url=RELAY, operator=ANA, now=now)
        with pytest.raises(NotPermitted, match="takes a manager"):
            invitations.revoke(gateway, history, **ref, operator=ANA, now=now)
    assert history.invitations.get(ENV, issued.invitation.id) == before  # every refusal changed nothing
    assert [r[2] for r in rows(history)] == ["invitation_created"]
    invitations.extend(history, **ref, days=7, operator=BEN, now=later)  # Ben revives his own
    invitations.replace_link(history, **ref, relay_url=RELAY, operator=BO)  # a manager anyone's
    assert [r[:3] for r in rows(history)][1:] == [
        ("ben@portal.test", "rep", "invitation_extended"),
        ("bo@portal.test", "manager", "invitation_resent"),
    ]


@pytest.mark.parametrize("operator", [ANA, BO])
def test_only_admins_change_organizations(
    operator: Operator, gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    before = gateway.get_organization(org_id)
    change = dict(environment=ENV)
    with pytest.raises(NotPermitted, match="takes an admin"):
        organizations.create(gateway, history, operator, **change, display_name="Nope Co")
    with pytest.raises(NotPermitted):
        organizations.set_feature(
            gateway, history, operator, **change, organization_id=org_id, feature="sso", enabled=False
        )
    with pytest.raises(NotPermitted):
        organizations.update(
            gateway, history, operator, **change, organization=before, display_name="X", external_id=""
        )
    with pytest.raises(NotPermitted):
        organizations.delete(
            gateway, history, operator, **change, organization=before, confirmation=before.display_name
        )
    assert gateway.get_organization(org_id) == before
    assert not [o for o in gateway.search_organizations("Nope Co") if o.display_name == "Nope Co"]
    assert rows(history) == []


def test_viewers_read_only(gateway: ScalekitGateway, history: History, org_id: str, emulator) -> None:
    org = gateway.get_organization(org_id)
    for start in (links.open_now, links.start_preview):
        with pytest.raises(NotPermitted, match="viewer"):
            start(gateway, history, environment=ENV, organization=org, features=["sso"], operator=VIV)
    with pytest.raises(NotPermitted):
        invite(gateway, history, org_id, operator=VIV)
    assert emulator.backends.portal.live_links(org_id) == []  # nothing was minted at Scalekit
    assert history.links.for_organization(ENV, org_id) == [] and rows(history) == []


def test_managers_alone_read_the_log_and_export(
    gateway: ScalekitGateway, history: History, org_id: str
) -> None:
    invite(gateway, history, org_id, operator=ANA)
    everything = activity.ActivityFilter()
    with pytest.raises(NotPermitted, match="read the activity log"):
        activity.search(history, ANA, ENV, everything)
    found = activity.search(history, BO, ENV, everything)
    assert [(a.actor, a.action) for a in found] == [("ana@portal.test", "invitation_created")]
    now = dt.datetime.now(dt.UTC)
    window = StatsFilter(ENV, now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    with pytest.raises(NotPermitted, match="export"):
        reporting.issued_csv(history, ANA, window)
    with pytest.raises(NotPermitted, match="export"):
        reporting.activity_csv(history, ANA, ENV, found)
    exported = reporting.activity_csv(history, BO, ENV, found)
    assert "ana@portal.test,Rep,Invitation created" in exported
    newest = activity.search(history, BO, ENV, everything)[0]
    assert newest.action == "csv_exported"


def test_a_rep_sees_the_statistics_of_their_own_work() -> None:
    now = dt.datetime.now(dt.UTC)
    wanted = StatsFilter(ENV, now - dt.timedelta(days=30), now)
    assert reporting.scope(ANA, wanted).reps == ("ana@portal.test",)
    assert reporting.scope(BO, wanted).reps == ()  # the whole team
    with pytest.raises(NotPermitted, match="own work"):
        reporting.scope(ANA, StatsFilter(ENV, wanted.start, wanted.end, reps=("ben@portal.test",)))
    with pytest.raises(NotPermitted):
        reporting.scope(VIV, wanted)


def test_exports_keep_formulas_as_text(history: History) -> None:
    made = activity.entry(
        OMAR, "organization_created", ENV, organization_id="org_1", organization_name="=HYPERLINK(1)"
    )
    history.activity.record(made)
    found = activity.search(history, BO, ENV, activity.ActivityFilter())
    assert "'=HYPERLINK(1)" in reporting.activity_csv(history, BO, ENV, found)
