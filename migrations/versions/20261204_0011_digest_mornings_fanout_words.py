"""digests each morning in the reader's zone; big groups' news in each member's language

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Issue #15: a daily digest goes out on its reader's morning (`forum_digest_states.due_at`), and a
group fan-out keeps its news as a Message (`forum_group_fanouts.words`), so the worker writes it in
each member's language.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("forum_digest_states") as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_forum_digest_states_due_at", ["due_at"])
    with op.batch_alter_table("forum_group_fanouts") as batch_op:
        batch_op.add_column(sa.Column("words", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("forum_group_fanouts") as batch_op:
        batch_op.drop_column("words")
    with op.batch_alter_table("forum_digest_states") as batch_op:
        batch_op.drop_index("ix_forum_digest_states_due_at")
        batch_op.drop_column("due_at")
