"""forums discussions comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Reserved in the chain for the discussions issue (#3), which fills in its tables here.
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
