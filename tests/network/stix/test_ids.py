"""Deterministic STIX ids and timestamps."""

from __future__ import annotations

import datetime as dt
import uuid

from cawarn.network.stix.ids import (
    CAWARN_NS,
    event_uid_of,
    identity_id,
    incident_id,
    location_id,
    parse_timestamp,
    timestamp,
)


def test_identity_id_is_the_agreed_formula() -> None:
    ns = uuid.UUID("6f1d3c5e-8a59-4b8e-9a1f-2c7c3b0e5d41")
    assert ns == CAWARN_NS
    assert identity_id("KAZ") == f"identity--{uuid.uuid5(ns, 'org:KAZ')}"
    assert identity_id("KAZ") != identity_id("KGZ")


def test_incident_id_is_the_event_uid() -> None:
    uid = "3f2b6c1e-9a4d-4e8f-b1c2-5d6e7f8a9b0c"
    assert incident_id(uid) == f"incident--{uid}"
    assert event_uid_of(incident_id(uid)) == uid


def test_location_id_depends_on_everything_it_says() -> None:
    base = {"latitude": 31.6118, "longitude": 65.7058, "precision": 1000.0, "country": "AF"}
    assert location_id(base) == location_id(dict(reversed(base.items())))
    assert location_id(base) != location_id({**base, "precision": 25000.0})


def test_timestamps_are_utc_milliseconds() -> None:
    local = dt.datetime(2026, 3, 1, 13, 0, 0, 987654, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert timestamp(local) == "2026-03-01T08:00:00.987Z"
    assert timestamp(dt.datetime(2026, 3, 1, 8, 0)) == "2026-03-01T08:00:00.000Z"
    assert parse_timestamp("2026-03-01T08:00:00.987Z") == local.replace(microsecond=987000)
