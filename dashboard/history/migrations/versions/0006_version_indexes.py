"""Indexes for the pages' version check: every open Organizations page asks, every 2 seconds, the
newest listing and status times of its environment; without these, each ask scans 10,000 rows.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_org_status_fetched": ("org_status", ["environment", "fetched_at"]),
    "ix_org_status_changed": ("org_status", ["environment", "changed_at"]),
    "ix_listing_listed": ("organization_listing", ["environment", "listed_at"]),
    "ix_listing_position": ("organization_listing", ["environment", "position"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table)
