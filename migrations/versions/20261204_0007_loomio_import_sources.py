"""loomio import sources

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Security review hole 8: the Loomio id map was shared by every import, so a later file naming an
old Loomio id reached the earlier file's group. Records are now kept per source (the export's top
group: its Loomio id and key). What stores no key cannot be told apart, so the rows imported before
this revision go to one legacy source that no file matches (docs/loomio-import.md).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LEGACY_SOURCE_ID = 1


def upgrade():
    op.create_table(
        "loomio_import_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loomio_group_id", sa.BigInteger(), nullable=True),
        sa.Column("loomio_group_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loomio_import_sources")),
        sa.UniqueConstraint(
            "loomio_group_id",
            "loomio_group_key",
            name=op.f("uq_loomio_import_sources_loomio_group_id_loomio_group_key"),
        ),
    )
    connection = op.get_bind()
    has_records = connection.execute(sa.text("SELECT 1 FROM loomio_import_records LIMIT 1")).first() is not None
    if has_records:
        connection.execute(
            sa.text("INSERT INTO loomio_import_sources (id, created_at) VALUES (:id, CURRENT_TIMESTAMP)"),
            {"id": LEGACY_SOURCE_ID},
        )
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT setval('loomio_import_sources_id_seq', :id)"), {"id": LEGACY_SOURCE_ID})
    with op.batch_alter_table("loomio_import_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_source_id", sa.Integer(), nullable=True))
    connection.execute(sa.text("UPDATE loomio_import_records SET import_source_id = :id"), {"id": LEGACY_SOURCE_ID})
    with op.batch_alter_table("loomio_import_records", schema=None) as batch_op:
        batch_op.alter_column("import_source_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_loomio_import_records_source_table_source_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_loomio_import_records_import_source_id_source_table_source_id"),
            ["import_source_id", "source_table", "source_id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_loomio_import_records_import_source_id_loomio_import_sources"),
            "loomio_import_sources",
            ["import_source_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("loomio_import_records", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_loomio_import_records_import_source_id_loomio_import_sources"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_loomio_import_records_import_source_id_source_table_source_id"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_loomio_import_records_source_table_source_id"), ["source_table", "source_id"]
        )
        batch_op.drop_column("import_source_id")
    op.drop_table("loomio_import_sources")
