"""delivery outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Delivery at scale (issue 13): emails are outbox rows written in the transaction that causes them
(outbox_contents holds what an email says once for all its recipients), and a big group's news is
one forum_group_fanouts row that the worker expands.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_contents")),
    )
    op.create_table(
        "forum_group_fanouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("preview", sa.Text(), nullable=False),
        sa.Column("except_user_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expanded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_forum_group_fanouts_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_forum_group_fanouts_group_id_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_group_fanouts")),
    )
    with op.batch_alter_table("forum_group_fanouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_group_fanouts_expanded_at"), ["expanded_at"], unique=False)

    op.create_table(
        "outbox_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("unsubscribe_group_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["outbox_contents.id"],
            name=op.f("fk_outbox_emails_content_id_outbox_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unsubscribe_group_id"],
            ["groups.id"],
            name=op.f("fk_outbox_emails_unsubscribe_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_emails_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_emails")),
    )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_emails_content_id"), ["content_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_emails_status_next_attempt_at_id", ["status", "next_attempt_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_emails_status_next_attempt_at_id")
        batch_op.drop_index(batch_op.f("ix_outbox_emails_content_id"))

    op.drop_table("outbox_emails")
    with op.batch_alter_table("forum_group_fanouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_group_fanouts_expanded_at"))

    op.drop_table("forum_group_fanouts")
    op.drop_table("outbox_contents")
