"""skills profiles requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The skills board (issue #6): skills, profiles, requests, applications, invitations, contributions,
endorsements, saved searches, recommendations and per-group settings.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=True),
    sa.Column('members_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills')),
    sa.UniqueConstraint('key', name=op.f('uq_skills_key'))
    )
    op.create_table('profile_skills',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_profile_skills_level')),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_profile_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_profile_skills_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'skill_id', name=op.f('pk_profile_skills'))
    )
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.create_index('ix_profile_skills_skill_id_level', ['skill_id', 'level'], unique=False)

    op.create_table('skill_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('remote_ok', sa.Boolean(), nullable=False),
    sa.Column('availability_hours_per_week', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('interests', sa.Text(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_skill_profiles'))
    )
    op.create_table('skill_group_settings',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('members_can_post_requests', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_skill_group_settings_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_skill_group_settings'))
    )
    op.create_table('skill_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('hours_estimate', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('remote_ok', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('reward_account_id', sa.Integer(), nullable=True),
    sa.Column('reward_amount', sa.Integer(), nullable=True),
    sa.Column('volunteers_needed', sa.Integer(), nullable=False),
    sa.Column('accepted_count', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('closed_reason', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('expiry_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'assigned', 'completed', 'cancelled')", name=op.f('ck_skill_requests_state')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_skill_requests_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reward_account_id'], ['credit_accounts.id'], name=op.f('fk_skill_requests_reward_account_id_credit_accounts')),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_skill_requests_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_requests'))
    )
    with op.batch_alter_table('skill_requests', schema=None) as batch_op:
        batch_op.create_index('ix_skill_requests_state_expires_at', ['state', 'expires_at'], unique=False)
        batch_op.create_index('ix_skill_requests_state_group_id', ['state', 'group_id'], unique=False)

    op.create_table('skill_saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('q', sa.String(length=200), nullable=False),
    sa.Column('skill_key', sa.String(length=80), nullable=True),
    sa.Column('remote_ok', sa.Boolean(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_skill_saved_searches_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_saved_searches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_saved_searches'))
    )
    with op.batch_alter_table('skill_saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_saved_searches_skill_key'), ['skill_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_saved_searches_user_id'), ['user_id'], unique=False)

    op.create_table('request_skills',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 5', name=op.f('ck_request_skills_level')),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_request_skills_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_request_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'skill_id', name=op.f('pk_request_skills'))
    )
    with op.batch_alter_table('request_skills', schema=None) as batch_op:
        batch_op.create_index('ix_request_skills_skill_id', ['skill_id'], unique=False)

    op.create_table('skill_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'accepted', 'declined', 'withdrawn')", name=op.f('ck_skill_applications_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_skill_applications_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_skill_applications_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_applications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_applications')),
    sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_skill_applications_request_id_user_id'))
    )
    with op.batch_alter_table('skill_applications', schema=None) as batch_op:
        batch_op.create_index('ix_skill_applications_state_created_at', ['state', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_skill_applications_user_id'), ['user_id'], unique=False)

    op.create_table('skill_contributions',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('centihours', sa.Integer(), nullable=False),
    sa.Column('reward_amount', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_skill_contributions_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_contributions_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transfer_id'], ['credit_transfers.id'], name=op.f('fk_skill_contributions_transfer_id_credit_transfers')),
    sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_skill_contributions'))
    )
    with op.batch_alter_table('skill_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_contributions_user_id'), ['user_id'], unique=False)

    op.create_table('skill_endorsements',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('endorser_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['endorser_id'], ['users.id'], name=op.f('fk_skill_endorsements_endorser_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_skill_endorsements_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_skill_endorsements_skill_id_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_endorsements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'user_id', 'skill_id', name=op.f('pk_skill_endorsements'))
    )
    with op.batch_alter_table('skill_endorsements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_endorsements_user_id'), ['user_id'], unique=False)

    op.create_table('skill_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inviter_id'], ['users.id'], name=op.f('fk_skill_invitations_inviter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_skill_invitations_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_invitations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_invitations')),
    sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_skill_invitations_request_id_user_id'))
    )
    with op.batch_alter_table('skill_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skill_invitations_user_id'), ['user_id'], unique=False)

    op.create_table('skill_recommendations',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['skill_requests.id'], name=op.f('fk_skill_recommendations_request_id_skill_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_recommendations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_skill_recommendations'))
    )
    with op.batch_alter_table('skill_recommendations', schema=None) as batch_op:
        batch_op.create_index('ix_skill_recommendations_user_id_created_at', ['user_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('skill_recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_recommendations_user_id_created_at')

    op.drop_table('skill_recommendations')
    with op.batch_alter_table('skill_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_invitations_user_id'))

    op.drop_table('skill_invitations')
    with op.batch_alter_table('skill_endorsements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_endorsements_user_id'))

    op.drop_table('skill_endorsements')
    with op.batch_alter_table('skill_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_contributions_user_id'))

    op.drop_table('skill_contributions')
    with op.batch_alter_table('skill_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_applications_user_id'))
        batch_op.drop_index('ix_skill_applications_state_created_at')

    op.drop_table('skill_applications')
    with op.batch_alter_table('request_skills', schema=None) as batch_op:
        batch_op.drop_index('ix_request_skills_skill_id')

    op.drop_table('request_skills')
    with op.batch_alter_table('skill_saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skill_saved_searches_user_id'))
        batch_op.drop_index(batch_op.f('ix_skill_saved_searches_skill_key'))

    op.drop_table('skill_saved_searches')
    with op.batch_alter_table('skill_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_skill_requests_state_group_id')
        batch_op.drop_index('ix_skill_requests_state_expires_at')

    op.drop_table('skill_requests')
    op.drop_table('skill_group_settings')
    op.drop_table('skill_profiles')
    with op.batch_alter_table('profile_skills', schema=None) as batch_op:
        batch_op.drop_index('ix_profile_skills_skill_id_level')

    op.drop_table('profile_skills')
    op.drop_table('skills')
