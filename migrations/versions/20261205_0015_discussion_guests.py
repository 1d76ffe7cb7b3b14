"""discussion_guests

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

Thread guests (issue 16, Loomio's `discussion_readers.guest`): someone who is not a member of the
group may read and take part in one thread only.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discussion_guests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discussion_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["discussions.id"],
            name=op.f("fk_discussion_guests_discussion_id_discussions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_discussion_guests_invited_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_discussion_guests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_guests")),
        sa.UniqueConstraint("discussion_id", "user_id", name=op.f("uq_discussion_guests_discussion_id_user_id")),
    )
    op.create_index(op.f("ix_discussion_guests_user_id"), "discussion_guests", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_discussion_guests_user_id"), table_name="discussion_guests")
    op.drop_table("discussion_guests")
