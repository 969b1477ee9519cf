"""The events a panel counts, and their sums per unit and month (the targets).

An event counts in the month of its ``date_start`` (the UCDP and ViEWS convention; multi-day
events are not split) and at its country, admin-1 code or PRIO-GRID cell as the store placed it.
Only the violent categories count (:data:`cawarn.domain.VIOLENT_CATEGORIES`): protest, riot and
strategic developments never feed a target, whatever their fatalities. Events without an admin-1
code (imprecise places) count at country level only; events whose cell is not one of the panel's
cells count at country and admin-1 level only. Both are counted in the build report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, func, select

from cawarn.domain import VIOLENT_CATEGORIES, InputError, is_synthetic_source
from cawarn.panel.months import month_of
from cawarn.store.tables import events

IntArray = npt.NDArray[np.int64]
IntMatrix = npt.NDArray[np.int64]

CATEGORIES = tuple(sorted(str(c) for c in VIOLENT_CATEGORIES))
TARGETS = (
    "fatalities",
    "fatal_events",
    "events",
    *(f"fatalities_{c}" for c in CATEGORIES),
    *(f"fatal_events_{c}" for c in CATEGORIES),
)


def choose_sources(conn: Connection, sources: list[str] | None) -> list[str]:
    """The sources a panel uses; never a silent mix of simulated and real events."""
    present = sorted(
        conn.execute(select(events.c.source).where(events.c.is_current).distinct()).scalars()
    )
    if not present:
        raise InputError(
            "The store holds no events to build a panel from; load some first "
            "('cawarn ingest ucdp-ged' or 'cawarn ingest scenario')."
        )
    if sources:
        unknown = sorted(set(sources) - set(present))
        if unknown:
            raise InputError(
                f"The store holds no events of {', '.join(unknown)}; its sources are "
                f"{', '.join(present)}."
            )
        return sorted(set(sources))
    synthetic = [s for s in present if is_synthetic_source(s)]
    if synthetic and len(synthetic) < len(present):
        raise InputError(
            "The store holds both simulated and real events, which a panel never mixes silently; "
            f"choose with --source (sources: {', '.join(present)})."
        )
    return present


@dataclass(frozen=True, slots=True)
class EventRows:
    """The selected current events as columns."""

    month: IntArray
    country: npt.NDArray[np.object_]
    admin1: npt.NDArray[np.object_]
    gid: IntArray  # -1 where the event has no cell
    category: npt.NDArray[np.object_]
    best: IntArray  # NULL fatalities count as 0
    violent: npt.NDArray[np.bool_]
    max_batch_id: int | None
    digest: str

    def __len__(self) -> int:
        return len(self.month)


def read_events(conn: Connection, sources: list[str]) -> EventRows:
    """Current events of the sources, with what the targets need."""
    query = (
        select(
            events.c.id,
            events.c.date_start,
            events.c.country,
            events.c.admin1,
            events.c.priogrid_gid,
            events.c.category,
            events.c.fatalities_best,
            events.c.batch_id,
        )
        .where(events.c.is_current, events.c.source.in_(sources))
        .order_by(events.c.id)
    )
    rows = conn.execute(query).all()
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        digest.update(f"{row[0]},".encode())
    violent = {str(c) for c in VIOLENT_CATEGORIES}
    max_batch = conn.execute(
        select(func.max(events.c.batch_id)).where(events.c.is_current, events.c.source.in_(sources))
    ).scalar_one()
    return EventRows(
        month=np.array([month_of(r[1]) for r in rows], dtype=np.int64),
        country=np.array([r[2] for r in rows], dtype=object),
        admin1=np.array([r[3] for r in rows], dtype=object),
        gid=np.array([-1 if r[4] is None else r[4] for r in rows], dtype=np.int64),
        category=np.array([r[5] for r in rows], dtype=object),
        best=np.array([r[6] or 0 for r in rows], dtype=np.int64),
        violent=np.array([r[5] in violent for r in rows], dtype=np.bool_),
        max_batch_id=None if max_batch is None else int(max_batch),
        digest=digest.hexdigest(),
    )


def unit_index(rows: EventRows, level: str, codes: list[Any]) -> IntArray:
    """Position of each event's unit among the panel's units, -1 where it has none there."""
    position = {code: k for k, code in enumerate(codes)}
    keys: Any = {"country": rows.country, "admin1": rows.admin1, "pgm": rows.gid}[level]
    return np.array([position.get(key, -1) for key in keys.tolist()], dtype=np.int64)


def sum_targets(
    rows: EventRows, unit: IntArray, first_month: int, months: int, units: int
) -> dict[str, IntMatrix]:
    """Every target as a (months × units) matrix; events outside months or units left out."""
    m = rows.month - first_month
    ok = rows.violent & (unit >= 0) & (m >= 0) & (m < months)
    flat = m[ok] * units + unit[ok]
    fatal = rows.best[ok] > 0
    category = rows.category[ok]

    def total(mask: npt.NDArray[np.bool_], weight: IntArray | None = None) -> IntMatrix:
        w = None if weight is None else weight[mask]
        counts = np.bincount(flat[mask], w, minlength=months * units)
        return np.rint(counts).astype(np.int64).reshape(months, units)

    every = np.ones(len(flat), dtype=np.bool_)
    best = rows.best[ok]
    out = {
        "fatalities": total(every, best),
        "fatal_events": total(fatal),
        "events": total(every),
    }
    for c in CATEGORIES:
        out[f"fatalities_{c}"] = total(category == c, best)
    for c in CATEGORIES:
        out[f"fatal_events_{c}"] = total((category == c) & fatal)
    return out
