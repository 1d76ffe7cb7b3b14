"""credit networks accounts transfers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Reserved in the chain for the mutual credit issue (#5), which fills in its tables here.
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
