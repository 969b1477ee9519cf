"""A panel: a pandas DataFrame indexed by (month_id, unit), with what it was built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Columns that identify a row rather than measure something.
KEYS = ("month_id", "unit")


@dataclass(frozen=True)
class Panel:
    """A unit-month panel with its provenance; ``frame`` is indexed by (month_id, unit)."""

    frame: pd.DataFrame
    level: str
    name: str | None
    sources: tuple[str, ...]
    synthetic: bool
    first_month_id: int
    last_month_id: int
    targets: tuple[str, ...]
    feature_version: str
    report: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    path: Path | None = None
    sha256: str | None = None

    @property
    def units(self) -> list[Any]:
        """The panel's units in order (ISO3, admin-1 code or PRIO-GRID gid)."""
        return list(self.frame.index.get_level_values("unit").unique())

    @property
    def features(self) -> tuple[str, ...]:
        """Columns that are neither targets nor the unit's country."""
        return tuple(c for c in self.frame.columns if c not in self.targets and c != "country")

    @property
    def key(self) -> str:
        """``<level>`` or ``<level>-<name>``: how files and listings name the panel."""
        return self.level if self.name is None else f"{self.level}-{self.name}"


def assemble(
    month_ids: npt.NDArray[np.int64],
    codes: list[Any],
    countries: list[str] | None,
    columns: dict[str, npt.NDArray[Any]],
) -> pd.DataFrame:
    """A frame of (months × units) matrices and per-unit vectors, one row per unit-month."""
    months, units = len(month_ids), len(codes)
    unit_values: Any = np.array(
        codes, dtype=np.int64 if codes and isinstance(codes[0], int) else object
    )
    index = pd.MultiIndex.from_arrays(
        [np.repeat(month_ids, units), np.tile(unit_values, months)], names=list(KEYS)
    )
    data: dict[str, Any] = {}
    if countries is not None:
        data["country"] = np.tile(np.array(countries, dtype=object), months)
    for name, values in columns.items():
        if values.ndim == 1:
            data[name] = np.tile(values, months)
        else:
            data[name] = values.reshape(months * units)
    return pd.DataFrame(data, index=index)
