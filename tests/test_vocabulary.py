"""One vocabulary: every word Portal Desk stores or compares has a label, and each label table
names exactly the members of its enum (a new member without a label fails here)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from typing import get_args

import pytest

from dashboard import models, permissions
from dashboard.organizations import sso_state
from dashboard.relay.pages import OUTCOME_PAGES

LABELLED: list[tuple[type[StrEnum], dict[str, str]]] = [
    (models.Feature, models.FEATURE_LABELS),
    (models.Feature, models.FEATURE_SETTING_LABELS),
    (models.Role, models.ROLE_LABELS),
    (models.Region, models.REGION_LABELS),
    (models.LinkKind, models.KIND_LABELS),
    (models.SsoState, models.SSO_LABELS),
    (models.ScimState, models.SCIM_LABELS),
    (models.ActivityAction, models.ACTIVITY_LABELS),
    (models.NoticeKind, models.NOTICE_KIND_LABELS),
    (models.NoticeState, models.NOTICE_STATE_LABELS),
    (models.Channel, models.CHANNEL_LABELS),
]


@pytest.mark.parametrize(("enum", "labels"), LABELLED, ids=lambda v: getattr(v, "__name__", ""))
def test_every_member_has_a_label_and_every_label_a_member(
    enum: type[StrEnum], labels: dict[str, str]
) -> None:
    assert set(labels) == set(enum)
    assert all(label.strip() for label in labels.values())


@pytest.mark.parametrize(("enum", "labels"), LABELLED, ids=lambda v: getattr(v, "__name__", ""))
def test_labels_are_in_the_enum_order(enum: type[StrEnum], labels: dict[str, str]) -> None:
    # Pickers and tables list the labels in this order.
    assert list(labels) == list(enum)


def test_members_are_the_words_the_history_always_stored() -> None:
    assert models.FEATURES == ("sso", "dir_sync")
    assert models.ROLES == ("viewer", "rep", "manager", "admin")
    assert models.REGIONS == ("US", "EU")
    assert models.LINK_KINDS == ("invitation", "direct", "embed", "shareable")
    assert models.MINT_STATES == ("pending", "minted", "failed", "unknown")
    assert models.SSO_STATES == ("none", "draft", "in_progress", "configured", "enabled")
    assert models.SCIM_STATES == ("none", "disabled", "enabled")
    assert models.stored_features("sso,dir_sync") == (models.Feature.SSO, models.Feature.DIR_SYNC)
    assert models.features_text(models.stored_features("dir_sync")) == "Directory sync"


def test_a_link_is_its_mint_state_until_minted_then_revoked_expired_or_active() -> None:
    now = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    link = models.Issuance(
        id=1,
        link_id="lnk_1",
        organization_id="org_1",
        organization_name="Acme",
        features=(models.Feature.SSO,),
        kind=models.LinkKind.DIRECT,
        issued_by="rep@example.com",
        issued_at=now,
        expires_at=now + dt.timedelta(minutes=1),
        environment="emulator",
        link_fingerprint=None,
    )
    assert link.status(now) is models.LinkStatus.ACTIVE
    assert link.status(now + dt.timedelta(minutes=1)) is models.LinkStatus.EXPIRED
    assert dataclasses.replace(link, revoked_at=now).status(now) is models.LinkStatus.REVOKED
    for state in (models.MintState.PENDING, models.MintState.FAILED, models.MintState.UNKNOWN):
        assert dataclasses.replace(link, state=state).status(now) == state


def test_every_connection_status_says_how_far_sso_has_got() -> None:
    assert set(models.SSO_STATE_OF) == set(models.ConnectionStatus)


def test_a_connection_status_this_sdk_does_not_name_counts_as_no_sso() -> None:
    now = dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC)
    odd = models.Connection("conn_1", "org_1", "Okta", "SAML", "unknown", False, now)
    assert sso_state([odd]) == (models.SsoState.NONE, None)
    draft = dataclasses.replace(odd, status=models.ConnectionStatus.DRAFT)
    assert sso_state([draft, odd]) == (models.SsoState.DRAFT, "Okta")


def test_every_outcome_of_an_open_but_the_portal_has_its_page() -> None:
    assert set(models.Outcome) - {models.Outcome.PORTAL} <= set(OUTCOME_PAGES)
    assert models.Outcome.PORTAL not in OUTCOME_PAGES


def test_every_permission_names_the_least_role_that_has_it() -> None:
    assert set(get_args(permissions.Permission)) == set(permissions.REQUIRED)
    assert set(permissions.DOING) == set(permissions.REQUIRED) - {"read"}
