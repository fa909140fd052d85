"""Reminders on invitations: how many were sent, when the last one went and who sent it. Each
reminder is also one row in the activity log; these columns let the invitation list say
"Reminded 2 times, last 3 hours ago" without reading the log. No token, link or URL is added:
a reminder points the customer to the link they already have (dashboard/invitations.py).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("reminder_count", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_reminded_at", sa.DateTime))
        batch.add_column(sa.Column("last_reminded_by", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("last_reminded_by")
        batch.drop_column("last_reminded_at")
        batch.drop_column("reminder_count")
