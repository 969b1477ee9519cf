"""Two ingests at once: nothing is duplicated, and a batch that cannot go on says so clearly."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.domain import StoreError
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.ucdp import GedReader, open_ucdp_ged
from cawarn.store.engine import create_engine_for
from cawarn.store.tables import events
from tests.conftest import GED_SAMPLE
from tests.ged_files import region_rows, write_rows


def test_concurrent_batches_of_one_source(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    header, rows = region_rows(GED_SAMPLE)
    first = write_rows(tmp_path / "ged231.csv", header, rows)
    changed = [dict(r) for r in rows]
    changed[0]["where_description"] = "revised place"
    second = write_rows(tmp_path / "ged241.csv", header, changed)
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        engine = create_engine_for(backend)  # one engine per thread, as two processes would have
        try:
            with open_ucdp_ged(backend, str(path), version=None) as ged:
                ingest(engine, backend, GedReader(ged, set(backend.region)))
        except BaseException as err:
            errors.append(err)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(path,)) for path in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    # PostgreSQL serialises the two batches; on SQLite one may lose the race for the writer lock,
    # and then it must fail with the store's one-sentence error, keeping nothing.
    assert all(
        isinstance(err, StoreError) and "run the same command again" in str(err) for err in errors
    )
    if backend.database_url:
        assert errors == []
    if errors:  # a rerun finishes the job
        errors.clear()
        for path in (first, second):
            run(path)
        assert errors == []
    with store.connect() as conn:
        current = conn.execute(sa.select(sa.func.count()).where(events.c.is_current)).scalar_one()
        revisions = conn.execute(
            sa.select(sa.func.count()).where(events.c.source_event_id == rows[0]["id"])
        ).scalar_one()
    assert current == len(rows)
    assert revisions == 2
