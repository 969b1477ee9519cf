"""The tables of the store, in SQLAlchemy Core; Alembic migrations create them.

No column holds personal data (DESIGN.md principle 1): actors are organisations as the source
names them; free-text news extracts that may name private persons are not stored.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect


class JSONText(TypeDecorator[Any]):
    """JSON kept as text on every backend; a str given to it is taken as JSON already encoded.

    Ingest encodes each row's source fields once and reuses the text for hashing and storing.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("source", String(100), nullable=False),  # e.g. "ucdp-ged"
    Column("source_version", String(20)),  # e.g. "23.1", "23.0.10"
    Column("source_dataset", String(20)),  # "ged" (final) or "candidate"
    Column("location", Text, nullable=False),  # path or URL given by the operator
    Column("sha256", String(64)),
    # What the rows were read with (release kind, boundaries, region, mapping rules): the same
    # file read with the same fingerprint gives the same events.
    Column("fingerprint", String(32)),
    Column("status", String(20), nullable=False),  # committed | unchanged | failed
    Column("message", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows_read", Integer, nullable=False, server_default=text("0")),
    Column("rows_outside_region", Integer, nullable=False, server_default=text("0")),
    Column("rows_quarantined", Integer, nullable=False, server_default=text("0")),
    Column("events_new", Integer, nullable=False, server_default=text("0")),
    Column("events_revised", Integer, nullable=False, server_default=text("0")),
    Column("events_unchanged", Integer, nullable=False, server_default=text("0")),
    Column("events_older", Integer, nullable=False, server_default=text("0")),
    Column("duplicate_rows", Integer, nullable=False, server_default=text("0")),
    Column("admin1_snapped", Integer, nullable=False, server_default=text("0")),
    Column("admin1_unassigned", Integer, nullable=False, server_default=text("0")),
    Column("admin1_disagreements", Integer, nullable=False, server_default=text("0")),
    Column("priogrid_mismatches", Integer, nullable=False, server_default=text("0")),
    Column("same_as_batch_id", Integer),  # for an unchanged file: the batch that read it
    Index("ix_batches_sha256", "sha256"),
)

events = Table(
    "events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("uid", String(36), nullable=False),  # stable across revisions; also the STIX id
    Column("source", String(100), nullable=False),
    Column("source_event_id", String(100), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("source_version", String(20)),
    Column("source_dataset", String(20)),
    Column("version_rank", String(40), nullable=False),  # sortable text; higher wins
    Column("date_start", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Column("date_precision", String(10), nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", String(30), nullable=False),
    Column("country", String(3), nullable=False),
    Column("admin1", String(20)),
    Column("admin1_method", String(10)),  # inside | snapped | none | imprecise
    Column("admin1_distance_km", Float),
    Column("admin1_agrees", Boolean),  # with the source's own admin-1 name; NULL if none given
    Column("priogrid_gid", Integer),
    Column("priogrid_agrees", Boolean),  # with the source's own gid; NULL if none given
    Column("category", String(40), nullable=False),
    Column("source_fields", JSONText, nullable=False),  # the source's own fields, verbatim
    Column("actor1", Text),  # organisations and groups only
    Column("actor2", Text),
    Column("fatalities_best", Integer),
    Column("fatalities_low", Integer),
    Column("fatalities_high", Integer),
    Column("summary", Text),
    Column("source_ref", Text),
    Column("marking", String(20), nullable=False),
    Column("owner_org", String(100), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("raw_hash", BigInteger, nullable=False),  # of the input row, for the fast unchanged path
    Column("content_hash", String(32), nullable=False),  # of the mapped event
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "source_event_id", "revision"),
    Index(
        "ux_events_current",
        "source",
        "source_event_id",
        unique=True,
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
    Index("ix_events_current_country_date", "is_current", "country", "date_start"),
    # The listing's index is ix_events_listing_start, in cawarn.store.schema_listing.
    # The overview page: the newest day, the recent events (newest first) and the monthly
    # fatalities of the last three years, read from the index rather than the whole table.
    Index(
        "ix_events_recent",
        "is_current",
        "date_start",
        "category",
        "country",
        "marking",
        "owner_org",
        "fatalities_best",
    ),
    Index("ix_events_uid", "uid"),
    Index("ix_events_batch_id", "batch_id"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),  # first seen in
    Column("last_batch_id", Integer, ForeignKey("batches.id"), nullable=False),  # last seen in
    Column("source", String(100), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("source_event_id", String(100)),
    Column("reason", Text, nullable=False),
    Column("raw", JSONText, nullable=False),
    Column("raw_hash", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The same rejected row read again (a rerun of the same file) is one entry, not two.
    UniqueConstraint("source", "raw_hash", "row_number", "reason"),
    Index("ix_quarantine_batch_id_row_number", "batch_id", "row_number"),
    Index("ix_quarantine_last_batch_id", "last_batch_id"),
)

boundary_sources = Table(
    "boundary_sources",
    metadata,
    Column("country", String(3), primary_key=True),
    Column("level", String(10), nullable=False),
    Column("source", Text, nullable=False),
    Column("year", String(20)),
    Column("licence", Text),
    Column("licence_url", Text),
    Column("original_source", Text),
    Column("build_date", String(40)),
    Column("location", Text, nullable=False),
    Column("warnings", JSONText, nullable=False),
    Column("outline_wkb", LargeBinary, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

admin_units = Table(
    "admin_units",
    metadata,
    Column("code", String(20), primary_key=True),
    Column(
        "country",
        String(3),
        ForeignKey("boundary_sources.country", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name_en", Text, nullable=False),
    Column("name_ru", Text, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("geometry_wkb", LargeBinary, nullable=False),
    Index("ix_admin_units_country", "country"),
)

# Unit-month panels built from the events (or imported): each build is a Parquet file in the
# node home, recorded here with what it was built from; a rebuild adds a row (history is kept).
panels = Table(
    "panels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(100)),  # the panel's name; NULL for the level's default panel
    Column("level", String(10), nullable=False),  # country | admin1 | pgm
    Column("built_at", DateTime(timezone=True), nullable=False),
    Column("first_month_id", Integer, nullable=False),
    Column("last_month_id", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("columns", JSONText, nullable=False),
    Column("sources", JSONText, nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("events_used", Integer, nullable=False, server_default=text("0")),
    Column("events_max_batch_id", Integer),
    Column("events_digest", String(32)),  # of the ids of the current events used
    Column("batch_id", Integer, ForeignKey("batches.id")),  # the import batch, for imports
    Column("input_sha256", String(64)),  # of the imported file, for imports
    Column("feature_version", String(20), nullable=False),
    Column("report", JSONText, nullable=False),
    Index("ix_panels_level_label", "level", "label"),
)

#: Quantile levels stored with every live forecast (the fan chart's bands and the median).
FORECAST_QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)

forecast_runs = Table(
    "forecast_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(12), nullable=False),  # live | evaluation
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("level", String(10), nullable=False),
    Column("panel_id", Integer, ForeignKey("panels.id")),
    Column("panel_key", String(120), nullable=False),
    Column("panel_sha256", String(64), nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("target", String(60), nullable=False),
    Column("train_first", Integer, nullable=False),  # month_id of the first month learnt from
    Column("train_last", Integer, nullable=False),  # live: the origin; evaluation: test_end
    Column("test_start", Integer),  # evaluation: the first origin
    Column("test_end", Integer),  # evaluation: the last origin
    Column("steps", Integer, nullable=False),
    Column("n_samples", Integer, nullable=False),
    Column("seeds", JSONText, nullable=False),
    Column("models", JSONText, nullable=False),  # [{name, version, params}]
    Column("scores", JSONText),  # evaluation: the --json object
    Column("report_path", Text),
    Index("ix_forecast_runs_kind_level", "kind", "level"),
)

forecasts = Table(
    "forecasts",
    metadata,
    Column("run_id", Integer, ForeignKey("forecast_runs.id", ondelete="CASCADE"), nullable=False),
    Column("model", String(60), nullable=False),
    Column("unit", String(40), nullable=False),  # ISO3, admin-1 code or PRIO-GRID gid as text
    Column("month_id", Integer, nullable=False),
    Column("step", Integer, nullable=False),
    Column("p_positive", Float, nullable=False),
    Column("mean", Float, nullable=False),
    *(Column(f"q{round(q * 100):02d}", Float, nullable=False) for q in FORECAST_QUANTILES),
    Column("exceed", JSONText, nullable=False),  # P(y > t) at the ViEWS bin edges 0.5 … 1000.5
    UniqueConstraint("run_id", "model", "unit", "step"),
    Index("ix_forecasts_unit_month", "unit", "month_id"),
)

# Accounts. Only what authorisation needs: a username and a role, never a person's name, e-mail
# or telephone (DESIGN.md principle 1).
organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    # The short code; events name their owner by it (events.owner_org).
    Column("code", String(100), nullable=False, unique=True),
    Column("title", Text, nullable=False),  # the organisation's full title
    Column("kind", String(20), nullable=False),  # state | un | osce | other
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("role", String(30), nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("totp_secret", String(64)),  # base32; NULL until the user starts enrolment
    Column("totp_enabled", Boolean, nullable=False, server_default=text("false")),
    Column("totp_last_step", BigInteger),  # the last accepted code's time step: no replays
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("failed_logins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", DateTime(timezone=True)),
    # Raised by logout and deactivation: sessions signed with an older value are over.
    Column("session_epoch", Integer, nullable=False, server_default=text("0")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_users_org_id", "org_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("prefix", String(16), nullable=False, unique=True),  # shown in listings and logs
    Column("key_hash", String(64), nullable=False),  # sha256 of the whole key
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Index("ix_api_keys_user_id", "user_id"),
)

# Append-only and hash-chained: each row's hash covers its content and the previous row's hash,
# so a changed or deleted row breaks the chain from there on.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id")),  # NULL for the command line
    Column("actor", String(64), nullable=False),  # username, or "cli" / "system"
    Column("org", String(100)),  # the actor's organisation code
    Column("action", String(60), nullable=False),  # e.g. user.create, events.read
    Column("object_type", String(40)),
    Column("object_id", String(100)),
    Column("marking", String(20)),  # the highest TLP marking of what was read or written
    Column("details", JSONText, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_audit_log_org_at", "org", "at"),
)

# Alerts: one row per (organisation, detector, unit, episode), so a rescan updates the alert it
# raised before instead of adding another; every move of its lifecycle is a transition row.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation", String(100), nullable=False),  # organisations.code of the owner
    Column("unit", String(40), nullable=False),
    Column("detector", String(40), nullable=False),  # surge | cusum | onset | risk | flash
    Column("episode", String(120), nullable=False),  # the first alarm's day (and rule, if flash)
    Column("severity", String(10), nullable=False),
    Column("state", String(20), nullable=False),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("title", Text, nullable=False),
    Column("evidence", JSONText, nullable=False),  # {"triggers": [...], "events": [...]}
    Column("model_version", String(100), nullable=False),
    Column("first_triggered", Date, nullable=False),
    Column("last_triggered", Date, nullable=False),
    Column("ack_due", DateTime(timezone=True), nullable=False),
    Column("response_due", DateTime(timezone=True)),
    Column("due_step", String(20)),  # the step the alert waits for; NULL once responded
    Column("due_at", DateTime(timezone=True)),
    Column("assignee", String(64)),  # the username of the duty officer who acknowledged it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("organisation", "detector", "unit", "episode"),
    Index("ix_alerts_organisation_state", "organisation", "state"),
)

alert_transitions = Table(
    "alert_transitions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("from_state", String(20), nullable=False),
    Column("to_state", String(20), nullable=False),
    Column("actor", String(64), nullable=False),  # username, or "system"
    Column("actor_user_id", Integer, ForeignKey("users.id")),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("text", Text),  # the assessment, the response, the escalation reason
    Column("confidence", String(10)),  # of an assessment
    Index("ix_alert_transitions_alert_id", "alert_id"),
)

# The outbox: a notification is queued in the same transaction as the alert change that causes
# it, and delivered later with retries, so a crash never loses or doubles one.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(20), nullable=False),  # new | escalated
    Column("channel", String(10), nullable=False),  # email | webhook
    Column("target", Text, nullable=False),  # the addresses, or the URL
    Column("payload", JSONText, nullable=False),
    Column("status", String(10), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
)

# The node's schedule ('cawarn run'): when each task last finished, so a killed run resumes.
schedule_tasks = Table(
    "schedule_tasks",
    metadata,
    Column("task", String(40), primary_key=True),
    Column("last_started_at", DateTime(timezone=True)),
    Column("last_finished_at", DateTime(timezone=True)),
    Column("last_status", String(10)),  # ok | failed
    Column("last_message", Text),
)
