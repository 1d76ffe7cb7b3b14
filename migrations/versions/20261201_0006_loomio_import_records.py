"""loomio import records

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

The Loomio import (issue #7): which Loomio record (table, id) became which row here, so that
importing the same export twice imports nothing twice.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('loomio_import_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_table', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=False),
    sa.Column('local_table', sa.String(length=40), nullable=False),
    sa.Column('local_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loomio_import_records')),
    sa.UniqueConstraint('source_table', 'source_id', name=op.f('uq_loomio_import_records_source_table_source_id'))
    )


def downgrade():
    op.drop_table('loomio_import_records')
