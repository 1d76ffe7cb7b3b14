"""a group's place, and people who follow open groups

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Issue #14: Explore finds groups by place; anyone signed in may follow an open group's public news.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups") as batch_op:
        batch_op.add_column(sa.Column("place", sa.String(length=100), server_default="", nullable=False))
    op.create_table(
        "group_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_group_follows_group_id_groups"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_group_follows_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_follows")),
        sa.UniqueConstraint("group_id", "user_id", name=op.f("uq_group_follows_group_id_user_id")),
    )
    op.create_index(op.f("ix_group_follows_user_id"), "group_follows", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_group_follows_user_id"), table_name="group_follows")
    op.drop_table("group_follows")
    with op.batch_alter_table("groups") as batch_op:
        batch_op.drop_column("place")
