"""A STIX bundle through the ingest pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cawarn.config import Settings
from cawarn.domain import Marking
from cawarn.ingest.pipeline import ingest
from cawarn.ingest.stix import open_stix_bundle
from cawarn.network.stix.bundle import dumps, make_bundle
from cawarn.network.stix.export import ExportFilter, export_objects
from cawarn.network.stix.extension import EVENT_EXTENSION_ID
from cawarn.network.stix.validate import validate_objects
from cawarn.store.tables import events, quarantine
from tests.network.stix.fixtures import UID, every_object

OTHER_UID = "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f"


def _bundle(tmp_path: Path, objects: list[dict[str, Any]], name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(dumps(make_bundle(objects)), encoding="utf-8")
    return path


def _with_bad_incident() -> list[dict[str, Any]]:
    """The fixture's objects plus an incident whose category is not one of cawarn's."""
    objects = every_object()
    good = next(obj for obj in objects if obj["type"] == "incident")
    bad = copy.deepcopy(good)
    bad["id"] = f"incident--{OTHER_UID}"
    bad["extensions"][EVENT_EXTENSION_ID]["category"] = "terrorism"
    link = copy.deepcopy(next(obj for obj in objects if obj["type"] == "relationship"))
    link["id"] = "relationship--1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
    link["source_ref"] = bad["id"]
    return [*objects, bad, link]


def _import(engine: sa.Engine, settings: Settings, path: Path, *, force: bool = False) -> Any:
    with engine.connect() as conn:
        reader = open_stix_bundle(conn, settings, path)
    return ingest(engine, settings, reader, force=force), reader


def test_import_stores_events_and_quarantines_the_rest(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    engine = store
    path = _bundle(tmp_path, _with_bad_incident())
    report, reader = _import(engine, backend, path)
    assert (report.events_new, report.rows_quarantined) == (1, 1)
    assert reader.data.other_objects > 0
    with engine.connect() as conn:
        row = conn.execute(sa.select(events)).mappings().one()
        reasons = conn.execute(sa.select(quarantine.c.reason, quarantine.c.raw)).all()
    assert row["uid"] == UID  # the incident's own id, not a new one
    assert row["source"] == "stix" and row["source_event_id"] == f"incident--{UID}"
    assert row["owner_org"] == "KGZ"  # the organisation of created_by_ref, not this node's
    assert row["marking"] == "TLP:AMBER" and row["category"] == "armed_clash"
    assert row["admin1"] == "AF-KAN"  # assigned again by this node from the coordinates
    assert len(reasons) == 1
    assert "category 'terrorism' is not one of" in reasons[0].reason
    assert reasons[0].raw["object"]["id"] == f"incident--{OTHER_UID}"


def test_rerun_does_not_duplicate(store: sa.Engine, backend: Settings, tmp_path: Path) -> None:
    engine = store
    path = _bundle(tmp_path, _with_bad_incident())
    _import(engine, backend, path)
    again, _ = _import(engine, backend, path)
    assert again.same_as_batch_id is not None
    forced, _ = _import(engine, backend, path, force=True)
    assert (forced.events_new, forced.events_unchanged) == (0, 1)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(quarantine)).scalar_one() == 1


def test_invalid_objects_are_quarantined_with_the_validator_reason(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    engine = store
    objects = every_object()
    location = next(obj for obj in objects if obj["type"] == "location")
    location["latitude"] = 123.0
    report = next(obj for obj in objects if obj["type"] == "report")
    report["object_refs"].append("incident--0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a")
    result, _ = _import(engine, backend, _bundle(tmp_path, objects))
    assert (result.events_new, result.rows_quarantined) == (0, 2)
    with engine.connect() as conn:
        reasons = sorted(conn.execute(sa.select(quarantine.c.reason)).scalars())
    assert reasons[0].startswith("location--") and "123.0 is greater than the maximum" in reasons[0]
    assert reasons[1].startswith("report--") and "not among the objects sent" in reasons[1]


def test_an_unknown_author_is_quarantined(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    engine = store
    objects = [o for o in every_object() if o["type"] != "identity"]
    result, _ = _import(engine, backend, _bundle(tmp_path, objects))
    assert result.events_new == 0 and result.rows_quarantined >= 1


def test_export_then_import_elsewhere_gives_the_same_incident(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    engine = store
    path = _bundle(tmp_path, every_object())
    _import(engine, backend, path)
    with engine.connect() as conn:
        green, n_green = export_objects(conn, ExportFilter())
        amber, n_amber = export_objects(conn, ExportFilter(max_marking=Marking.AMBER))
        _, n_other = export_objects(
            conn,
            ExportFilter(countries=("TJK",), max_marking=Marking.RED),
        )
        again, _ = export_objects(conn, ExportFilter(max_marking=Marking.AMBER))
    assert (n_green, n_amber, n_other) == (0, 1, 0)
    assert validate_objects(amber) == []
    assert dumps(make_bundle(amber)) == dumps(make_bundle(again))
    sent = {o["id"]: o for o in every_object()}
    exported = next(o for o in amber if o["type"] == "incident")
    # Re-shared as its origin wrote it: same id, times, marking and extensions.
    assert json.dumps(exported, sort_keys=True) == json.dumps(sent[exported["id"]], sort_keys=True)
    assert {o["type"] for o in green} == {"identity", "extension-definition"}


def test_own_events_coming_back_are_skipped(
    store: sa.Engine, backend: Settings, tmp_path: Path
) -> None:
    from cawarn.ingest.ucdp import GedReader, open_ucdp_ged
    from tests.conftest import GED_SAMPLE

    with open_ucdp_ged(backend, str(GED_SAMPLE), version=None) as ged:
        first = ingest(store, backend, GedReader(ged, set(backend.region)))
    with store.connect() as conn:
        objects, count = export_objects(conn, ExportFilter())
    assert count == first.events_new > 0
    report, reader = _import(store, backend, _bundle(tmp_path, objects))
    assert reader.data.held == count
    assert (report.events_new, report.rows_quarantined) == (0, 0)
    with store.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    assert total == count
