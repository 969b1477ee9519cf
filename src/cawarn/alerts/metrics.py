"""Loop metrics per organisation: time to acknowledge, time to respond, alerts overdue now."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import Connection, select

from cawarn.alerts.store import OPEN_STATES, utc
from cawarn.store.tables import alert_transitions, alerts


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600.0


def loop_metrics(conn: Connection, *, now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per organisation: alert counts, median hours to acknowledge and to respond, overdue now.

    Times run from the alert's creation to the first acknowledgement and to the recorded
    response; an alert is overdue when the step it waits for is past its deadline.
    """
    first: dict[tuple[int, str], dt.datetime] = {}
    for alert_id, to_state, at in conn.execute(
        select(alert_transitions.c.alert_id, alert_transitions.c.to_state, alert_transitions.c.at)
        .where(alert_transitions.c.from_state != alert_transitions.c.to_state)
        .order_by(alert_transitions.c.id)
    ).all():
        first.setdefault((alert_id, to_state), utc(at))
    out: dict[str, dict[str, Any]] = {}
    acks: dict[str, list[float]] = {}
    responses: dict[str, list[float]] = {}
    open_states = {s.value for s in OPEN_STATES}
    for row in conn.execute(select(alerts)).mappings():
        org = row["organisation"]
        entry = out.setdefault(
            org,
            {
                "alerts": 0,
                "open": 0,
                "overdue": 0,
                "escalated_by_deadline": 0,
            },  # alerts the clock escalated
        )
        entry["alerts"] += 1
        created = utc(row["created_at"])
        if row["state"] in open_states:
            entry["open"] += 1
            if row["due_at"] is not None and utc(row["due_at"]) < now:
                entry["overdue"] += 1
        if (row["id"], "acknowledged") in first:
            acks.setdefault(org, []).append(_hours(first[(row["id"], "acknowledged")] - created))
        if (row["id"], "responded") in first:
            responses.setdefault(org, []).append(_hours(first[(row["id"], "responded")] - created))
    for org, entry in out.items():
        a, r = acks.get(org, []), responses.get(org, [])
        entry["acknowledged"] = len(a)
        entry["median_hours_to_acknowledge"] = round(statistics.median(a), 3) if a else None
        entry["responded"] = len(r)
        entry["median_hours_to_response"] = round(statistics.median(r), 3) if r else None
    system = conn.execute(
        select(alerts.c.organisation, alert_transitions.c.alert_id)
        .join(alerts, alerts.c.id == alert_transitions.c.alert_id)
        .where(alert_transitions.c.actor == "system")
        .distinct()
    ).all()
    for org, _ in system:
        out[org]["escalated_by_deadline"] += 1
    return out
