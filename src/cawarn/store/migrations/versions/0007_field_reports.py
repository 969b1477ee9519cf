"""field reports and the GeoNames gazetteer

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "field_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=100), nullable=False),
        sa.Column("reporter", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("geo_precision", sa.String(length=30), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("geonameid", sa.Integer(), nullable=True),
        sa.Column("date_start", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column("date_precision", sa.String(length=10), nullable=False),
        sa.Column("fatalities_best", sa.Integer(), nullable=True),
        sa.Column("fatalities_low", sa.Integer(), nullable=True),
        sa.Column("fatalities_high", sa.Integer(), nullable=True),
        sa.Column("source_ref", sa.Text(), nullable=False),
        sa.Column("marking", sa.String(length=20), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=True),
        sa.Column("credibility", sa.String(length=1), nullable=True),
        sa.Column("verifier", sa.String(length=64), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.Column("event_uid", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_reports")),
    )
    op.create_index(
        "ix_field_reports_organisation_state",
        "field_reports",
        ["organisation", "state"],
        unique=False,
    )
    op.create_table(
        "gazetteer",
        sa.Column("geonameid", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_ru", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("feature_class", sa.String(length=1), nullable=False),
        sa.Column("feature_code", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("admin1_code", sa.String(length=20), nullable=True),
        sa.Column("population", sa.BigInteger(), nullable=False),
        sa.Column("modified", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("geonameid", name=op.f("pk_gazetteer")),
    )
    op.create_index("ix_gazetteer_country", "gazetteer", ["country"], unique=False)
    op.create_table(
        "gazetteer_terms",
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("geonameid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["geonameid"],
            ["gazetteer.geonameid"],
            name=op.f("fk_gazetteer_terms_geonameid_gazetteer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "geonameid", name=op.f("pk_gazetteer_terms")),
    )
    op.create_index("ix_gazetteer_terms_geonameid", "gazetteer_terms", ["geonameid"], unique=False)
    op.create_table(
        "gazetteer_imports",
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_gazetteer_imports")),
    )


def downgrade() -> None:
    op.drop_table("gazetteer_imports")
    op.drop_index("ix_gazetteer_terms_geonameid", table_name="gazetteer_terms")
    op.drop_table("gazetteer_terms")
    op.drop_index("ix_gazetteer_country", table_name="gazetteer")
    op.drop_table("gazetteer")
    op.drop_index("ix_field_reports_organisation_state", table_name="field_reports")
    op.drop_table("field_reports")
