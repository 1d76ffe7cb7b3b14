"""discussion_labels and discussion_label_links

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

Thread labels (issue 16): each group's labels (name unique in the group, a palette colour) and which
threads carry them; Loomio's tags are imported as labels.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discussion_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_discussion_labels_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_labels")),
        sa.UniqueConstraint("group_id", "name", name=op.f("uq_discussion_labels_group_id_name")),
    )
    op.create_table(
        "discussion_label_links",
        sa.Column("discussion_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["discussion_id"],
            ["discussions.id"],
            name=op.f("fk_discussion_label_links_discussion_id_discussions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["discussion_labels.id"],
            name=op.f("fk_discussion_label_links_label_id_discussion_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("discussion_id", "label_id", name=op.f("pk_discussion_label_links")),
    )
    op.create_index(op.f("ix_discussion_label_links_label_id"), "discussion_label_links", ["label_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_discussion_label_links_label_id"), table_name="discussion_label_links")
    op.drop_table("discussion_label_links")
    op.drop_table("discussion_labels")
