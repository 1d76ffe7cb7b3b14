"""peer discrepancies

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05

Payments a commit-on-relay peer (Komunitin) booked that ended erased here: one row per link and uuid, shown to the
network's admins and by `flask credit verify` until one of them marks it resolved.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_peer_discrepancies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("payer_address", sa.String(length=300), nullable=False),
        sa.Column("payee_address", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("direction IN ('incoming')", name=op.f("ck_credit_peer_discrepancies_direction")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_credit_peer_discrepancies_amount_positive")),
        sa.ForeignKeyConstraint(
            ["link_id"], ["credit_links.id"], name=op.f("fk_credit_peer_discrepancies_link_id_credit_links")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["credit_networks.id"],
            name=op.f("fk_credit_peer_discrepancies_network_id_credit_networks"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_credit_peer_discrepancies_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_peer_discrepancies")),
        sa.UniqueConstraint("link_id", "uuid", name=op.f("uq_credit_peer_discrepancies_link_id_uuid")),
    )
    with op.batch_alter_table("credit_peer_discrepancies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_peer_discrepancies_link_id"), ["link_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_peer_discrepancies_network_id"), ["network_id"], unique=False)


def downgrade():
    with op.batch_alter_table("credit_peer_discrepancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_peer_discrepancies_network_id"))
        batch_op.drop_index(batch_op.f("ix_credit_peer_discrepancies_link_id"))
    op.drop_table("credit_peer_discrepancies")
