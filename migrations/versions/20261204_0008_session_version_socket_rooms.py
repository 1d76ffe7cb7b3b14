"""session version and socket rooms

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Issue #11, holes 4 and 5: `users.session_version` is part of every session's id, so a password change
or reset (or "sign out everywhere") ends the person's other sessions; `socket_rooms` records which
room each live socket is in and what let it in, so every app process can take a socket out of the
rooms its person may no longer see.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "socket_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=40), nullable=False),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("room_key", sa.String(length=40), nullable=True),
        sa.Column("room_value", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_socket_rooms_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_socket_rooms")),
    )
    op.create_index(op.f("ix_socket_rooms_sid"), "socket_rooms", ["sid"], unique=False)
    op.create_index(op.f("ix_socket_rooms_user_id"), "socket_rooms", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_socket_rooms_user_id"), table_name="socket_rooms")
    op.drop_index(op.f("ix_socket_rooms_sid"), table_name="socket_rooms")
    op.drop_table("socket_rooms")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_version")
