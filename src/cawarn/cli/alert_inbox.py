"""``cawarn alerts scan|list|show|ack|assess|escalate|respond|close|metrics|notify``: the inbox."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from cawarn.cli.context import CliState, state

User = Annotated[str, typer.Option("--user", help="Username of who makes the move.")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: [_plain(t) for t in v] if k == "transitions" else _iso(v) for k, v in row.items()}


def _policy(cli: CliState) -> Any:
    from cawarn.alerts.scan import node_rules

    return node_rules(cli.settings).deadline_policy()


def _channels(cli: CliState) -> Any:
    from cawarn.alerts.notify import Channels

    return Channels.from_settings(cli.settings)


def _deliver(cli: CliState) -> None:
    from cawarn.alerts.notify import deliver_due

    report = deliver_due(cli.engine(), _channels(cli), now=_now())
    if report.sent or report.retrying or report.failed:
        cli.note(
            f"Notifications: {report.sent} sent, {report.retrying} to retry, "
            f"{report.failed} given up."
        )


def scan(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge as of this day (YYYY-MM-DD; default: newest event)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run the detectors on the stored events and newest live forecasts; store the alerts."""
    from cawarn.alerts.scan import run_scan
    from cawarn.domain import InputError

    cli = state(ctx)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InputError(f"--as-of {as_of!r} is not a day; write it as YYYY-MM-DD.") from None
    report = run_scan(cli.engine(), cli.settings, now=_now(), as_of=day)
    _deliver(cli)
    if as_json:
        out = {
            "as_of": _iso(report.as_of),
            "episodes": report.drafts,
            "new": report.new,
            "updated": report.updated,
            "escalated": report.escalated,
        }
        print(json.dumps(out))
        return
    cli.out.print(
        f"Scanned as of {_iso(report.as_of) or 'no events'}: {len(report.new)} new alerts, "
        f"{len(report.updated)} updated, {len(report.escalated)} escalated as overdue."
    )


def list_(
    ctx: typer.Context,
    state_: Annotated[
        str | None, typer.Option("--state", help="Only alerts in this state (e.g. new).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the alerts, most severe first, then by deadline."""
    from cawarn.alerts.store import list_alerts
    from cawarn.domain import InputError
    from cawarn.domain.alerts import AlertState

    cli = state(ctx)
    if state_ is not None and state_ not in {s.value for s in AlertState}:
        states = ", ".join(s.value for s in AlertState)
        raise InputError(f"--state {state_!r} is not a state; use one of {states}.")
    with cli.engine().connect() as conn:
        rows = list_alerts(conn, cli.settings.organisation, state=state_)
    if as_json:
        print(json.dumps([_plain({k: v for k, v in r.items() if k != "evidence"}) for r in rows]))
        return
    table = Table(title=f"{len(rows)} alerts", title_justify="left")
    for col in ("id", "severity", "state", "unit", "detector", "triggered", "next step", "due"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["severity"],
            r["state"],
            r["unit"],
            r["detector"],
            f"{_iso(r['first_triggered'])}..{_iso(r['last_triggered'])}",
            r["due_step"] or "—",
            _iso(r["due_at"]) or "—",
        )
    cli.out.print(table)


def show(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show one alert: its evidence, deadlines and every move made."""
    from cawarn.alerts.store import get_alert

    cli = state(ctx)
    with cli.engine().connect() as conn:
        row = get_alert(conn, alert_id, cli.settings.organisation)
    if as_json:
        print(json.dumps(_plain(row), ensure_ascii=False))
        return
    cli.out.print(f"Alert {row['id']} — {row['title']}", markup=False)
    cli.out.print(
        f"{row['severity']}, {row['state']} (escalation level {row['escalation_level']}); "
        f"triggered {_iso(row['first_triggered'])}..{_iso(row['last_triggered'])}; "
        f"next step {row['due_step'] or '—'} due {_iso(row['due_at']) or '—'}; "
        f"acknowledge due {_iso(row['ack_due'])}; assignee {row['assignee'] or '—'}",
        markup=False,
    )
    cli.out.print(f"Model: {row['model_version']}", markup=False)
    for trigger in row["evidence"]["triggers"]:
        rule = f" {trigger['rule']}" if trigger.get("rule") else ""
        cli.out.print(
            f"  {trigger['day']} {trigger['detector']}{rule}"
            f": observed {trigger['observed']}, expected {trigger['expected']}, threshold "
            f"{trigger['threshold']}, score {trigger['score']}, {len(trigger['events'])} events",
            markup=False,
        )
    for t in row["transitions"]:
        note = f" — {t['text']}" if t["text"] else ""
        conf = f" (confidence {t['confidence']})" if t["confidence"] else ""
        cli.out.print(
            f"  {_iso(t['at'])} {t['actor']}: {t['from_state']} → {t['to_state']}{conf}{note}",
            markup=False,
        )


def _move(ctx: typer.Context, alert_id: int, user: str, step: str, **kw: Any) -> None:
    from cawarn.alerts.moves import move

    cli = state(ctx)
    with cli.engine().begin() as conn:
        row = move(
            conn,
            alert_id,
            user,
            step,
            now=_now(),
            policy=_policy(cli),
            channels=_channels(cli),
            **kw,
        )
    _deliver(cli)
    cli.out.print(f"Alert {alert_id} is {row['state']}.")


def ack(ctx: typer.Context, alert_id: Annotated[int, typer.Argument()], user: User) -> None:
    """Acknowledge an alert: a duty officer owns it from now."""
    _move(ctx, alert_id, user, "acknowledge")


def assess(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    user: User,
    text: Annotated[str, typer.Option("--text", help="The written assessment.")],
    confidence: Annotated[
        str, typer.Option("--confidence", help="low, moderate (or medium) or high.")
    ],
) -> None:
    """Record an analyst's assessment with a confidence level."""
    _move(ctx, alert_id, user, "assess", text=text, confidence=confidence)


def escalate(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    user: User,
    reason: Annotated[str, typer.Option("--reason", help="Why it goes up.")],
) -> None:
    """Send an assessed alert up to the decision level."""
    _move(ctx, alert_id, user, "escalate", text=reason)


def respond(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument()],
    user: User,
    text: Annotated[str, typer.Option("--text", help="What was done (or why nothing).")],
) -> None:
    """Record the response to an assessed or escalated alert."""
    _move(ctx, alert_id, user, "respond", text=text)


def close(ctx: typer.Context, alert_id: Annotated[int, typer.Argument()], user: User) -> None:
    """Close an alert whose response is recorded."""
    _move(ctx, alert_id, user, "close")


def metrics(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Loop metrics per organisation: time to acknowledge, time to response, overdue count."""
    from cawarn.alerts.metrics import loop_metrics

    cli = state(ctx)
    with cli.engine().connect() as conn:
        result = loop_metrics(conn, now=_now())
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title="Alert loop per organisation", title_justify="left")
    columns = (
        "alerts",
        "open",
        "overdue",
        "median_hours_to_acknowledge",
        "median_hours_to_response",
        "escalated_by_deadline",
    )
    table.add_column("organisation")
    for col in columns:
        table.add_column(col.replace("_", " "), justify="right")
    for org, entry in sorted(result.items()):
        table.add_row(org, *("—" if entry[c] is None else str(entry[c]) for c in columns))
    cli.out.print(table)


def notify(ctx: typer.Context) -> None:
    """Deliver the notifications that are due (retrying failed ones with backoff)."""
    from cawarn.alerts.notify import deliver_due

    cli = state(ctx)
    report = deliver_due(cli.engine(), _channels(cli), now=_now())
    cli.out.print(
        f"Notifications: {report.sent} sent, {report.retrying} to retry later, "
        f"{report.failed} given up."
    )


def register(app: typer.Typer) -> None:
    """Add the inbox commands to ``cawarn alerts``."""
    app.command("scan")(scan)
    app.command("list")(list_)
    app.command("show")(show)
    app.command("ack")(ack)
    app.command("assess")(assess)
    app.command("escalate")(escalate)
    app.command("respond")(respond)
    app.command("close")(close)
    app.command("metrics")(metrics)
    app.command("notify")(notify)
