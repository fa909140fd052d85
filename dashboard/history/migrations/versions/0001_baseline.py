"""The history as of Portal Desk's eighth SQLite schema, on any database.

A new database (SQLite or PostgreSQL) starts here. A SQLite file written before Alembic is first
brought to this shape by ``history/legacy.py``, every row kept, and stamped at this revision.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "invitation",
        _id(),
        sa.Column("reference", sa.String(16)),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("organization_name", sa.String(255), nullable=False),
        sa.Column("features", sa.String(32), nullable=False),
        sa.Column("issued_by", sa.String(255), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("revoked_by", sa.String(255)),
        sa.Column("recipient_email", sa.String(254)),
        sa.Column("note", sa.String(500)),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("first_opened_at", sa.DateTime),
        sa.Column("last_opened_at", sa.DateTime),
        sa.Column("open_count", sa.Integer, nullable=False, server_default="0"),
        sqlite_autoincrement=True,  # ids are never reused, as before Alembic
    )
    op.create_index("ix_invitation_token", "invitation", ["token_hash"], unique=True)
    op.create_index("ix_invitation_issued_at", "invitation", ["environment", "issued_at"])
    op.create_index("ix_invitation_org", "invitation", ["environment", "organization_id", "issued_at"])
    op.create_index("ix_invitation_issued_by", "invitation", ["environment", "issued_by", "issued_at"])
    op.create_index("ix_invitation_opened", "invitation", ["environment", "last_opened_at"])

    op.create_table(
        "link_issuance",
        _id(),
        sa.Column("link_id", sa.String(64)),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("organization_name", sa.String(255), nullable=False),
        sa.Column("features", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("issued_by", sa.String(255), nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("revoked_by", sa.String(255)),
        sa.Column("recipient_email", sa.String(254)),
        sa.Column("note", sa.String(500)),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("link_fingerprint", sa.String(64)),
        sa.Column("invitation_id", sa.Integer, sa.ForeignKey("invitation.id")),
        sa.Column("state", sa.String(16), nullable=False, server_default="minted"),
        sa.CheckConstraint("kind IN ('shareable', 'embed', 'direct', 'invitation')", name="ck_link_kind"),
        sa.CheckConstraint("state IN ('pending', 'minted', 'failed', 'unknown')", name="ck_link_state"),
        sqlite_autoincrement=True,  # ids are never reused, as before Alembic
    )
    op.create_index("ix_link_issuance_link", "link_issuance", ["environment", "link_id"], unique=True)
    op.create_index("ix_link_issuance_issued_at", "link_issuance", ["environment", "issued_at"])
    op.create_index("ix_link_issuance_org", "link_issuance", ["environment", "organization_id", "issued_at"])
    op.create_index("ix_link_issuance_issued_by", "link_issuance", ["environment", "issued_by", "issued_at"])
    op.create_index(
        "ix_link_issuance_stats",
        "link_issuance",
        [
            "environment",
            "issued_at",
            "kind",
            "features",
            "issued_by",
            "organization_id",
            "expires_at",
            "revoked_at",
        ],
    )
    op.create_index("ix_link_issuance_invitation", "link_issuance", ["invitation_id"])
    # The sweeps touch only the few rows still live or pending: partial indexes keep them instant.
    op.create_index(
        "ix_link_issuance_live",
        "link_issuance",
        ["expires_at"],
        sqlite_where=sa.text("link_id IS NOT NULL"),
        postgresql_where=sa.text("link_id IS NOT NULL"),
    )
    op.create_index(
        "ix_link_issuance_pending",
        "link_issuance",
        ["issued_at"],
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )

    op.create_table(
        "portal_event",
        _id(),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("actor", sa.String(255)),
        sqlite_autoincrement=True,  # ids are never reused, as before Alembic
    )
    op.create_index("ix_portal_event_org", "portal_event", ["environment", "organization_id", "received_at"])

    op.create_table(
        "sso_observation",
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("enabled_at", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
    )
    op.create_index(
        "ix_sso_observation_org", "sso_observation", ["environment", "organization_id"], unique=True
    )

    op.create_table(
        "activity",
        _id(),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("organization_id", sa.String(64)),
        sa.Column("organization_name", sa.String(255)),
        sa.Column("details", sa.Text, nullable=False),
        sqlite_autoincrement=True,  # ids are never reused, as before Alembic
    )
    op.create_index("ix_activity_at", "activity", ["environment", "at"])
    op.create_index("ix_activity_org", "activity", ["environment", "organization_id", "at"])
    op.create_index("ix_activity_actor", "activity", ["environment", "actor", "at"])

    op.create_table(
        "org_status",
        sa.Column("environment", sa.String(255), primary_key=True),
        sa.Column("organization_id", sa.String(64), primary_key=True),
        sa.Column("sso", sa.String(16), nullable=False),
        sa.Column("sso_provider", sa.String(64)),
        sa.Column("scim", sa.String(16), nullable=False),
        sa.Column("scim_users", sa.Integer),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "status_visit",
        sa.Column("environment", sa.String(255), primary_key=True),
        sa.Column("actor", sa.String(255), primary_key=True),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "organization_listing",
        sa.Column("environment", sa.String(255), primary_key=True),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("external_id", sa.String(255)),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("sso_feature", sa.Boolean, nullable=False),
        sa.Column("dir_sync_feature", sa.Boolean, nullable=False),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("listed_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the history only moves forward")
