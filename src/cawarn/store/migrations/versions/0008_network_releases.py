"""network: trust groups, release decisions and their expanded audience

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trust_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_groups")),
        sa.UniqueConstraint("code", name=op.f("uq_trust_groups_code")),
    )
    op.create_table(
        "trust_group_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["trust_groups.id"],
            name=op.f("fk_trust_group_members_group_id_trust_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "org_code", name=op.f("pk_trust_group_members")),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("owner_org", sa.String(length=100), nullable=False),
        sa.Column("audience", sa.Text(), nullable=False),
        sa.Column("audience_orgs", sa.Text(), nullable=False),
        sa.Column("audience_groups", sa.Text(), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_org", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revocation_key_id", sa.String(length=40), nullable=True),
        sa.Column("revocation_signature", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_releases_decided_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index("ix_releases_item", ["item_kind", "item_id"], unique=False)
        batch_op.create_index("ix_releases_owner_org", ["owner_org"], unique=False)
    op.create_table(
        "release_audience",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("org_code", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["releases.id"],
            name=op.f("fk_release_audience_release_id_releases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("release_id", "org_code", name=op.f("pk_release_audience")),
    )
    with op.batch_alter_table("release_audience", schema=None) as batch_op:
        batch_op.create_index("ix_release_audience_org_code", ["org_code"], unique=False)


def downgrade() -> None:
    op.drop_table("release_audience")
    op.drop_table("releases")
    op.drop_table("trust_group_members")
    op.drop_table("trust_groups")
