"""The truth written beside the events: per admin-1-month, per PRIO-GRID-month, onsets and waves.

Floats are written with ``%.6g`` and probabilities computed as ``-expm1(-rate)``, so the files are
byte-identical per run and small probabilities keep their digits. Sums over units and pieces use
sequential reductions (``np.add.reduceat``), not BLAS, so the digits do not depend on threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cawarn.scenario.calendar import Calendar, day_text
from cawarn.scenario.campaigns import Onset, ProtestWave
from cawarn.scenario.places import Geography
from cawarn.scenario.process import Simulation
from cawarn.scenario.spatial import Spatial

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ADMIN1_COLUMNS = (
    "month_id",
    "year",
    "month",
    "unit",
    "country",
    "expected_violent",
    "p_violent",
    "background",
    "excitation",
    "campaign",
    "expected_fatalities",
    "p_fatal",
    "expected_protest",
    "observed_violent",
    "observed_reported",
    "observed_fatalities",
    "observed_protest",
)
PGM_COLUMNS = (
    "month_id",
    "year",
    "month",
    "priogrid_gid",
    "country",
    "expected_violent",
    "p_violent",
    "expected_fatalities",
    "p_fatal",
    "observed_violent",
    "observed_reported",
    "observed_fatalities",
)
ONSET_COLUMNS = (
    "onset_date",
    "month_id",
    "unit",
    "country",
    "unit_name",
    "size",
    "duration_months",
    "decay",
    "expected_added",
)
WAVE_COLUMNS = ("month_id", "year", "month", "country", "duration_months", "multiplier")


def _g(values: FloatArray) -> list[str]:
    return [f"{v:.6g}" for v in values.tolist()]


def _p(rate: FloatArray) -> FloatArray:
    return np.asarray(-np.expm1(-rate))


@dataclass(slots=True)
class Observed:
    """Counts of the drawn events, accumulated block by block."""

    violent: IntArray  # (months, units)
    reported: IntArray
    fatalities: IntArray
    pgm_violent: IntArray  # (months, cells)
    pgm_reported: IntArray
    pgm_fatalities: IntArray

    @classmethod
    def empty(cls, months: int, units: int, cells: int) -> Observed:
        """All zeros."""
        unit_shape, cell_shape = (months, units), (months, cells)
        return cls(
            *(np.zeros(unit_shape, dtype=np.int64) for _ in range(3)),
            *(np.zeros(cell_shape, dtype=np.int64) for _ in range(3)),
        )


def pgm_expected(expected: FloatArray, spatial: Spatial) -> FloatArray:
    """Expected violent events per cell-month, ``sum_u lambda[m, u] * w[u, c]``."""
    weight = spatial.piece_weight
    cell_index = np.searchsorted(spatial.cells, spatial.piece_cell)
    order = np.lexsort((spatial.piece_unit, cell_index))
    contribution = expected[:, spatial.piece_unit[order]] * weight[order]
    starts = np.flatnonzero(np.r_[True, np.diff(cell_index[order]) != 0])
    sums = np.add.reduceat(contribution, starts, axis=1)
    out = np.zeros((expected.shape[0], len(spatial.cells)))
    out[:, cell_index[order][starts]] = sums
    return out


def write_admin1(
    path: Path,
    calendar: Calendar,
    geography: Geography,
    sim: Simulation,
    observed: Observed,
    mean_deaths: float,
    p_zero_deaths: float,
) -> None:
    """Write ``truth_admin1.csv``: every unit and month of the window."""
    months, units = sim.expected.shape
    m = np.repeat(np.arange(months), units)
    u = np.tile(np.arange(units), months)
    lam = sim.expected.ravel()
    columns = [
        calendar.month_id[m].tolist(),
        calendar.year[m].tolist(),
        calendar.month[m].tolist(),
        [geography.codes[k] for k in u.tolist()],
        [geography.countries[k] for k in u.tolist()],
        _g(lam),
        _g(_p(lam)),
        _g(sim.background.ravel()),
        _g(sim.excitation.ravel()),
        _g(sim.campaign.ravel()),
        _g(lam * mean_deaths),
        _g(_p(lam * (1 - p_zero_deaths))),
        _g(sim.protest_rate.ravel()),
        observed.violent.ravel().tolist(),
        observed.reported.ravel().tolist(),
        observed.fatalities.ravel().tolist(),
        sim.protest.ravel().tolist(),
    ]
    _write(path, ADMIN1_COLUMNS, columns)


def write_pgm(
    path: Path,
    calendar: Calendar,
    spatial: Spatial,
    expected: FloatArray,
    observed: Observed,
    mean_deaths: float,
    p_zero_deaths: float,
) -> None:
    """Write ``truth_pgm.csv``: every cell touching a unit, every month of the window."""
    months, cells = expected.shape
    m = np.repeat(np.arange(months), cells)
    c = np.tile(np.arange(cells), months)
    lam = expected.ravel()
    columns = [
        calendar.month_id[m].tolist(),
        calendar.year[m].tolist(),
        calendar.month[m].tolist(),
        spatial.cells[c].tolist(),
        [spatial.cell_country[k] for k in c.tolist()],
        _g(lam),
        _g(_p(lam)),
        _g(lam * mean_deaths),
        _g(_p(lam * (1 - p_zero_deaths))),
        observed.pgm_violent.ravel().tolist(),
        observed.pgm_reported.ravel().tolist(),
        observed.pgm_fatalities.ravel().tolist(),
    ]
    _write(path, PGM_COLUMNS, columns)


def write_onsets(
    path: Path, calendar: Calendar, geography: Geography, onsets: list[Onset], campaign: FloatArray
) -> None:
    """Write ``onsets.csv``: one row per campaign, in date order."""
    rows: list[list[object]] = []
    for o in onsets:
        end = min(o.month + o.duration, len(calendar))
        unit = geography.units[o.unit]
        rows.append(
            [
                day_text(int(calendar.first_day[o.month]) + o.day - 1),
                int(calendar.month_id[o.month]),
                unit.code,
                unit.country,
                unit.name_en,
                f"{o.size:.6g}",
                o.duration,
                f"{o.decay:.6g}",
                f"{campaign[o.month : end, o.unit].sum():.6g}",
            ]
        )
    _write(path, ONSET_COLUMNS, [list(col) for col in zip(*rows, strict=True)] if rows else [])


def write_waves(path: Path, calendar: Calendar, waves: list[ProtestWave]) -> None:
    """Write ``protest_waves.csv``: one row per protest wave, in date order."""
    rows = [
        [
            int(calendar.month_id[w.month]),
            int(calendar.year[w.month]),
            int(calendar.month[w.month]),
            w.country,
            w.duration,
            f"{w.multiplier:.6g}",
        ]
        for w in waves
    ]
    _write(path, WAVE_COLUMNS, [list(col) for col in zip(*rows, strict=True)] if rows else [])


def _write(
    path: Path, header: tuple[str, ...], columns: list[list[object]] | list[list[str]]
) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        if not columns:
            return
        for start in range(0, len(columns[0]), 200_000):
            chunk = [col[start : start + 200_000] for col in columns]
            handle.write(
                "".join(",".join(map(str, row)) + "\n" for row in zip(*chunk, strict=True))
            )
