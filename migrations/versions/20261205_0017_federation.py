"""federation

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

Federation (issue 17, docs/federation.md): links between a network here and Credit Commons nodes on other
installations, their hash chains, the transactions crossing them and the holds those reserve, graft requests;
node and account names for paths, hold sums on accounts, and each crossing leg's amount in link units.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_graft_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("node_name", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("currency", sa.JSON(), nullable=False),
        sa.Column("exchange_rate", sa.String(length=40), nullable=False),
        sa.Column("requested_credit_limit", sa.BigInteger(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("pickup_token_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("remote_address", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"], ["credit_networks.id"], name=op.f("fk_credit_graft_requests_network_id_credit_networks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_graft_requests")),
    )
    with op.batch_alter_table("credit_graft_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_graft_requests_network_id"), ["network_id"], unique=False)

    op.create_table(
        "credit_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("peer_name", sa.String(length=32), nullable=False),
        sa.Column("peer_url", sa.String(length=500), nullable=False),
        sa.Column("profile", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("vostro_account_id", sa.Integer(), nullable=True),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("quant_decimals", sa.Integer(), nullable=False),
        sa.Column("genesis", sa.String(length=64), nullable=True),
        sa.Column("head", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(), nullable=True),
        sa.Column("in_flight_uuid", sa.String(length=36), nullable=True),
        sa.Column("in_flight_until", sa.DateTime(), nullable=True),
        sa.Column("allowed_ips", sa.JSON(), nullable=False),
        sa.Column("graft_request_id", sa.Integer(), nullable=True),
        sa.Column("pickup_token_sha256", sa.String(length=64), nullable=True),
        sa.Column("remote_request_id", sa.Integer(), nullable=True),
        sa.Column("peer_vostro_code", sa.String(length=64), nullable=True),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('trunkward', 'leafward')", name=op.f("ck_credit_links_direction")),
        sa.ForeignKeyConstraint(
            ["graft_request_id"],
            ["credit_graft_requests.id"],
            name=op.f("fk_credit_links_graft_request_id_credit_graft_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["credit_networks.id"], name=op.f("fk_credit_links_network_id_credit_networks")
        ),
        sa.ForeignKeyConstraint(
            ["vostro_account_id"],
            ["credit_accounts.id"],
            name=op.f("fk_credit_links_vostro_account_id_credit_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_links")),
        sa.UniqueConstraint("network_id", "peer_name", name=op.f("uq_credit_links_network_id_peer_name")),
        sa.UniqueConstraint("vostro_account_id", name=op.f("uq_credit_links_vostro_account_id")),
    )
    with op.batch_alter_table("credit_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_links_network_id"), ["network_id"], unique=False)

    op.create_table(
        "credit_cc_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("workflow", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("upstream_link_id", sa.Integer(), nullable=True),
        sa.Column("downstream_link_id", sa.Integer(), nullable=True),
        sa.Column("payer_address", sa.String(length=300), nullable=False),
        sa.Column("payee_address", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("legs", sa.JSON(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("metadata_json", sa.JSON(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("head_before", sa.JSON(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("error", sa.JSON(), nullable=True),
        sa.Column("next_check_at", sa.DateTime(), nullable=True),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('validated', 'completing', 'completed', 'erased')", name=op.f("ck_credit_cc_transactions_state")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_credit_cc_transactions_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["downstream_link_id"],
            ["credit_links.id"],
            name=op.f("fk_credit_cc_transactions_downstream_link_id_credit_links"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["credit_networks.id"], name=op.f("fk_credit_cc_transactions_network_id_credit_networks")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["credit_transfers.id"],
            name=op.f("fk_credit_cc_transactions_transfer_id_credit_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["upstream_link_id"],
            ["credit_links.id"],
            name=op.f("fk_credit_cc_transactions_upstream_link_id_credit_links"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_cc_transactions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_credit_cc_transactions_idempotency_key")),
        sa.UniqueConstraint("transfer_id", name=op.f("uq_credit_cc_transactions_transfer_id")),
        sa.UniqueConstraint("uuid", "network_id", name=op.f("uq_credit_cc_transactions_uuid_network_id")),
    )
    with op.batch_alter_table("credit_cc_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_cc_transactions_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_cc_transactions_next_check_at"), ["next_check_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_cc_transactions_state"), ["state"], unique=False)

    op.create_table(
        "credit_link_hashes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=True),
        sa.Column("previous", sa.String(length=64), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["credit_links.id"], name=op.f("fk_credit_link_hashes_link_id_credit_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_link_hashes")),
        sa.UniqueConstraint("link_id", "seq", name=op.f("uq_credit_link_hashes_link_id_seq")),
    )
    with op.batch_alter_table("credit_link_hashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_link_hashes_link_id"), ["link_id"], unique=False)

    op.create_table(
        "credit_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cc_transaction_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("direction IN ('out', 'in')", name=op.f("ck_credit_holds_direction")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_credit_holds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"], name=op.f("fk_credit_holds_account_id_credit_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["cc_transaction_id"],
            ["credit_cc_transactions.id"],
            name=op.f("fk_credit_holds_cc_transaction_id_credit_cc_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_holds")),
        sa.UniqueConstraint(
            "cc_transaction_id",
            "account_id",
            "direction",
            name=op.f("uq_credit_holds_cc_transaction_id_account_id_direction"),
        ),
    )
    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_holds_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_holds_cc_transaction_id"), ["cc_transaction_id"], unique=False)

    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc_name", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("held_out", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("held_in", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_credit_accounts_network_id_cc_name"), ["network_id", "cc_name"]
        )

    with op.batch_alter_table("credit_legs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_amount", sa.BigInteger(), nullable=True))

    with op.batch_alter_table("credit_networks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc_name", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("federation_share_names", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("federation_share_summaries", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("federation_decisions_required", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_credit_networks_cc_name"), ["cc_name"])


def downgrade():
    with op.batch_alter_table("credit_networks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_credit_networks_cc_name"), type_="unique")
        batch_op.drop_column("federation_decisions_required")
        batch_op.drop_column("federation_share_summaries")
        batch_op.drop_column("federation_share_names")
        batch_op.drop_column("cc_name")

    with op.batch_alter_table("credit_legs", schema=None) as batch_op:
        batch_op.drop_column("link_amount")

    with op.batch_alter_table("credit_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_credit_accounts_network_id_cc_name"), type_="unique")
        batch_op.drop_column("held_in")
        batch_op.drop_column("held_out")
        batch_op.drop_column("cc_name")

    with op.batch_alter_table("credit_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_holds_cc_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_credit_holds_account_id"))

    op.drop_table("credit_holds")
    with op.batch_alter_table("credit_link_hashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_link_hashes_link_id"))

    op.drop_table("credit_link_hashes")
    with op.batch_alter_table("credit_cc_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_cc_transactions_state"))
        batch_op.drop_index(batch_op.f("ix_credit_cc_transactions_next_check_at"))
        batch_op.drop_index(batch_op.f("ix_credit_cc_transactions_network_id"))

    op.drop_table("credit_cc_transactions")
    with op.batch_alter_table("credit_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_links_network_id"))

    op.drop_table("credit_links")
    with op.batch_alter_table("credit_graft_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_graft_requests_network_id"))

    op.drop_table("credit_graft_requests")
