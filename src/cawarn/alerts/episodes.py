"""Episodes: repeated alarms of one unit and detector, close in time, are one alert.

An alarm opens an episode when the unit had no alarm of that detector in the ``gap_days``
before it; every later alarm within ``gap_days`` of the previous one updates the same episode.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

DEFAULT_GAP_DAYS = 35


def episode_starts(
    alarms: BoolArray, days: IntArray, gap_days: int = DEFAULT_GAP_DAYS
) -> BoolArray:
    """Where an alarm opens a new episode (alarms of shape (periods, units), days ascending)."""
    last = np.full(alarms.shape[1], np.iinfo(np.int64).min // 2)
    opens = np.zeros_like(alarms)
    for t in range(alarms.shape[0]):
        row = alarms[t]
        opens[t] = row & (days[t] - last > gap_days)
        last = np.where(row, days[t], last)
    return opens


def episode_ids(alarms: BoolArray, days: IntArray, gap_days: int = DEFAULT_GAP_DAYS) -> IntArray:
    """An episode number per alarm (-1 where no alarm); numbers count per unit from 0."""
    opens = episode_starts(alarms, days, gap_days)
    ids = np.cumsum(opens, axis=0) - 1
    return np.where(alarms, ids, -1).astype(np.int64)
