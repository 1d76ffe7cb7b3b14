"""people's language and time zone

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Issue #15: every page, email and notification is written in its reader's language and time zone.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=35), server_default="en", nullable=False))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("time_zone")
        batch_op.drop_column("locale")
