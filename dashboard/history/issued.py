"""What was issued, as one relation, and the filter every stats query applies to it.

An issued item is an invitation (table ``invitation``), or a link minted for a rep ("direct"),
for the Portal preview ("embed"), or a 7-day "shareable" link of earlier versions (table
``link_issuance``). Links minted by an invitation's opens are not issued items: they are its
opens, counted on the invitation. A mint that never became a link (refused, lost in flight, or
still waiting for Scalekit) gave nobody anything: it is not an issued item either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..models import KIND_LABELS, LINK_KINDS, LinkKind, features_text, stored_features
from .schema import UTCDateTime, invitation, link_issuance

# What counts when no kind is picked.
DEFAULT_KINDS: tuple[LinkKind, ...] = (LinkKind.INVITATION, LinkKind.DIRECT, LinkKind.SHAREABLE)
i, k = invitation.c, link_issuance.c


def issued_items(environment: str, kinds: Iterable[str] = LINK_KINDS) -> sa.Subquery:
    """Invitations and issued links as one relation with the same columns (``issued``); only the
    tables that hold the ``kinds`` asked for are read."""
    parts = branches(environment, kinds)
    return (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery("issued")


def branches(environment: str, kinds: Iterable[str] = LINK_KINDS) -> list[sa.Select[*tuple[Any, ...]]]:
    """The selects ``issued_items`` unites: the invitations, the issued links, or both."""
    kinds = set(kinds)
    invitations = sa.select(
        sa.literal("invitation").label("kind"),
        i.reference,
        i.organization_id,
        i.organization_name,
        i.features,
        i.issued_by,
        i.issued_at,
        i.expires_at,
        i.revoked_at,
        i.revoked_by,
        i.recipient_email,
        i.note,
        i.open_count.label("opens"),
        i.first_opened_at,
    ).where(i.environment == environment)
    links = sa.select(
        k.kind,
        sa.cast(sa.null(), sa.String).label("reference"),  # typed: PostgreSQL unites by type
        k.organization_id,
        k.organization_name,
        k.features,
        k.issued_by,
        k.issued_at,
        k.expires_at,
        k.revoked_at,
        k.revoked_by,
        k.recipient_email,
        k.note,
        sa.literal(0).label("opens"),
        sa.cast(sa.null(), UTCDateTime).label("first_opened_at"),
    ).where(k.environment == environment, k.kind != "invitation", k.state == "minted")
    if kinds == {"invitation"}:
        return [invitations]
    if kinds and "invitation" not in kinds:
        return [links]
    return [invitations, links]


def utc(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Columns of a UNION lose their type, and with it the conversion to aware UTC datetimes."""
    return sa.type_coerce(column, UTCDateTime)


@dataclass(frozen=True)
class StatsFilter:
    environment: str
    start: dt.datetime  # inclusive, UTC
    end: dt.datetime  # exclusive, UTC
    reps: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()  # organization ids
    kinds: tuple[str, ...] = ()  # empty: DEFAULT_KINDS
    features: tuple[str, ...] = ()  # an item matches if it includes any of them

    @property
    def counted_kinds(self) -> tuple[str, ...]:
        return self.kinds or DEFAULT_KINDS

    def conditions(self, rel: sa.Subquery) -> list[sa.ColumnElement[bool]]:
        c = rel.c
        where = [c.issued_at >= self.start, c.issued_at < self.end, c.kind.in_(self.counted_kinds)]
        if self.reps:
            where.append(c.issued_by.in_(self.reps))
        if self.organizations:
            where.append(c.organization_id.in_(self.organizations))
        if self.features:
            padded = sa.literal(",").concat(c.features).concat(",")
            where.append(sa.or_(*(padded.like(f"%,{name},%") for name in self.features)))
        return where

    def days(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 86400))


def kind_label(kind: str) -> str:
    return KIND_LABELS[LinkKind(kind)]


def feature_label(features: str) -> str:
    return features_text(stored_features(features))


assert set(DEFAULT_KINDS) <= set(LINK_KINDS)
