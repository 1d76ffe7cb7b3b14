"""polls.results_after_vote

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Loomio's hide_results "until_vote" (issue 16): an imported poll shows its results to each voter
once they have voted, and to everyone once it closes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("results_after_vote", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("polls") as batch:
        batch.drop_column("results_after_vote")
