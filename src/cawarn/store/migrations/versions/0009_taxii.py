"""taxii: shareable objects, statuses, quarantine, peers, sync cursors

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("api_root", sa.String(length=200), nullable=False),
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("key_env", sa.String(length=100), nullable=True),
        sa.Column("key_file", sa.Text(), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peers")),
        sa.UniqueConstraint("label", name=op.f("uq_peers_label")),
    )
    op.create_table(
        "taxii_objects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("stix_id", sa.String(length=120), nullable=False),
        sa.Column("modified", sa.String(length=40), nullable=False),
        sa.Column("added_us", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("spec_version", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_latest", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_objects")),
        sa.UniqueConstraint("added_us", name=op.f("uq_taxii_objects_added_us")),
        sa.UniqueConstraint("stix_id", "modified", name=op.f("uq_taxii_objects_stix_id_modified")),
    )
    with op.batch_alter_table("taxii_objects", schema=None) as batch_op:
        batch_op.create_index(
            "ix_taxii_objects_latest_added", ["is_latest", "added_us"], unique=False
        )

    op.create_table(
        "taxii_quarantine",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("stix_id", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_quarantine")),
    )
    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=120), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("position", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peers.id"],
            name=op.f("fk_sync_cursors_peer_id_peers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("peer_id", "collection", "direction", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "taxii_audience",
        sa.Column(
            "object_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_id"],
            ["taxii_objects.id"],
            name=op.f("fk_taxii_audience_object_id_taxii_objects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_id", "org", name=op.f("pk_taxii_audience")),
    )
    with op.batch_alter_table("taxii_audience", schema=None) as batch_op:
        batch_op.create_index("ix_taxii_audience_org_object_id", ["org", "object_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("taxii_audience", schema=None) as batch_op:
        batch_op.drop_index("ix_taxii_audience_org_object_id")

    op.drop_table("taxii_audience")
    op.drop_table("sync_cursors")
    op.drop_table("taxii_statuses")
    op.drop_table("taxii_quarantine")
    with op.batch_alter_table("taxii_objects", schema=None) as batch_op:
        batch_op.drop_index("ix_taxii_objects_latest_added")

    op.drop_table("taxii_objects")
    op.drop_table("peers")
