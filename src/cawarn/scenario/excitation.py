"""Self- and cross-excitation between admin-1 units: neighbours, the branching matrix, the kernel.

``alpha[v -> u]`` is the expected number of violent events in unit u that one violent event in
unit v triggers over the following ``kernel_months`` months, spread over the lags by the kernel
``g(k)`` (a truncated geometric distribution summing to 1). The process is stationary when the
spectral radius of the branching matrix (times ``sum(g) = 1``) is below 1;
:func:`build_excitation` refuses parameters that bring it above ``max_spectral_radius``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AFGHANISTAN = "AFG"


class NonStationaryError(ValueError):
    """The excitation parameters would let violence grow without bound."""


def neighbours(
    geoms: npt.NDArray[np.object_], distance_deg: float, min_border_deg: float
) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of units sharing a border of at least ``min_border_deg``.

    Boundaries of different countries come from different surveys and do not meet exactly, so a
    border is the part of one unit's boundary within ``distance_deg`` of the other unit; units
    that only touch at a corner are not neighbours.
    """
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=distance_deg)
    keep = left < right
    left, right = left[keep], right[keep]
    if left.size == 0:
        return []
    # Buffers of slightly simplified outlines (0.1 of the distance): the border length only
    # decides whether two units are neighbours, and exact buffers of the long Kazakh and Kyrgyz
    # outlines take seconds.
    buffered = shapely.buffer(shapely.simplify(geoms, distance_deg / 10), distance_deg, quad_segs=2)
    shared = shapely.intersection(shapely.boundary(geoms[left]), buffered[right])
    long_enough = shapely.length(shared) >= min_border_deg
    return sorted(
        (int(i), int(j)) for i, j in zip(left[long_enough], right[long_enough], strict=True)
    )


def kernel(months: int, decay: float) -> FloatArray:
    """g(k) for k = 1..months: geometric with ratio ``decay``, normalised to sum to 1."""
    g = decay ** np.arange(months, dtype=np.float64)
    return np.asarray(g / g.sum())


@dataclass(frozen=True, slots=True)
class Excitation:
    """The branching matrix as a list of edges v -> u, and the lag kernel."""

    src: IntArray
    dst: IntArray
    weight: FloatArray
    kind: list[str]  # self, neighbour, cross_border, afg_to_central_asia, central_asia_to_afg
    kernel: FloatArray
    n_units: int
    spectral_radius: float

    def matrix(self) -> FloatArray:
        """Dense branching matrix ``A[u, v] = alpha[v -> u]``."""
        a = np.zeros((self.n_units, self.n_units))
        np.add.at(a, (self.dst, self.src), self.weight)
        return a

    def rate(self, history: FloatArray) -> FloatArray:
        """Excitation of each unit from past counts ``history[k - 1] = N[m - k]`` (k = 1..K).

        Summed in a fixed order with ``np.bincount`` (no BLAS), so the result is the same to the
        last bit on every run.
        """
        weighted = np.zeros(self.n_units)
        for lag in range(min(len(self.kernel), len(history))):
            weighted += self.kernel[lag] * history[lag]
        summed = np.bincount(
            self.dst, weights=self.weight * weighted[self.src], minlength=self.n_units
        )
        return summed.astype(np.float64)


def _edge(country_src: str, country_dst: str, params: ScenarioParams) -> tuple[str, float]:
    if country_src == country_dst:
        return "neighbour", params.alpha_neighbour
    if country_src == AFGHANISTAN:
        return "afg_to_central_asia", params.alpha_afg_to_central_asia
    if country_dst == AFGHANISTAN:
        return "central_asia_to_afg", params.alpha_central_asia_to_afg
    return "cross_border", params.alpha_cross_border


def spectral_radius(matrix: FloatArray) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    if matrix.size == 0:
        return 0.0
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def build_excitation(geography: Geography, params: ScenarioParams) -> Excitation:
    """Build the branching matrix from shared borders and check that it is stationary."""
    countries = geography.countries
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    kind: list[str] = []
    for u, country in enumerate(countries):
        src.append(u)
        dst.append(u)
        weight.append(params.alpha_self_afg if country == AFGHANISTAN else params.alpha_self)
        kind.append("self")
    pairs = neighbours(
        geography.geoms, params.neighbour_distance_deg, params.neighbour_min_border_deg
    )
    for i, j in pairs:
        for v, u in ((i, j), (j, i)):
            label, value = _edge(countries[v], countries[u], params)
            src.append(v)
            dst.append(u)
            weight.append(value)
            kind.append(label)
    g = kernel(params.kernel_months, params.kernel_decay)
    excitation = Excitation(
        src=np.array(src, dtype=np.int64),
        dst=np.array(dst, dtype=np.int64),
        weight=np.array(weight, dtype=np.float64),
        kind=kind,
        kernel=g,
        n_units=len(countries),
        spectral_radius=0.0,
    )
    radius = spectral_radius(excitation.matrix()) * float(g.sum())
    if not radius < min(params.max_spectral_radius, 1.0):
        raise NonStationaryError(
            f"the excitation matrix has spectral radius {radius:.3f} (times the kernel sum), "
            f"not below {params.max_spectral_radius}: violence would not settle to a stationary "
            "level; lower the alpha parameters"
        )
    return Excitation(
        src=excitation.src,
        dst=excitation.dst,
        weight=excitation.weight,
        kind=kind,
        kernel=g,
        n_units=len(countries),
        spectral_radius=radius,
    )
