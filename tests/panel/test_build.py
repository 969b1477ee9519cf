"""Building panels from a small known set of events, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.domain import InputError
from cawarn.geo.priogrid import N_COLS, gid
from cawarn.panel import build_panel, load_panel, month_id, save_panel
from cawarn.panel.units import cell_boxes
from cawarn.store.geography import load_units
from cawarn.store.tables import panels
from tests.panel.conftest import (
    EVENTS,
    GED_SAMPLE,
    PLACES,
    load_real,
    load_scenario,
    write_scenario,
)

JAN, FEB, MAR, APR = (month_id(2020, m) for m in (1, 2, 3, 4))


def build(engine: sa.Engine, settings: Settings, level: str, **kw: object) -> pd.DataFrame:
    with engine.connect() as conn:
        return build_panel(conn, settings, level, **kw).frame  # type: ignore[arg-type]


def test_admin1_targets_months_and_features(known: sa.Engine, backend: Settings) -> None:
    frame = build(known, backend, "admin1")
    months = sorted(set(frame.index.get_level_values("month_id")))
    assert months == [JAN, FEB, MAR, APR]
    with known.connect() as conn:
        codes = [u.code for u, _ in load_units(conn, backend.region)]
    assert len(frame) == 4 * len(codes)  # every unit × month present
    kt = frame.xs("TJ-KT", level="unit")
    # Event 2 starts in January and ends in February: it counts in January only.
    assert kt["fatalities"].tolist() == [5, 0, 0, 0]
    assert kt["fatal_events"].tolist() == [2, 0, 0, 0]
    assert kt["fatalities_armed_clash"].tolist() == [3, 0, 0, 0]
    assert kt["fatalities_attack_on_civilians"].tolist() == [2, 0, 0, 0]
    # The protest in February (5 deaths) counts nowhere.
    assert frame["fatalities"].sum() == 3 + 2 + 7 + 1
    assert kt["fatalities_lag1"].tolist() == [0, 5, 0, 0]
    assert kt["fatalities_lag2"].tolist() == [0, 0, 5, 0]
    assert kt["fatalities_sum3"].tolist() == [5, 5, 5, 0]
    assert kt["decay_fatal_hl1"].tolist() == [1.0, 0.5, 0.25, 0.125]
    assert kt["decay_fatal_hl6"].iloc[2] == pytest.approx(2 ** (-2 / 6))
    never = frame.xs("KZ-75", level="unit")
    assert (never["decay_fatal_hl24"] == 0).all() and (never["fatalities"] == 0).all()
    kabul = frame.xs("AF-KAB", level="unit")
    assert kabul["events"].tolist() == [0, 0, 0, 1]
    assert kabul["fatal_events"].tolist() == [0, 0, 0, 0]
    # Cross-border: Kunduz (7 deaths in February) borders Khatlon; Afghan units get 0.
    assert kt["xborder_fatalities_lag1"].tolist() == [0, 0, 7, 0]
    assert kt["xborder_fatalities_sum12"].tolist() == [0, 7, 7, 7]
    afghan = frame[frame["country"] == "AFG"]
    assert (afghan["xborder_fatalities_lag1"] == 0).all()
    assert (afghan["dist_afg_km"] == 0).all()
    # Spatial lag: the sum over the neighbours of last month's fatalities.
    ra = frame.xs("TJ-RA", level="unit")
    assert ra["splag_fatalities_lag1"].tolist() == [0, 5, 0, 1]
    # Takhar borders Kunduz inside Afghanistan and Khatlon across the border.
    assert frame.xs("AF-TAK", level="unit")["splag_fatalities_lag1"].tolist() == [0, 5, 7, 0]
    # Static features.
    assert kt["population"].iloc[0] > 100_000
    assert 0 < kt["dist_afg_km"].iloc[0] < 150
    assert 600 < never["dist_afg_km"].iloc[0] < 750  # Almaty to the Wakhan corridor


def test_lags_equal_shifted_targets(known: sa.Engine, backend: Settings) -> None:
    frame = build(known, backend, "admin1")
    y = frame["fatalities"].unstack("unit")
    for k in (1, 2, 3):
        lagged = frame[f"fatalities_lag{k}"].unstack("unit")
        assert (lagged.to_numpy() == y.shift(k).fillna(0).astype(int).to_numpy()).all()


def test_country_and_pgm_levels(known: sa.Engine, backend: Settings) -> None:
    country = build(known, backend, "country")
    assert sorted(set(country.index.get_level_values("unit"))) == sorted(backend.region)
    tjk = country.xs("TJK", level="unit")
    assert tjk["fatalities"].tolist() == [5, 0, 1, 0]
    assert tjk["xborder_fatalities_lag1"].tolist() == [0, 0, 7, 0]
    assert country.xs("KGZ", level="unit")["splag_fatalities_lag1"].tolist() == [0, 5, 0, 1]
    pgm = build(known, backend, "pgm")
    lat, lon = PLACES["TJ-KT"][:2]
    cell = pgm.xs(gid(lat, lon), level="unit")
    assert cell["fatalities"].tolist() == [5, 0, 0, 0]
    neighbour = gid(lat + 0.5, lon)
    # Its queen neighbours are the Khatlon cell (5 in January) and Dushanbe's (1 in March).
    assert pgm.xs(neighbour, level="unit")["splag_fatalities_lag1"].tolist() == [0, 5, 0, 1]


def test_pgm_units_are_the_cells_intersecting_the_region(
    known: sa.Engine, backend: Settings
) -> None:
    frame = build(known, backend, "pgm", start="2020-04")
    cells = np.array(sorted(set(frame.index.get_level_values("unit"))), dtype=np.int64)
    assert 2000 < len(cells) < 2600
    with known.connect() as conn:
        region = shapely.union_all([g for _, g in load_units(conn, backend.region)])
    shapely.prepare(region)
    assert shapely.intersects(region, cell_boxes(cells)).all()
    ring = {
        c + dr * N_COLS + dc for c in cells.tolist() for dr in (-1, 0, 1) for dc in (-1, 0, 1)
    } - set(cells.tolist())
    assert not shapely.intersects(region, cell_boxes(np.array(sorted(ring)))).any()


def test_no_leakage_later_events_leave_earlier_rows_alone(
    known: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    before = build(known, backend, "admin1")
    later = [*EVENTS, (7, "AF-KDZ", "2020-06-02", 40, "armed_clash")]
    load_scenario(known, backend, write_scenario(tmp_path / "scn2", later))
    after = build(known, backend, "admin1")
    assert after.index.get_level_values("month_id").max() == month_id(2020, 6)
    pd.testing.assert_frame_equal(after.loc[before.index], before)


def test_start_and_end_cut_the_window_but_keep_the_history(
    known: sa.Engine, backend: Settings
) -> None:
    frame = build(known, backend, "admin1", start="2020-02", end="2020-03")
    kt = frame.xs("TJ-KT", level="unit")
    assert kt["fatalities_lag1"].tolist() == [5, 0]
    with pytest.raises(InputError, match="after it ends"):
        build(known, backend, "admin1", start="2020-05", end="2020-03")


def test_simulated_and_real_events_are_never_mixed_silently(
    known: sa.Engine, backend: Settings
) -> None:
    load_real(known, backend, GED_SAMPLE)
    with pytest.raises(InputError, match="--source"):
        build(known, backend, "country")
    frame = build(known, backend, "country", sources=["synthetic:panel-test"])
    assert frame["fatalities"].sum() == 13
    with pytest.raises(InputError, match="no events of nope"):
        build(known, backend, "country", sources=["nope"])


def test_saved_panel_loads_back_and_rebuilds_keep_history(
    known: sa.Engine, backend: Settings
) -> None:
    with known.begin() as conn:
        first = save_panel(conn, backend, build_panel(conn, backend, "admin1"))
    with known.begin() as conn:
        second = save_panel(conn, backend, build_panel(conn, backend, "admin1"))
    assert first.path == second.path == backend.home / "panels" / "admin1.parquet"
    loaded = load_panel(known, backend, "admin1")
    assert loaded.id == second.id and loaded.synthetic
    pd.testing.assert_frame_equal(loaded.frame, second.frame)
    assert loaded.targets[0] == "fatalities"
    with known.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(panels)).scalar_one() == 2


def test_no_events_is_one_clear_error(store: sa.Engine, backend: Settings) -> None:
    with pytest.raises(InputError, match="no events"):
        build(store, backend, "country")
    with pytest.raises(InputError, match="not a panel level"):
        build(store, backend, "province")
