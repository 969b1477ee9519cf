"""Importing an external unit-month series: the real UCDP country-month file and bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.domain import InputError
from cawarn.panel import load_panel, month_id
from cawarn.panel.importer import import_series
from cawarn.store.tables import batches, panels, quarantine
from tests.conftest import SHARED_DATA

SERIES = SHARED_DATA / "ucdp-country-month" / "ucdp_ged_fatalities_country_month_1989_2017.csv"


def test_real_country_month_series(engine: sa.Engine, backend: Settings) -> None:
    report = import_series(engine, backend, SERIES, "country")
    assert report.rows_read == 46_284
    assert report.rows_quarantined == 348  # the junk 'Unnamed: 133' column of names
    panel = report.panel
    assert panel is not None and panel.name == SERIES.stem
    assert len(panel.units) == 132 and not panel.synthetic
    assert (panel.first_month_id, panel.last_month_id) == (109, 456)
    assert len(panel.frame) == 132 * 348 and report.filled_zero == 0
    with SERIES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = sum(int(r["fatalities_best"]) for r in rows if not r["country"].startswith("Unnamed"))
    assert int(panel.frame["fatalities"].sum()) == total
    afg = panel.frame.xs("AFG", level="unit")["fatalities"]
    assert afg.loc[month_id(1989, 1)] == 691 and afg.loc[month_id(1989, 2)] == 160
    expected = {
        int(r["month_id"]): int(r["fatalities_best"]) for r in rows if r["country"] == "Afghanistan"
    }
    assert afg.to_dict() == expected
    cod = panel.frame.xs("COD", level="unit")["fatalities"]  # "DR Congo (Zaire)"
    assert cod.sum() == sum(
        int(r["fatalities_best"]) for r in rows if r["country"] == "DR Congo (Zaire)"
    )
    lagged = panel.frame.xs("AFG", level="unit")["fatalities_lag12"]
    assert lagged.loc[month_id(1990, 1)] == 691
    with engine.connect() as conn:
        reasons = conn.execute(sa.select(quarantine.c.reason, quarantine.c.raw)).all()
        batch = conn.execute(sa.select(batches).where(batches.c.id == report.batch_id)).one()
    assert len(reasons) == 348
    assert all("'Unnamed: 133'" in r.reason for r in reasons)
    assert all(r.raw["country"] == "Unnamed: 133" for r in reasons)
    assert batch.source == "panel-import" and batch.status == "committed"
    # Importing the same file again changes nothing and adds no panel.
    again = import_series(engine, backend, SERIES, "country")
    assert again.same_as_batch_id == report.batch_id and again.panel is None
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(panels)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar_one() == 348
    loaded = load_panel(engine, backend, "country", SERIES.stem)
    assert loaded.frame.equals(panel.frame)


def test_bad_rows_are_quarantined_with_reasons(
    engine: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "series.csv"
    path.write_text(
        "country,month_id,value\n"
        "TJK,481,3\n"
        "Tajikistan,482,4\n"
        "TJK,483,x\n"
        "TJK,484,-1\n"
        "TJK,0,2\n"
        "Atlantis,481,1\n"
        "UZB,481,2\n"
        "UZB,481,5\n"
        "KGZ,482,1\n"
        "KGZ,482,1\n",
        encoding="utf-8",
    )
    report = import_series(engine, backend, path, "country", name="mine")
    assert report.rows_read == 10
    assert report.rows_quarantined == 6
    assert report.duplicate_rows == 1
    with engine.connect() as conn:
        reasons = sorted(conn.execute(sa.select(quarantine.c.reason)).scalars())
    assert any("'x' is not a number" in r for r in reasons)
    assert any("'-1' is not a non-negative number" in r for r in reasons)
    assert any("month_id '0'" in r for r in reasons)
    assert any("'Atlantis'" in r for r in reasons)
    assert sum("different values" in r for r in reasons) == 2
    assert report.panel is not None
    frame = report.panel.frame
    assert frame.loc[(481, "TJK"), "fatalities"] == 3
    assert frame.loc[(482, "TJK"), "fatalities"] == 4
    assert frame.loc[(482, "KGZ"), "fatalities"] == 1
    assert report.panel.path == backend.home / "panels" / "country-mine.parquet"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "not a CSV"),
        (b"just one column\n1\n", "no CSV header"),
        (b"country,value\nTJK,1\n", "month_id"),
        (b"place,month_id,value\nTJK,481,1\n", "no unit column"),
    ],
)
def test_unusable_files_are_refused(
    engine: sa.Engine, backend: Settings, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        import_series(engine, backend, path, "country")
