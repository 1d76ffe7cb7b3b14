"""network fees

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Network fees (issue 18): a network's fees and its operations account, a flag on the legs that
carry a transfer fee, and one row per periodic fee charged (unique per account and period, so a
repeated or concurrent worker run charges once).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("credit_networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fees", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("operations_account_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_credit_networks_operations_account_id"), ["operations_account_id"]
        )
        batch_op.create_foreign_key(
            "fk_credit_networks_operations_account_id",
            "credit_accounts",
            ["operations_account_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("credit_legs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "credit_fee_charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"], name=op.f("fk_credit_fee_charges_account_id_credit_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["credit_networks.id"], name=op.f("fk_credit_fee_charges_network_id_credit_networks")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["credit_transfers.id"], name=op.f("fk_credit_fee_charges_transfer_id_credit_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_fee_charges")),
        sa.UniqueConstraint("account_id", "period", name=op.f("uq_credit_fee_charges_account_id_period")),
    )
    with op.batch_alter_table("credit_fee_charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_fee_charges_network_id"), ["network_id"], unique=False)


def downgrade():
    op.drop_table("credit_fee_charges")
    with op.batch_alter_table("credit_legs", schema=None) as batch_op:
        batch_op.drop_column("fee")
    with op.batch_alter_table("credit_networks", schema=None) as batch_op:
        batch_op.drop_constraint("fk_credit_networks_operations_account_id", type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_credit_networks_operations_account_id"), type_="unique")
        batch_op.drop_column("operations_account_id")
        batch_op.drop_column("fees")
