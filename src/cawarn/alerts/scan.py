"""``alerts scan``: run the detectors on the store's events and newest live forecasts, now.

What a scan looks at, as of a day (by default the newest stored event's day):

* **flash** rules (the rules file, if the node has one) on the events of the last
  ``lookback_days``;
* **surge** over the same weekly counts against the predictive distribution of a ``zinb``
  forecaster refitted at each of the last ``SURGE_HISTORY_MONTHS`` month ends (the evaluation
  refits at every month end; a live scan needs only enough recent months to set its threshold),
  its threshold set on those months before the look-back window like the CUSUM's;
* **cusum** over the weekly counts of fatal violent events per admin-1 unit, its threshold set on
  the node's own history before the look-back window to ``false_alarm_rate`` alerts per 100
  unit-months (:func:`cawarn.alerts.calibrate.rate_threshold`), alarms within the look-back;
* **onset**, the CUSUM with a short-memory baseline (:data:`cawarn.alerts.cusum.ONSET_PARAMS`),
  on the same counts, calibrated the same way;
* **risk** from the newest live admin-1 forecast run: P = max over steps 1..3 of P(y > 0) per
  unit, an alarm where P passes ``risk_level`` and the run before it (if any) did not.

The candidates are grouped into episodes and upserted, so scanning twice raises nothing new.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from cawarn.alerts.calibrate import rate_threshold
from cawarn.alerts.candidates import Candidate, candidates_from_scores, group_episodes
from cawarn.alerts.cusum import cusum_scores, onset_scores
from cawarn.alerts.episodes import DEFAULT_GAP_DAYS
from cawarn.alerts.forecasts import monthly_forecasts
from cawarn.alerts.rules import BorderClashRule, RulesFile, apply_rules
from cawarn.alerts.scores import Scores
from cawarn.alerts.series import CountSeries, EventRecord, count_series, period_steps
from cawarn.alerts.surge import surge_scores
from cawarn.domain import Category, StoreError
from cawarn.domain.alerts import Severity
from cawarn.forecast.results import read_forecasts
from cawarn.store.tables import admin_units, events, forecast_runs

#: Days before the as-of day whose alarms a scan raises (one episode gap).
LOOKBACK_DAYS = DEFAULT_GAP_DAYS
RISK_STEPS = 3
#: The surge detector's forecaster (the evaluation's default) and how many recent month ends it
#: is refitted at: the months before the look-back window set its threshold.
SURGE_MODEL = "zinb"
SURGE_HISTORY_MONTHS = 24
SURGE_SAMPLES = 1000


@dataclass
class ScanSettings:
    """How a scan judges: the false-alarm rate of the CUSUM and the risk level."""

    false_alarm_rate: float = 1.0
    risk_level: float = 0.5
    lookback_days: int = LOOKBACK_DAYS
    as_of: dt.date | None = None


@dataclass
class ScanInput:
    """What the detectors read from the store."""

    as_of: dt.date | None
    events: list[EventRecord] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # admin-1 code → country


def read_events(conn: Connection) -> ScanInput:
    """The current events with an admin-1 unit, and every loaded unit (calm ones count too)."""
    query = select(
        events.c.uid,
        events.c.date_start,
        events.c.admin1,
        events.c.country,
        events.c.category,
        events.c.fatalities_best,
        events.c.latitude,
        events.c.longitude,
    ).where(events.c.is_current, events.c.admin1.is_not(None))
    records = [
        EventRecord(
            event_id=row.uid,
            day=row.date_start,
            unit=row.admin1,
            country=row.country,
            category=Category(row.category),
            deaths=int(row.fatalities_best or 0),
            latitude=row.latitude,
            longitude=row.longitude,
        )
        for row in conn.execute(query)
    ]
    units = {
        code: country
        for code, country in conn.execute(select(admin_units.c.code, admin_units.c.country))
    }
    for record in records:
        units.setdefault(record.unit, record.country)
    last = conn.execute(select(func.max(events.c.date_start)).where(events.c.is_current)).scalar()
    return ScanInput(as_of=last, events=records, units=units)


def _upto(data: ScanInput, as_of: dt.date) -> list[EventRecord]:
    """The events known on the as-of day."""
    return [e for e in data.events if e.day <= as_of]


def _weekly(data: ScanInput, as_of: dt.date, freq: str = "week") -> CountSeries:
    """The counts of every unit up to the as-of day, by week or month."""
    return count_series(
        _upto(data, as_of),
        freq=freq,
        first=min(e.day for e in data.events),
        last=as_of,
        units=sorted(data.units),
        countries=data.units,
    )


def _recent_alarms(
    scores: Scores, data: ScanInput, as_of: dt.date, settings: ScanSettings
) -> list[Candidate]:
    """Alarms in the look-back window, the threshold set on the scored weeks before it."""
    ends = np.array(scores.ends, dtype="datetime64[D]")
    window_start = np.datetime64(as_of - dt.timedelta(days=settings.lookback_days), "D")
    # Weeks a detector could not judge yet (NaN) are not unit-months of its history.
    history = (ends < window_start)[:, None] & np.isfinite(scores.score)
    threshold = rate_threshold(scores, settings.false_alarm_rate, history)
    if not math.isfinite(threshold):
        return []
    found = candidates_from_scores(scores, threshold, _upto(data, as_of), period_days=7)
    return [c for c in found if as_of - dt.timedelta(days=settings.lookback_days) < c.day <= as_of]


def cusum_candidates(data: ScanInput, as_of: dt.date, settings: ScanSettings) -> list[Candidate]:
    """CUSUM alarms in the look-back window, its threshold calibrated on the history before it."""
    if not data.events:
        return []
    weekly = _weekly(data, as_of)
    scores = cusum_scores(weekly, within=period_steps(_upto(data, as_of), weekly))
    return _recent_alarms(scores, data, as_of, settings)


def onset_candidates(data: ScanInput, as_of: dt.date, settings: ScanSettings) -> list[Candidate]:
    """Onset alarms (the short-memory CUSUM) in the look-back window, calibrated like the CUSUM."""
    if not data.events:
        return []
    weekly = _weekly(data, as_of)
    scores = onset_scores(weekly, within=period_steps(_upto(data, as_of), weekly))
    return _recent_alarms(scores, data, as_of, settings)


def surge_candidates(data: ScanInput, as_of: dt.date, settings: ScanSettings) -> list[Candidate]:
    """Surge alarms in the look-back window against forecasts refitted at recent month ends."""
    if not data.events:
        return []
    weekly = _weekly(data, as_of)
    monthly = _weekly(data, as_of, "month")
    months = monthly.counts.shape[0]
    forecasts = monthly_forecasts(
        monthly,
        model=SURGE_MODEL,
        steps=1,
        n_samples=SURGE_SAMPLES,
        first_origin=months - 1 - SURGE_HISTORY_MONTHS,
    )
    if not forecasts.samples:
        return []  # too short a history for a forecast
    within = period_steps(_upto(data, as_of), weekly)
    scores = surge_scores(weekly, monthly, forecasts, within=within)
    return _recent_alarms(scores, data, as_of, settings)


def flash_candidates(
    data: ScanInput, as_of: dt.date, rules: RulesFile, border: Any, settings: ScanSettings
) -> list[Candidate]:
    """Flash rule matches among the events of the look-back window."""
    if not rules.rule:
        return []
    start = as_of - dt.timedelta(days=settings.lookback_days)
    recent = [e for e in data.events if start < e.day <= as_of]
    return apply_rules(recent, rules, border=border)


def risk_candidates(conn: Connection, settings: ScanSettings) -> list[Candidate]:
    """Units whose newest live admin-1 forecast passes the risk level (and the run before not)."""
    runs = conn.execute(
        select(forecast_runs.c.id, forecast_runs.c.train_last, forecast_runs.c.models)
        .where(forecast_runs.c.kind == "live", forecast_runs.c.level == "admin1")
        .order_by(forecast_runs.c.id.desc())
        .limit(2)
    ).all()
    if not runs:
        return []

    def levels(run_id: int) -> dict[str, tuple[float, str]]:
        best: dict[str, tuple[float, str]] = {}
        for row in read_forecasts(conn, run_id):
            if (
                row["step"] <= RISK_STEPS
                and row["p_positive"] > best.get(row["unit"], (-1.0, ""))[0]
            ):
                best[row["unit"]] = (float(row["p_positive"]), str(row["model"]))
        return best

    now = levels(runs[0].id)
    before = levels(runs[1].id) if len(runs) > 1 else {}
    origin = runs[0].train_last  # month_id of the origin: its last day dates the alarm
    year, month = divmod(origin - 1, 12)
    month_end = dt.date(1980 + year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(
        days=1
    )
    versions = {m["name"]: m.get("version", "") for m in runs[0].models}
    out = []
    for unit, (p, model) in sorted(now.items()):
        previous = before.get(unit, (math.nan, ""))[0]
        if p <= settings.risk_level or previous > settings.risk_level:
            continue
        out.append(
            Candidate(
                detector="risk",
                unit=unit,
                day=month_end,
                severity=Severity.MEDIUM,
                observed=p,
                expected=previous,
                threshold=settings.risk_level,
                score=p,
                params={"steps": RISK_STEPS, "forecast_run": runs[0].id, "model": model},
                model_version=f"{model} {versions.get(model, '')}".strip(),
            )
        )
    return out


def scan_drafts(
    conn: Connection, settings: ScanSettings, rules: RulesFile, border: Any = None
) -> tuple[dt.date | None, list[Any]]:
    """Every detector's candidates as of the day, grouped into one draft per episode."""
    data = read_events(conn)
    as_of = settings.as_of or data.as_of
    found: list[Candidate] = []
    if as_of is not None:
        needs_border = any(isinstance(r, BorderClashRule) for r in rules.rule)
        found += flash_candidates(data, as_of, rules, border if needs_border else None, settings)
        found += cusum_candidates(data, as_of, settings)
        found += onset_candidates(data, as_of, settings)
        found += surge_candidates(data, as_of, settings)
    found += risk_candidates(conn, settings)
    return as_of, group_episodes(found)


@dataclass
class ScanReport:
    """What one scan did."""

    as_of: dt.date | None
    drafts: int
    new: list[int]
    updated: list[int]
    escalated: list[int]


def node_rules(settings: Any) -> RulesFile:
    """The node's rules file, or no rules (and the default deadlines) when it has none."""
    from cawarn.alerts.rules import read_rules

    path = settings.alert_rules_path
    if settings.alert_rules is None and not path.exists():
        return RulesFile()
    return read_rules(path)


def node_border(conn: Connection, rules: RulesFile) -> Any:
    """The border index when a border_clash rule needs it and boundaries are loaded."""
    if not any(isinstance(r, BorderClashRule) for r in rules.rule):
        return None
    from cawarn.alerts.borders import border_index
    from cawarn.store.geography import load_units

    units = load_units(conn)
    if not units:
        return None
    return border_index([(u.code, g) for u, g in units], [u.country for u, _ in units])


def run_scan(
    engine: Any,
    settings: Any,
    *,
    now: dt.datetime,
    as_of: dt.date | None = None,
) -> ScanReport:
    """Scan, upsert the alerts, escalate the overdue ones, in one transaction."""
    from cawarn.alerts.moves import escalate_overdue
    from cawarn.alerts.notify import Channels
    from cawarn.alerts.store import upsert_drafts

    rules = node_rules(settings)
    policy = rules.deadline_policy()
    channels = Channels.from_settings(settings)
    scan_settings = ScanSettings(
        false_alarm_rate=settings.alert_false_alarm_rate,
        risk_level=settings.alert_risk_level,
        as_of=as_of,
    )
    try:
        with engine.begin() as conn:
            day, drafts = scan_drafts(conn, scan_settings, rules, node_border(conn, rules))
            result = upsert_drafts(
                conn, settings.organisation, drafts, now=now, policy=policy, channels=channels
            )
            escalated = escalate_overdue(conn, now=now, policy=policy, channels=channels)
    except IntegrityError:
        # Two scans at once: the unique episode key let only one store the alert.
        raise StoreError(
            "Another scan stored the same alert at the same moment; nothing of this scan was "
            "kept. Run 'cawarn alerts scan' again."
        ) from None
    return ScanReport(day, len(drafts), result.new, result.updated, escalated)
