"""Tables of the network's sharing: shareable STIX objects, TAXII statuses, quarantine, peers.

Defined on the store's one ``metadata`` (``cawarn.store`` imports this module), created by
migration 0009. No column holds personal data: objects are about places and dates, peers are
other nodes (their URL, organisation code and machine account).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from cawarn.store.tables import JSONText, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

# Every stored version of a shareable STIX object: one row per (stix_id, modified). The body is
# the object's compact JSON, served as it is (never re-encoded), so a page of objects is a join.
taxii_objects = Table(
    "taxii_objects",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("stix_id", String(120), nullable=False),
    Column("modified", String(40), nullable=False),  # the STIX timestamp, exactly as sent
    # When this node stored the version, in microseconds since 1970: strictly increasing and
    # unique, so it is both TAXII's date_added and the paging position.
    Column("added_us", BigInteger, nullable=False, unique=True),
    Column("type", String(60), nullable=False),
    Column("spec_version", String(10), nullable=False),
    Column("body", Text, nullable=False),
    Column("marking", String(20), nullable=False),  # TLP 2.0: TLP:CLEAR ... TLP:RED
    Column("created_by", String(120)),  # the created_by_ref identity id
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked", Boolean, nullable=False, server_default=text("false")),
    # Whether this is the newest version of its object (TAXII's default version=last).
    Column("is_latest", Boolean, nullable=False, server_default=text("true")),
    Column("origin", String(100), nullable=False),  # "local", or the peer it came from
    UniqueConstraint("stix_id", "modified"),
    Index("ix_taxii_objects_latest_added", "is_latest", "added_us"),
)

# Who may read a version: the organisation codes of its audience.
taxii_audience = Table(
    "taxii_audience",
    metadata,
    Column("object_id", _ID, ForeignKey("taxii_objects.id", ondelete="CASCADE"), primary_key=True),
    Column("org", String(100), primary_key=True),
    Index("ix_taxii_audience_org_object_id", "org", "object_id"),
)

# TAXII status resources of the POSTs this node answered, kept so GET status works.
taxii_statuses = Table(
    "taxii_statuses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("org", String(100), nullable=False),  # the organisation of the peer that posted
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("body", JSONText, nullable=False),  # the status resource as TAXII defines it
)

# Objects a peer sent that were refused, with the reason (principle 4: nothing lost).
taxii_quarantine = Table(
    "taxii_quarantine",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("origin", String(100), nullable=False),  # the peer (organisation or peer label)
    Column("stix_id", String(120)),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
)

# Other nodes this node syncs with. The API key is never stored: only where to read it.
peers = Table(
    "peers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(64), nullable=False, unique=True),
    Column("url", Text, nullable=False),  # the peer's TAXII discovery base, e.g. https://h/taxii2/
    Column("api_root", String(200), nullable=False),
    Column("org", String(100), nullable=False),  # the peer's organisation code
    Column("username", String(64), nullable=False),  # our account on the peer
    Column("key_env", String(100)),  # the variable holding the API key
    Column("key_file", Text),  # or the file holding it
    Column("public_key", Text),  # the peer's Ed25519 public key, base64 of the raw 32 bytes
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Where sync got to with each peer collection: pull = the peer's last date_added committed
# here; push = the last of our added_us positions the peer's status confirmed.
sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("peer_id", Integer, ForeignKey("peers.id", ondelete="CASCADE"), primary_key=True),
    Column("collection", String(120), primary_key=True),
    Column("direction", String(4), primary_key=True),  # pull | push
    Column("position", String(40), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
