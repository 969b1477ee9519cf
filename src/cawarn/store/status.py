"""What a node holds, as one plain dict (the shape of ``cawarn status --json``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, desc, select

from cawarn.config import Settings
from cawarn.domain import is_synthetic_source
from cawarn.store.engine import schema_revision
from cawarn.store.geography import list_boundaries
from cawarn.store.queries import count_quarantine, event_counts, event_totals, list_batches
from cawarn.store.tables import forecast_runs, panels


def node_status(conn: Connection, settings: Settings, *, batch_limit: int = 10) -> dict[str, Any]:
    """Counts of events, quarantine, batches and boundaries."""
    by_source = event_counts(conn, "source")
    batches = []
    for row in list_batches(conn, limit=batch_limit):
        batches.append(
            {
                key: (value.isoformat() if hasattr(value, "isoformat") else value)
                for key, value in row.items()
            }
        )
    return {
        "home": str(settings.home),
        "organisation": settings.organisation,
        "region": list(settings.region),
        "schema": schema_revision(conn.engine),
        "events": {
            **event_totals(conn),
            "by_country": event_counts(conn, "country"),
            "by_source": by_source,
            "by_category": event_counts(conn, "category"),
            "by_admin1_method": event_counts(conn, "admin1_method"),
        },
        "panels": _latest_panels(conn),
        "forecasts": _latest_forecasts(conn),
        "synthetic_sources": sorted(s for s in by_source if is_synthetic_source(s)),
        "quarantine": {"total": count_quarantine(conn)},
        "batches": batches,
        "boundaries": [
            {
                "country": b.source.country,
                "units": b.units,
                "source": b.source.source,
                "year": b.source.year,
                "licence": b.source.licence,
                "attribution": b.source.attribution,
                "location": b.location,
                "warnings": b.warnings,
            }
            for b in list_boundaries(conn)
        ],
    }


def _latest_panels(conn: Connection) -> list[dict[str, Any]]:
    """The newest build of each panel (level and name)."""
    latest: dict[tuple[str, str | None], dict[str, Any]] = {}
    for row in conn.execute(select(panels).order_by(desc(panels.c.id))).mappings():
        key = (row["level"], row["label"])
        if key not in latest:
            latest[key] = {
                "level": row["level"],
                "name": row["label"],
                "units": row["units"],
                "rows": row["rows"],
                "first_month_id": row["first_month_id"],
                "last_month_id": row["last_month_id"],
                "synthetic": bool(row["synthetic"]),
                "built_at": row["built_at"].isoformat(),
            }
    return list(latest.values())


def _latest_forecasts(conn: Connection) -> list[dict[str, Any]]:
    """The newest live forecast and the newest evaluation of each level."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    columns = [c for c in forecast_runs.c if c.name not in ("scores", "models")]
    for row in conn.execute(select(*columns).order_by(desc(forecast_runs.c.id))).mappings():
        key = (row["kind"], row["level"])
        if key not in latest:
            latest[key] = {
                "run": row["id"],
                "kind": row["kind"],
                "level": row["level"],
                "panel": row["panel_key"],
                "target": row["target"],
                "data_to_month_id": row["train_last"],
                "steps": row["steps"],
                "synthetic": bool(row["synthetic"]),
                "created_at": row["created_at"].isoformat(),
                "report": row["report_path"],
            }
    return list(latest.values())
