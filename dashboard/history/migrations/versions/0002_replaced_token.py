"""The hashes of invitation tokens replaced by "Resend with a new link", so an old URL answers
"replaced by a newer one" instead of "not valid".

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replaced_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("invitation_id", sa.Integer, nullable=False),
        sa.Column("environment", sa.String(255), nullable=False),
        sa.Column("replaced_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("replaced_token")
