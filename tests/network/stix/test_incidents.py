"""Events to STIX and back: nothing that matters is lost, and the bytes never change."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cawarn.domain import Category, DatePrecision, GeoPrecision, Marking
from cawarn.network.stix.bundle import dumps, make_bundle
from cawarn.network.stix.extension import EVENT_EXTENSION_ID, INCIDENT_CORE_ID
from cawarn.network.stix.ids import identity_id
from cawarn.network.stix.imports import MappingError, incident_event
from cawarn.network.stix.incidents import event_objects
from cawarn.network.stix.markings import MARKING_IDS
from tests.network.stix.fixtures import UID, stored_event


def test_incident_carries_the_event() -> None:
    incident, location, relationship = event_objects(stored_event())
    assert incident["id"] == f"incident--{UID}"
    assert incident["created_by_ref"] == identity_id("KGZ")
    assert incident["created"] == "2026-03-01T08:00:00.123Z"
    assert incident["modified"] == "2026-03-02T09:30:00.000Z"
    assert incident["object_marking_refs"] == [MARKING_IDS[Marking.AMBER]]
    core = incident["extensions"][INCIDENT_CORE_ID]
    assert core["determination"] == "successful-attempt"
    assert location["country"] == "AF" and location["region"] == "southern-asia"
    assert location["administrative_area"] == "AF-KAN" and location["precision"] == 1000.0
    assert relationship["source_ref"] == incident["id"]
    assert relationship["target_ref"] == location["id"]


def test_protest_is_never_an_attack() -> None:
    incident = event_objects(stored_event(category="protest", fatalities_best=0))[0]
    assert incident["extensions"][INCIDENT_CORE_ID]["determination"] == "low-value"
    assert incident["extensions"][EVENT_EXTENSION_ID]["category"] == "protest"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "category": "protest",
            "fatalities_best": None,
            "fatalities_low": None,
            "fatalities_high": None,
            "marking": "TLP:CLEAR",
            "actor2": None,
            "summary": None,
        },
        {
            "latitude": None,
            "longitude": None,
            "geo_precision": "country",
            "admin1": None,
            "country": "TJK",
            "date_precision": "month",
            "marking": "TLP:RED",
        },
        {
            "category": "explosion_remote_violence",
            "geo_precision": "near",
            "country": "KAZ",
            "latitude": 43.25,
            "longitude": 76.95,
            "admin1": "KZ-75",
            "marking": "TLP:AMBER+STRICT",
        },
    ],
)
def test_round_trip_keeps_what_the_event_says(changes: dict[str, object]) -> None:
    stored = stored_event(**changes)
    incident, location, _ = event_objects(stored)
    event = incident_event(incident, location)
    assert event.category == Category(stored["category"])
    assert (event.fatalities_best, event.fatalities_low, event.fatalities_high) == (
        stored["fatalities_best"],
        stored["fatalities_low"],
        stored["fatalities_high"],
    )
    assert (event.latitude, event.longitude, event.country, event.admin1) == (
        stored["latitude"],
        stored["longitude"],
        stored["country"],
        stored["admin1"],
    )
    assert event.geo_precision == GeoPrecision(stored["geo_precision"])
    assert (event.date_start, event.date_end) == (stored["date_start"], stored["date_end"])
    assert event.date_precision == DatePrecision(stored["date_precision"])
    assert event.marking == Marking(stored["marking"])
    assert (event.actor1, event.actor2, event.summary) == (
        stored["actor1"],
        stored["actor2"],
        stored["summary"],
    )
    assert event.source == "stix" and event.source_event_id == incident["id"]
    assert event.source_fields["origin_source"] == "ucdp-ged"
    assert event.source_fields["origin_source_event_id"] == "133925"
    assert event.source_fields["created_by_ref"] == identity_id("KGZ")


def test_same_event_same_bytes() -> None:
    first = dumps(make_bundle(event_objects(stored_event())))
    again = dumps(make_bundle(event_objects(stored_event())))
    assert first == again
    later = dumps(
        make_bundle(event_objects(stored_event(modified=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))))
    )
    assert later != first


def test_bundle_does_not_depend_on_order_or_repeats() -> None:
    objects = event_objects(stored_event()) + event_objects(
        stored_event(uid="8b1c0d2e-3f4a-4b5c-9d6e-7f8091a2b3c4", source_event_id="2")
    )
    shuffled = objects + objects[:2]
    random.Random(7).shuffle(shuffled)
    assert dumps(make_bundle(shuffled)) == dumps(make_bundle(objects))
    assert len(make_bundle(shuffled)["objects"]) == 5  # the two events share their location


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda i, loc: (i, None), "no located-at relationship"),
        (lambda i, loc: ({**i, "object_marking_refs": []}, loc), "no TLP 2.0 marking"),
        (lambda i, loc: ({**i, "extensions": {}}, loc), "no cawarn event extension"),
        (lambda i, loc: (i, {**loc, "country": "XX"}), "country 'XX'"),
        (lambda i, loc: (i, {**loc, "precision": 25000.0}), "precision"),
    ],
)
def test_what_cannot_be_an_event_says_why(edit: object, reason: str) -> None:
    incident, location, _ = event_objects(stored_event())
    broken_incident, broken_location = edit(incident, location)  # type: ignore[operator]
    with pytest.raises(MappingError, match=reason):
        incident_event(broken_incident, broken_location)


def test_a_bad_category_is_named() -> None:
    incident, location, _ = event_objects(stored_event())
    ext = {**incident["extensions"][EVENT_EXTENSION_ID], "category": "terrorism"}
    incident["extensions"] = {**incident["extensions"], EVENT_EXTENSION_ID: ext}
    with pytest.raises(MappingError, match="category 'terrorism' is not one of"):
        incident_event(incident, location)
