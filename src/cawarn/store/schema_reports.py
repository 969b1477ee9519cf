"""Tables of field reports and of the GeoNames gazetteer, on the store's one metadata.

A report holds a place and a time, a category, counts and a source reference; the reporter and
the verifier are named by their usernames only (DESIGN.md principle 1). The gazetteer holds
populated places and administrative areas (GeoNames feature classes P and A), never people.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from cawarn.store.tables import metadata

field_reports = Table(
    "field_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation", String(100), nullable=False),  # organisations.code; owns the event
    Column("reporter", String(64), nullable=False),  # username of who filed it
    Column("state", String(20), nullable=False),  # submitted | returned | resubmitted | approved
    Column("category", String(40), nullable=False),
    Column("summary", Text, nullable=False),
    Column("country", String(3), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("geo_precision", String(30), nullable=False),
    Column("place", Text),  # the place as picked from the gazetteer, if it was
    Column("geonameid", Integer),
    Column("date_start", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Column("date_precision", String(10), nullable=False),
    Column("fatalities_best", Integer),
    Column("fatalities_low", Integer),
    Column("fatalities_high", Integer),
    Column("source_ref", Text, nullable=False),  # e.g. "open source: news agency X"
    Column("marking", String(20), nullable=False),
    Column("reliability", String(1)),  # Admiralty A-F, set on approval
    Column("credibility", String(1)),  # Admiralty 1-6, set on approval
    Column("verifier", String(64)),  # username of who approved or returned it last
    Column("return_reason", Text),
    Column("submissions", Integer, nullable=False),  # 1 when filed, +1 per resubmission
    Column("event_uid", String(36)),  # the event it became, once approved
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Index("ix_field_reports_organisation_state", "organisation", "state"),
)

gazetteer = Table(
    "gazetteer",
    metadata,
    Column("geonameid", Integer, primary_key=True),
    Column("name", Text, nullable=False),  # the place's name as GeoNames gives it
    Column("name_ru", Text),  # the first Cyrillic alternate name, if any
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("feature_class", String(1), nullable=False),  # P (populated place) | A (admin area)
    Column("feature_code", String(10), nullable=False),  # e.g. PPLC, PPLA, ADM1
    Column("country", String(3), nullable=False),  # ISO 3166-1 alpha-3
    Column("admin1_code", String(20)),  # GeoNames' own admin-1 code
    Column("population", BigInteger, nullable=False),
    Column("modified", String(10)),
    Index("ix_gazetteer_country", "country"),
)

# Every spelling of a place, lower-cased, for prefix search in any language and on any backend.
gazetteer_terms = Table(
    "gazetteer_terms",
    metadata,
    Column("term", String(200), primary_key=True),
    Column(
        "geonameid",
        Integer,
        ForeignKey("gazetteer.geonameid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("ix_gazetteer_terms_geonameid", "geonameid"),
)

gazetteer_imports = Table(
    "gazetteer_imports",
    metadata,
    Column("country", String(3), primary_key=True),
    Column("location", Text, nullable=False),  # the file or URL it came from
    Column("places", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)
