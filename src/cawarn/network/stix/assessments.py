"""Alerts and their written assessments as STIX: sighting, report, opinion and note.

An alert is a sighting *of the incident* that set it off (``sighting_of_ref`` must name an SDO;
the incident is the SDO an alert is evidence about), seen at the event's location. The analyst's
written assessment is a report whose objects are the sighting and the incidents; the analyst's
confidence is an opinion on that report; a recorded response is a note on it. Authors are named
by organisation only (principle 1: never people).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cawarn.domain import Marking
from cawarn.domain.alerts import Confidence
from cawarn.network.stix.ids import derived_id, identity_id, timestamp
from cawarn.network.stix.markings import marking_ref

#: STIX's confidence scale for "Low/Med/High" (STIX 2.1, appendix A).
CONFIDENCE_VALUES = {Confidence.LOW: 15, Confidence.MODERATE: 50, Confidence.HIGH: 85}
#: How far an analyst of each confidence agrees with the assessment (opinion-enum).
OPINIONS = {
    Confidence.LOW: "neutral",
    Confidence.MODERATE: "agree",
    Confidence.HIGH: "strongly-agree",
}


@dataclass(frozen=True, slots=True)
class SharedAlert:
    """What of an alert is shared: no user names, only the organisation that raised it."""

    key: str
    severity: str
    summary: str
    org_code: str
    marking: Marking
    created: dt.datetime
    modified: dt.datetime
    incident_ids: Sequence[str]
    first_seen: dt.datetime
    last_seen: dt.datetime
    location_id: str | None = None
    assessment: str | None = None
    confidence: Confidence | None = None
    assessed_at: dt.datetime | None = None
    response: str | None = None
    responded_at: dt.datetime | None = None


def _common(
    kind: str, alert: SharedAlert, created: dt.datetime, modified: dt.datetime
) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": derived_id(kind, alert.org_code, alert.key),
        "created_by_ref": identity_id(alert.org_code),
        "created": timestamp(created),
        "modified": timestamp(modified),
    }


def alert_objects(alert: SharedAlert) -> list[dict[str, Any]]:
    """The sighting of an alert and, once assessed, its report and opinion (and response note)."""
    if not alert.incident_ids:
        raise ValueError("an alert is shared with at least one incident it is evidence about")
    markings = [marking_ref(alert.marking)]
    sighting = _common("sighting", alert, alert.created, alert.modified)
    sighting.update(
        description=f"{alert.severity} alert: {alert.summary}",
        first_seen=timestamp(alert.first_seen),
        last_seen=timestamp(alert.last_seen),
        count=len(alert.incident_ids),
        sighting_of_ref=alert.incident_ids[0],
        where_sighted_refs=[alert.location_id or identity_id(alert.org_code)],
        object_marking_refs=markings,
    )
    objects = [sighting]
    if alert.assessment is None or alert.assessed_at is None:
        return objects
    report = _common("report", alert, alert.assessed_at, alert.assessed_at)
    report.update(
        name=f"Assessment of a {alert.severity} alert: {alert.summary}",
        description=alert.assessment,
        report_types=["threat-report"],
        published=timestamp(alert.assessed_at),
        object_refs=[sighting["id"], *alert.incident_ids],
        object_marking_refs=markings,
    )
    objects.append(report)
    if alert.confidence is not None:
        opinion = _common("opinion", alert, alert.assessed_at, alert.assessed_at)
        opinion.update(
            opinion=OPINIONS[alert.confidence],
            explanation=f"The analyst's confidence in the assessment is {alert.confidence}.",
            confidence=CONFIDENCE_VALUES[alert.confidence],
            object_refs=[report["id"]],
            object_marking_refs=markings,
        )
        objects.append(opinion)
    if alert.response is not None and alert.responded_at is not None:
        note = _common("note", alert, alert.responded_at, alert.responded_at)
        note.update(
            abstract="Response",
            content=alert.response,
            object_refs=[report["id"], sighting["id"]],
            object_marking_refs=markings,
        )
        objects.append(note)
    return objects
