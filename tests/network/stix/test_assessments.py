"""Alerts as sightings of their incident, with report, opinion and note once assessed."""

from __future__ import annotations

import pytest

from cawarn.domain.alerts import Confidence
from cawarn.network.stix.assessments import alert_objects
from cawarn.network.stix.ids import identity_id, incident_id
from tests.network.stix.fixtures import UID, shared_alert


def test_a_new_alert_is_one_sighting_of_its_incident() -> None:
    (sighting,) = alert_objects(shared_alert(assessment=None, assessed_at=None))
    assert sighting["type"] == "sighting"
    assert sighting["sighting_of_ref"] == incident_id(UID)
    assert sighting["where_sighted_refs"] == [identity_id("KGZ")]
    assert sighting["created_by_ref"] == identity_id("KGZ")


def test_an_assessed_alert_adds_report_opinion_and_note() -> None:
    sighting, report, opinion, note = alert_objects(shared_alert())
    assert report["object_refs"] == [sighting["id"], incident_id(UID)]
    assert opinion["object_refs"] == [report["id"]]
    assert (opinion["opinion"], opinion["confidence"]) == ("agree", 50)
    assert note["object_refs"] == [report["id"], sighting["id"]]
    assert len({sighting["id"], report["id"], opinion["id"], note["id"]}) == 4


def test_confidence_scale() -> None:
    high = alert_objects(shared_alert(confidence=Confidence.HIGH))[2]
    assert (high["opinion"], high["confidence"]) == ("strongly-agree", 85)


def test_an_alert_needs_an_incident() -> None:
    with pytest.raises(ValueError, match="at least one incident"):
        alert_objects(shared_alert(incident_ids=[]))


def test_ids_are_stable_and_per_alert() -> None:
    assert alert_objects(shared_alert()) == alert_objects(shared_alert())
    other = alert_objects(shared_alert(key="TJ-GB|surge|2024-03"))
    assert other[0]["id"] != alert_objects(shared_alert())[0]["id"]
