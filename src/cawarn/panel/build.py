"""Building a panel from the store's current events: units, months, targets and features."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from cawarn.config import Settings
from cawarn.domain import InputError, is_synthetic_source
from cawarn.panel import features as feat
from cawarn.panel.model import Panel, assemble
from cawarn.panel.months import label, parse_month
from cawarn.panel.neighbours import TOLERANCE_DEG, afghan_border_pairs, neighbour_pairs
from cawarn.panel.static import distance_to_afghanistan, population
from cawarn.panel.targets import TARGETS, choose_sources, read_events, sum_targets, unit_index
from cawarn.panel.units import check_level, load_unit_set


def build_panel(
    conn: Connection,
    settings: Settings,
    level: str,
    *,
    sources: list[str] | None = None,
    start: str | int | None = None,
    end: str | int | None = None,
) -> Panel:
    """Build the unit-month panel of a level from the current events (nothing is written)."""
    began = time.perf_counter()
    check_level(level)
    first = parse_month(start, what="--start")
    last = parse_month(end, what="--end")
    chosen = choose_sources(conn, sources)
    units = load_unit_set(conn, list(settings.region), level)
    rows = read_events(conn, chosen)
    if len(rows) == 0:
        raise InputError(f"The store holds no current events of {', '.join(chosen)}.")
    first = int(rows.month.min()) if first is None else first
    last = int(rows.month.max()) if last is None else last
    if first > last:
        raise InputError(
            f"The panel would start in {label(first)} after it ends in {label(last)}; "
            "give --start before --end."
        )
    # Features look back in time: start the computation at the earliest event (or --start).
    origin = min(first, int(rows.month.min()))
    months = last - origin + 1
    n = len(units)
    where = unit_index(rows, level, units.codes)
    matrices: dict[str, npt.NDArray[Any]] = dict(sum_targets(rows, where, origin, months, n))
    y = matrices["fatalities"]
    matrices.update(feat.temporal_features(y))
    pair_unit, pair_other = neighbour_pairs(units)
    matrices["splag_fatalities_lag1"] = feat.spatial_lag(y, pair_unit, pair_other)
    provinces, border_unit, border_province = afghan_border_pairs(units)
    province_rows = unit_index(rows, "admin1", provinces)
    afghan = sum_targets(rows, province_rows, origin, months, len(provinces))["fatalities"]
    matrices.update(feat.cross_border(afghan, border_unit, border_province, n))
    matrices["population"] = population(units)
    matrices["dist_afg_km"] = distance_to_afghanistan(units)
    keep = slice(first - origin, None)
    month_ids = np.arange(first, last + 1, dtype=np.int64)
    frame = assemble(
        month_ids,
        units.codes,
        units.countries,
        {k: v[keep] if v.ndim == 2 else v for k, v in matrices.items()},
    )
    report = _report(rows, where, level, first, last, n, units.has_geometry)
    report.update(
        targets=list(TARGETS),
        neighbour_pairs=len(pair_unit) // 2,
        units_bordering_afghanistan=len(set(border_unit.tolist())),
        neighbour_tolerance_deg=TOLERANCE_DEG,
        events_max_batch_id=rows.max_batch_id,
        events_digest=rows.digest,
        seconds=round(time.perf_counter() - began, 3),
    )
    return Panel(
        frame=frame,
        level=level,
        name=None,
        sources=tuple(chosen),
        synthetic=any(is_synthetic_source(s) for s in chosen),
        first_month_id=first,
        last_month_id=last,
        targets=TARGETS,
        feature_version=feat.FEATURE_VERSION,
        report=report,
    )


def _report(
    rows: Any, where: Any, level: str, first: int, last: int, units: int, geometry: bool
) -> dict[str, Any]:
    """What the build counted and what it left out, and why."""
    inside = (rows.month >= first) & (rows.month <= last)
    violent = rows.violent & inside
    report: dict[str, Any] = {
        "events_selected": len(rows),
        "events_in_window": int(inside.sum()),
        "violent_events": int(violent.sum()),
        "non_violent_events_not_counted": int((~rows.violent & inside).sum()),
        "events_before_start": int((rows.month < first).sum()),
        "events_after_end": int((rows.month > last).sum()),
        "violent_events_without_unit": int((violent & (where < 0)).sum()),
        "fatalities_without_unit": int(rows.best[violent & (where < 0)].sum()),
        "violent_events_without_admin1": int((violent & (rows.admin1 == None)).sum()),  # noqa: E711
        "units": units,
        "months": last - first + 1,
        "spatial_features": geometry,
    }
    if level == "country":
        report["note"] = "events without an admin-1 code count here, at country level"
    return report
