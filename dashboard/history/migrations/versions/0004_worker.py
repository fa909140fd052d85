"""The worker: who sweeps each environment, what it told whom, and who wants to be told.

- ``sweeper``: one row per environment; the worker holding it sweeps that environment (a lease
  renewed every few seconds, so a second worker takes over when the first dies), with what pages
  show about the background work (when it last listed and refreshed the statuses, a problem).
- ``notification``: each notice, once per event and channel (the unique key is what makes a
  restart or a second worker never repeat one), with its delivery state and retries.
- ``notify_preference``: a person who switched their own notifications off.
- ``org_status.sso_changed_at`` / ``scim_changed_at``: when each half last changed state, so
  "SSO was switched on" is told once per switch (and not for the first sighting of a state).

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sweeper",
        sa.Column("environment", sa.String(255), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
        sa.Column("listed_at", sa.DateTime),
        sa.Column("round_started_at", sa.DateTime),
        sa.Column("round_finished_at", sa.DateTime),
        sa.Column("problem", sa.String(500)),
        sa.Column("refresh_requested_at", sa.DateTime),
        sa.Column("notify_since", sa.DateTime),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("event_key", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("organization_id", sa.String(64)),
        sa.Column("organization_name", sa.String(255)),
        sa.Column("invitation_id", sa.Integer),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("last_error", sa.String(500)),
        sa.UniqueConstraint("environment", "event_key", "channel", "recipient", name="uq_notification_once"),
    )
    op.create_index("ix_notification_due", "notification", ["state", "next_attempt_at"])
    op.create_index("ix_notification_created", "notification", ["environment", "created_at"])
    op.create_table(
        "notify_preference",
        sa.Column("actor", sa.String(255), primary_key=True),
        sa.Column("email", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("org_status") as table:
        table.add_column(sa.Column("sso_changed_at", sa.DateTime))
        table.add_column(sa.Column("scim_changed_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("org_status") as table:
        table.drop_column("scim_changed_at")
        table.drop_column("sso_changed_at")
    op.drop_table("notify_preference")
    op.drop_index("ix_notification_created", "notification")
    op.drop_index("ix_notification_due", "notification")
    op.drop_table("notification")
    op.drop_table("sweeper")
