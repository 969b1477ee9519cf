"""Tables of the network: trust groups and release decisions.

Defined on the store's one metadata (``cawarn.store.tables.metadata``), so migrations and the
schema test see them with every other table.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
)

from cawarn.store.tables import JSONText, metadata

# A named set of organisations a releasing officer can address at once.
trust_groups = Table(
    "trust_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(100), nullable=False, unique=True),  # the group's name, e.g. CA5
    Column("created_at", DateTime(timezone=True), nullable=False),
)

trust_group_members = Table(
    "trust_group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("trust_groups.id", ondelete="CASCADE"), nullable=False),
    Column("org_code", String(100), nullable=False),  # organisations.code
    PrimaryKeyConstraint("group_id", "org_code"),
)

# One row per decision; the signature covers the decision record built from these columns (see
# cawarn.domain.releases.decision_record), the revocation signature the revocation record.
releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_kind", String(20), nullable=False),  # event | alert | assessment | report
    Column("item_id", String(100), nullable=False),
    Column("owner_org", String(100), nullable=False),
    Column("audience", JSONText, nullable=False),  # organisation codes, trust groups expanded
    Column("audience_orgs", JSONText, nullable=False),  # as named by the officer
    Column("audience_groups", JSONText, nullable=False),
    Column("marking", String(20), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("decided_by", String(64), nullable=False),  # the releasing officer's username
    Column("decided_by_user_id", Integer, ForeignKey("users.id")),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("node_org", String(100), nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("signature", String(100), nullable=False),  # base64 Ed25519
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(64)),
    Column("revocation_key_id", String(40)),
    Column("revocation_signature", String(100)),
    Index("ix_releases_item", "item_kind", "item_id"),
    Index("ix_releases_owner_org", "owner_org"),
)

# The expanded audience again, one row per organisation, so "what is released to X" is a query.
release_audience = Table(
    "release_audience",
    metadata,
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), nullable=False),
    Column("org_code", String(100), nullable=False),
    PrimaryKeyConstraint("release_id", "org_code"),
    Index("ix_release_audience_org_code", "org_code"),
)
