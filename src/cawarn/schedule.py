"""The node's schedule: ingest new files → admin-1 panel → live forecasts → alert scan → sync.

Each task has its own interval (``schedule_minutes``); when it last started and finished is kept
in the store (``schedule_tasks``), so the schedule survives a restart. A task is due when it never
finished, when its interval has passed since it last finished, or when it started after it last
finished (the run was killed in the middle of it): then it runs again from the start. Every task
is idempotent (ingest skips a file it has read, by checksum; a panel or forecast is rebuilt from
the store; the scan upserts one alert per episode), so running a task again never duplicates
events or alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from cawarn.config import DEFAULT_SCHEDULE, Settings
from cawarn.domain import CawarnError
from cawarn.store.tables import schedule_tasks

#: Files in the watched folder that ingest reads (UCDP GED CSV or the official zip).
WATCHED_SUFFIXES = (".csv", ".zip")
LEVEL = "admin1"


@dataclass
class TaskResult:
    """What one task did."""

    task: str
    status: str  # ok | failed | skipped (not due)
    message: str
    details: dict[str, Any]


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def task_state(engine: Engine) -> dict[str, dict[str, Any]]:
    """Each task's stored state by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(schedule_tasks)).mappings().all()
    return {row["task"]: dict(row) for row in rows}


def is_due(row: dict[str, Any] | None, interval: dt.timedelta, now: dt.datetime) -> bool:
    """Whether a task with this stored state should run now."""
    if row is None:
        return True
    started, finished = _utc(row["last_started_at"]), _utc(row["last_finished_at"])
    if finished is None or (started is not None and started > finished):
        return True  # never finished, or killed half-way: run it again
    return now - finished >= interval


def _mark(engine: Engine, task: str, **values: Any) -> None:
    with engine.begin() as conn:
        updated = conn.execute(
            schedule_tasks.update().where(schedule_tasks.c.task == task).values(**values)
        ).rowcount
        if not updated:
            conn.execute(schedule_tasks.insert().values(task=task, **values))


def _ingest(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cawarn.ingest.pipeline import ingest
    from cawarn.ingest.ucdp import GedReader, open_ucdp_ged

    folder = settings.watch_path
    files = sorted(
        p for p in folder.glob("*") if p.is_file() and p.suffix.lower() in WATCHED_SUFFIXES
    )
    new = 0
    for path in files:
        with open_ucdp_ged(settings, str(path), version=None) as ged:
            report = ingest(engine, settings, GedReader(ged, set(settings.region)))
        new += report.events_new
    return f"{len(files)} files in {folder} read, {new} new events", {
        "files": len(files),
        "events_new": new,
    }


def _panel(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cawarn.panel import build_panel, save_panel

    with engine.begin() as conn:
        panel = save_panel(conn, settings, build_panel(conn, settings, LEVEL))
    return f"panel {panel.key} (#{panel.id}) built", {"panel": panel.id}


def _forecast(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cawarn.forecast.service import run_live

    run_id, _, rows = run_live(
        engine, settings, level=LEVEL, name=None, models=settings.schedule_models or None
    )
    return f"live forecast run {run_id} ({rows} rows)", {"run": run_id}


def _scan(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cawarn.alerts.notify import Channels, deliver_due
    from cawarn.alerts.scan import run_scan

    report = run_scan(engine, settings, now=now)
    sent = deliver_due(engine, Channels.from_settings(settings), now=now)
    details = {
        "new": report.new,
        "updated": report.updated,
        "escalated": report.escalated,
        "notifications_sent": sent.sent,
    }
    return (
        f"{len(report.new)} new alerts, {len(report.updated)} updated, "
        f"{len(report.escalated)} escalated",
        details,
    )


def _sync(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[str, dict[str, Any]]:
    from cawarn.network.sync import describe, sync_all

    reports = sync_all(engine, settings)
    details = {
        "peers": len(reports),
        "pulled_new": sum(r.pulled_new for r in reports),
        "pushed": sum(r.pushed for r in reports),
        "withdrawn": sum(r.events_withdrawn for r in reports),
        "errors": [e for r in reports for e in r.errors],
    }
    return "; ".join(describe(r) for r in reports) or "no peers", details


TASKS: dict[str, Callable[[Engine, Settings, dt.datetime], tuple[str, dict[str, Any]]]] = {
    "ingest": _ingest,
    "panel": _panel,
    "forecast": _forecast,
    "scan": _scan,
    "sync": _sync,
}
assert list(TASKS) == list(DEFAULT_SCHEDULE)


def run_due(
    engine: Engine,
    settings: Settings,
    *,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    every: bool = False,
    note: Callable[[str], None] | None = None,
) -> list[TaskResult]:
    """Run each configured task that is due (every one with ``every``), in order.

    A task that fails is recorded as failed with its one-sentence error and the later tasks still
    run on what the store holds; it is due again at its next interval.
    """
    state = task_state(engine)
    results = []
    for task in TASKS:
        if task not in settings.schedule_minutes:
            continue
        interval = dt.timedelta(minutes=settings.schedule_minutes[task])
        if not every and not is_due(state.get(task), interval, now()):
            results.append(TaskResult(task, "skipped", "not due", {}))
            continue
        if note is not None:
            note(f"Running {task} …")
        _mark(engine, task, last_started_at=now())
        try:
            message, details = TASKS[task](engine, settings, now())
        except CawarnError as err:
            _mark(engine, task, last_finished_at=now(), last_status="failed", last_message=str(err))
            results.append(TaskResult(task, "failed", str(err), {}))
            continue
        _mark(engine, task, last_finished_at=now(), last_status="ok", last_message=message)
        results.append(TaskResult(task, "ok", message, details))
    return results


def next_due(engine: Engine, settings: Settings, now: dt.datetime) -> dt.datetime:
    """When the next task falls due."""
    state = task_state(engine)
    times = []
    for task, minutes in settings.schedule_minutes.items():
        finished = _utc((state.get(task) or {}).get("last_finished_at"))
        times.append(now if finished is None else finished + dt.timedelta(minutes=minutes))
    return min(times, default=now + dt.timedelta(hours=1))
