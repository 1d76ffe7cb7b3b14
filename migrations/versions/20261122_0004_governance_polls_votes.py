"""governance polls votes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Reserved in the chain for the decisions issue (#4), which fills in its tables here.
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
