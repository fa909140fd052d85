"""A link id may belong to several mints: under the links-reusable reading, GeneratePortalLink
"may hand back a link that already existed" (SDK 2.21's descriptor), so two opens in one minute
can record the same Scalekit link. The index on it stays (revokes look links up by id), no
longer unique.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("link_issuance") as batch:
        batch.drop_index("ix_link_issuance_link")
        batch.create_index("ix_link_issuance_link", ["environment", "link_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("link_issuance") as batch:
        batch.drop_index("ix_link_issuance_link")
        batch.create_index("ix_link_issuance_link", ["environment", "link_id"], unique=True)
