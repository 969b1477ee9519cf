"""The ingest pipeline against SQLite and PostgreSQL, on the real UCDP files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.ingest.contract import IngestReport
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.ucdp import GedReader, open_ucdp_ged
from cawarn.store.geography import replace_country_boundaries
from cawarn.store.tables import batches, events, quarantine
from tests.conftest import GED_CANDIDATE, GED_SAMPLE
from tests.ged_files import derive, read_rows, region_rows, write_rows


def run(
    engine: sa.Engine,
    settings: Settings,
    path: Path,
    version: str | None = None,
    *,
    force: bool = False,
) -> IngestReport:
    with open_ucdp_ged(settings, str(path), version=version) as ged:
        return ingest(engine, settings, GedReader(ged, set(settings.region)), force=force)


def scalar(engine: sa.Engine, query: sa.Select) -> int:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def current_count(engine: sa.Engine) -> int:
    return scalar(engine, sa.select(sa.func.count()).select_from(events).where(events.c.is_current))


def all_count(engine: sa.Engine) -> int:
    return scalar(engine, sa.select(sa.func.count()).select_from(events))


def quarantine_count(engine: sa.Engine) -> int:
    return scalar(engine, sa.select(sa.func.count()).select_from(quarantine))


def test_sample_every_region_row_is_stored_or_quarantined(
    store: sa.Engine, backend: Settings
) -> None:
    report = run(store, backend, GED_SAMPLE)
    assert report.rows_read == 1000
    assert report.rows_outside_region == 862
    # Nothing lost: each of the 138 region rows is an event or a quarantine entry.
    assert report.events_new + report.rows_quarantined == 138
    assert current_count(store) == report.events_new
    assert quarantine_count(store) == report.rows_quarantined
    with store.connect() as conn:
        by_country = dict(
            conn.execute(
                sa.select(events.c.country, sa.func.count()).group_by(events.c.country)
            ).all()
        )
        methods = set(conn.execute(sa.select(events.c.admin1_method).distinct()).scalars())
        gids_agree = conn.execute(
            sa.select(sa.func.count()).where(events.c.priogrid_agrees.is_(False))
        ).scalar_one()
    assert set(by_country) <= {"AFG", "TJK", "KGZ"}
    assert by_country["TJK"] == 2 and by_country["KGZ"] == 1
    # All region events of the sample lie inside an admin-1 polygon (data README).
    assert methods <= {"inside", "imprecise"}
    assert gids_agree == 0 and report.priogrid_mismatches == 0


@pytest.mark.parametrize("force", [False, True], ids=["same-file", "row-by-row"])
def test_reingest_changes_nothing(
    store: sa.Engine, backend: Settings, tmp_path: Path, force: bool
) -> None:
    def spoil(row: dict[str, str]) -> dict[str, str]:
        if row["id"].endswith("7"):
            row["date_end"] = "1900-01-01 00:00:00.000"  # some rows for the quarantine
        return row

    path = derive(GED_SAMPLE, tmp_path / "ged231.csv", spoil)
    first = run(store, backend, path)
    assert first.rows_quarantined > 0
    with store.connect() as conn:
        before = conn.execute(sa.select(events).order_by(events.c.id)).all()
    second = run(store, backend, path, force=force)
    with store.connect() as conn:
        after = conn.execute(sa.select(events).order_by(events.c.id)).all()
    assert after == before
    assert second.events_new == second.events_revised == 0
    assert second.events_unchanged == first.events_new
    assert second.rows_quarantined == first.rows_quarantined
    assert quarantine_count(store) == first.rows_quarantined  # one entry per rejected row
    assert second.same_as_batch_id == (None if force else first.batch_id)


def test_same_file_is_read_again_when_boundaries_change(
    store: sa.Engine,
    backend: Settings,
    region_boundaries: list,  # type: ignore[type-arg]
) -> None:
    first = run(store, backend, GED_SAMPLE)
    tjk = next(item for item in region_boundaries if item.country == "TJK")
    with store.begin() as conn:
        # Drop one unit: the fingerprint changes, so the file is placed again.
        replace_country_boundaries(
            conn, tjk.source, tjk.units[1:], tjk.outline, location="test", warnings=[]
        )
    again = run(store, backend, GED_SAMPLE)
    assert again.same_as_batch_id is None
    assert again.events_unchanged + again.events_revised == first.events_new


def test_newer_release_revises_and_keeps_previous(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    header, rows = region_rows(GED_SAMPLE)
    base = write_rows(tmp_path / "ged231.csv", header, rows)
    run(store, backend, base)
    target = next(r for r in rows if r["country_id"] == "702")
    changed = [dict(r) for r in rows]
    for row in changed:
        if row["id"] == target["id"]:
            row.update(
                best=str(int(row["best"]) + 5),
                high=str(int(row["high"]) + 5),
                deaths_unknown=str(int(row["deaths_unknown"]) + 5),
            )
    newer = write_rows(tmp_path / "ged241.csv", header, changed)
    report = run(store, backend, newer)
    assert report.events_revised == 1
    assert report.events_new == 0
    with store.connect() as conn:
        revisions = conn.execute(
            sa.select(
                events.c.revision,
                events.c.is_current,
                events.c.fatalities_best,
                events.c.source_version,
            )
            .where(events.c.source_event_id == target["id"])
            .order_by(events.c.revision)
        ).all()
    assert [(r.revision, r.is_current, r.source_version) for r in revisions] == [
        (1, False, "23.1"),
        (2, True, "24.1"),
    ]
    assert revisions[1].fatalities_best == revisions[0].fatalities_best + 5
    # An older release read afterwards does not take over.
    again = run(store, backend, base, force=True)
    assert again.events_older == 1 and again.events_revised == 0
    with store.connect() as conn:
        current = conn.execute(
            sa.select(events.c.source_version).where(
                events.c.source_event_id == target["id"], events.c.is_current
            )
        ).scalar_one()
    assert current == "24.1"


def test_final_release_supersedes_candidate(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    header, rows = region_rows(GED_CANDIDATE)
    assert len(rows) == 12 and sum(int(r["best"]) for r in rows) == 34
    run(store, backend, GED_CANDIDATE)
    # The final GED revised October 2023 in Afghanistan upwards (34 -> 49 deaths); make such a
    # final file from the Candidate rows: 15 more deaths on the first event, the rest identical.
    final = [dict(r) for r in rows]
    first = final[0]
    first.update(
        best=str(int(first["best"]) + 15),
        high=str(int(first["high"]) + 15),
        deaths_unknown=str(int(first["deaths_unknown"]) + 15),
    )
    path = write_rows(tmp_path / "GEDEvent_v24_1.csv", header, final)
    report = run(store, backend, path)
    # Every event changes from provisional to final; one also changes its numbers.
    assert report.events_revised == 12 and report.events_new == 0
    with store.connect() as conn:
        current = conn.execute(
            sa.select(events.c.source_dataset, sa.func.sum(events.c.fatalities_best))
            .where(events.c.is_current)
            .group_by(events.c.source_dataset)
        ).all()
    assert current == [("ged", 49)]
    assert all_count(store) == 24
    # The Candidate read again is older and never takes over again.
    again = run(store, backend, GED_CANDIDATE, force=True)
    assert again.events_older == 12 and again.events_revised == 0 and all_count(store) == 24


def test_conflicting_duplicate_ids_are_quarantined_and_store_kept(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    header, rows = region_rows(GED_SAMPLE)
    run(store, backend, write_rows(tmp_path / "ged231.csv", header, rows))
    before = current_count(store)
    known, fresh = rows[0], dict(rows[1])
    fresh["id"] = "999999001"
    twin = dict(
        fresh,
        best=str(int(fresh["best"]) + 1),
        high=str(int(fresh["high"]) + 1),
        deaths_unknown=str(int(fresh["deaths_unknown"]) + 1),
    )
    changed_known = dict(known, where_description="elsewhere")
    same_again = dict(rows[2])
    bad = write_rows(
        tmp_path / "ged241.csv",
        header,
        [known, fresh, rows[2], twin, changed_known, same_again, *rows[3:]],
    )
    report = run(store, backend, bad)
    assert report.duplicate_rows == 1  # rows[2] twice, identical: one event
    with store.connect() as conn:
        reasons = conn.execute(
            sa.select(quarantine.c.source_event_id, quarantine.c.row_number, quarantine.c.reason)
            .where(quarantine.c.batch_id == report.batch_id)
            .order_by(quarantine.c.row_number)
        ).all()
        known_revisions = conn.execute(
            sa.select(sa.func.count()).where(events.c.source_event_id == known["id"])
        ).scalar_one()
    conflict = [r for r in reasons if "appears" in r.reason]
    assert {(r.source_event_id, r.row_number) for r in conflict} == {
        (known["id"], 1),
        ("999999001", 2),
        ("999999001", 4),
        (known["id"], 5),
    }
    assert "rows 2, 4" in next(r.reason for r in conflict if r.row_number == 2)
    assert known_revisions == 1  # the stored event was not touched
    assert current_count(store) == before


def test_failed_batch_leaves_store_as_it_was(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    run(store, backend, GED_SAMPLE)
    before = (all_count(store), quarantine_count(store))
    header, rows = read_rows(GED_SAMPLE)
    path = write_rows(tmp_path / "ged241.csv", header, rows)
    # Valid rows, then bytes that are not UTF-8 at the end: the whole batch must be undone.
    with path.open("ab") as f:
        f.write(b"1,\xff\xfe broken\n")
    from cawarn.domain import InputError

    with pytest.raises(InputError):
        run(store, backend, path)
    assert (all_count(store), quarantine_count(store)) == before
    with store.connect() as conn:
        statuses = conn.execute(sa.select(batches.c.status).order_by(batches.c.id)).scalars().all()
    assert statuses == ["committed", "failed"]
