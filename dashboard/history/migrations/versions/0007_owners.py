"""Owners: the rep who looks after an organization, set on its detail view. No row means nobody
set one, and pages show the rep of its last invitation instead; every change is also an entry in
the activity log (who set whom, when).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organization_owner",
        sa.Column("environment", sa.String(255), primary_key=True),
        sa.Column("organization_id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("set_by", sa.String(255), nullable=False),
        sa.Column("set_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_organization_owner_owner", "organization_owner", ["environment", "owner"])


def downgrade() -> None:
    op.drop_index("ix_organization_owner_owner", "organization_owner")
    op.drop_table("organization_owner")
