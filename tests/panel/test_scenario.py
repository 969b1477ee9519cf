"""End to end: a generated scenario ingested and built into a panel agrees with its truth."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.ucdp import GedReader, open_scenario
from cawarn.panel import build_panel
from cawarn.scenario import generate


def test_panel_event_counts_equal_the_scenario_truth(
    store: sa.Engine,
    backend: Settings,
    region_boundaries: list,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    units = [u for b in region_boundaries for u in b.units]
    folder = tmp_path / "scenario"
    generate(units, seed=3, start="2019-01", end="2020-12", out_dir=folder)
    ged, source = open_scenario(backend, folder)
    with ged:
        ingest(store, backend, GedReader(ged, set(backend.region), synthetic=source))
    with store.connect() as conn:
        panel = build_panel(conn, backend, "admin1", start="2019-01", end="2020-12")
    with (folder / "truth_admin1.csv").open(encoding="utf-8") as handle:
        truth = {
            (int(r["month_id"]), r["unit"]): int(r["observed_reported"])
            for r in csv.DictReader(handle)
        }
    built = panel.frame["events"].to_dict()
    assert len(built) == len(truth)
    assert built == truth
    assert sum(truth.values()) > 1000
    assert panel.report["non_violent_events_not_counted"] > 0  # protests, left out
