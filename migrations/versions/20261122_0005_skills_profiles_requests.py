"""skills profiles requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Reserved in the chain for the skills board issue (#6), which fills in its tables here.
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
