"""credit networks accounts transfers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Mutual credit (issue #5): networks (with the clearing/settlement links between a network and its
parent, a circular reference added once both tables exist), accounts, transfers with their legs
and hash-chained entries, payment requests and the history of limits.
"""
from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credit_networks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('currency_code', sa.String(length=10), nullable=False),
    sa.Column('currency_name', sa.String(length=50), nullable=False),
    sa.Column('currency_symbol', sa.String(length=10), nullable=False),
    sa.Column('currency_decimals', sa.Integer(), nullable=False),
    sa.Column('default_credit_limit', sa.BigInteger(), nullable=False),
    sa.Column('default_debit_limit', sa.BigInteger(), nullable=True),
    sa.Column('exchange_rate', sa.String(length=40), nullable=False),
    sa.Column('clearing_account_id', sa.Integer(), nullable=True),
    sa.Column('settlement_account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_credit_networks_group_id_groups')),
    sa.ForeignKeyConstraint(['parent_id'], ['credit_networks.id'], name=op.f('fk_credit_networks_parent_id_credit_networks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_networks')),
    sa.UniqueConstraint('clearing_account_id', name=op.f('uq_credit_networks_clearing_account_id')),
    sa.UniqueConstraint('settlement_account_id', name=op.f('uq_credit_networks_settlement_account_id'))
    )
    with op.batch_alter_table('credit_networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_networks_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_networks_parent_id'), ['parent_id'], unique=False)

    op.create_table('credit_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('holder_type', sa.String(length=10), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('credit_limit', sa.BigInteger(), nullable=False),
    sa.Column('debit_limit', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('warning_percent', sa.Integer(), nullable=True),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind <> 'sole_trader' OR credit_limit = 0", name=op.f('ck_credit_accounts_sole_trader_in_credit')),
    sa.CheckConstraint("status IN ('active', 'frozen', 'closed')", name=op.f('ck_credit_accounts_status')),
    sa.CheckConstraint('credit_limit >= 0', name=op.f('ck_credit_accounts_credit_limit_not_negative')),
    sa.ForeignKeyConstraint(['network_id'], ['credit_networks.id'], name=op.f('fk_credit_accounts_network_id_credit_networks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_accounts')),
    sa.UniqueConstraint('network_id', 'holder_type', 'holder_id', 'purpose', name=op.f('uq_credit_accounts_network_id_holder_type_holder_id_purpose'))
    )
    with op.batch_alter_table('credit_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_accounts_network_id'), ['network_id'], unique=False)

    with op.batch_alter_table('credit_networks', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_credit_networks_clearing_account_id', 'credit_accounts', ['clearing_account_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key('fk_credit_networks_settlement_account_id', 'credit_accounts', ['settlement_account_id'], ['id'], ondelete='SET NULL')

    op.create_table('credit_limit_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('old_value', sa.BigInteger(), nullable=True),
    sa.Column('new_value', sa.BigInteger(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['credit_accounts.id'], name=op.f('fk_credit_limit_changes_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_credit_limit_changes_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_limit_changes'))
    )
    with op.batch_alter_table('credit_limit_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_limit_changes_account_id'), ['account_id'], unique=False)

    op.create_table('credit_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=300), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_credit_transfers_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_transfers_from_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['reverses_id'], ['credit_transfers.id'], name=op.f('fk_credit_transfers_reverses_id_credit_transfers')),
    sa.ForeignKeyConstraint(['to_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_transfers_to_account_id_credit_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_transfers')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_credit_transfers_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_credit_transfers_reverses_id'))
    )
    with op.batch_alter_table('credit_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_transfers_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_transfers_from_account_id'), ['from_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_transfers_to_account_id'), ['to_account_id'], unique=False)

    op.create_table('credit_legs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_credit_legs_amount_positive')),
    sa.ForeignKeyConstraint(['from_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_legs_from_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['network_id'], ['credit_networks.id'], name=op.f('fk_credit_legs_network_id_credit_networks')),
    sa.ForeignKeyConstraint(['to_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_legs_to_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['transfer_id'], ['credit_transfers.id'], name=op.f('fk_credit_legs_transfer_id_credit_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_legs'))
    )
    with op.batch_alter_table('credit_legs', schema=None) as batch_op:
        batch_op.create_index('ix_credit_legs_network_id_created_at', ['network_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_legs_transfer_id'), ['transfer_id'], unique=False)

    op.create_table('credit_payment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_account_id', sa.Integer(), nullable=False),
    sa.Column('to_account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_credit_payment_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_payment_requests_from_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['to_account_id'], ['credit_accounts.id'], name=op.f('fk_credit_payment_requests_to_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['transfer_id'], ['credit_transfers.id'], name=op.f('fk_credit_payment_requests_transfer_id_credit_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_payment_requests'))
    )
    with op.batch_alter_table('credit_payment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_payment_requests_from_account_id'), ['from_account_id'], unique=False)
        batch_op.create_index('ix_credit_payment_requests_state_expires_at', ['state', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_payment_requests_to_account_id'), ['to_account_id'], unique=False)

    op.create_table('credit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('leg_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['credit_accounts.id'], name=op.f('fk_credit_entries_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['leg_id'], ['credit_legs.id'], name=op.f('fk_credit_entries_leg_id_credit_legs')),
    sa.ForeignKeyConstraint(['transfer_id'], ['credit_transfers.id'], name=op.f('fk_credit_entries_transfer_id_credit_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entries'))
    )
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_credit_entries_account_id_id', ['account_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_transfer_id'), ['transfer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('credit_networks', schema=None) as batch_op:
        batch_op.drop_constraint('fk_credit_networks_settlement_account_id', type_='foreignkey')
        batch_op.drop_constraint('fk_credit_networks_clearing_account_id', type_='foreignkey')
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_entries_transfer_id'))
        batch_op.drop_index('ix_credit_entries_account_id_id')

    op.drop_table('credit_entries')
    with op.batch_alter_table('credit_payment_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_payment_requests_to_account_id'))
        batch_op.drop_index('ix_credit_payment_requests_state_expires_at')
        batch_op.drop_index(batch_op.f('ix_credit_payment_requests_from_account_id'))

    op.drop_table('credit_payment_requests')
    with op.batch_alter_table('credit_legs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_legs_transfer_id'))
        batch_op.drop_index('ix_credit_legs_network_id_created_at')

    op.drop_table('credit_legs')
    with op.batch_alter_table('credit_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_transfers_to_account_id'))
        batch_op.drop_index(batch_op.f('ix_credit_transfers_from_account_id'))
        batch_op.drop_index(batch_op.f('ix_credit_transfers_created_at'))

    op.drop_table('credit_transfers')
    with op.batch_alter_table('credit_limit_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_limit_changes_account_id'))

    op.drop_table('credit_limit_changes')
    with op.batch_alter_table('credit_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_accounts_network_id'))

    op.drop_table('credit_accounts')
    with op.batch_alter_table('credit_networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_networks_parent_id'))
        batch_op.drop_index(batch_op.f('ix_credit_networks_group_id'))

    op.drop_table('credit_networks')
