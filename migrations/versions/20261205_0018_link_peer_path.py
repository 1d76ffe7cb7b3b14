"""link peer path

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

A trunkward link remembers the trunk's absolute node path (told at pickup or by GET absolutepath), so the leaf
knows its own path under a trunk that is not a root.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credit_links") as batch_op:
        batch_op.add_column(sa.Column("peer_path", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("credit_links") as batch_op:
        batch_op.drop_column("peer_path")
