"""Turning mapped events into store rows: ids, hashes, revision ranks."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from cawarn.domain import Event

#: Namespace of event uids: uid = uuid5(namespace, "source:source_event_id"), stable over revisions.
EVENT_NAMESPACE = uuid.UUID("5c0a7c1e-8d0b-4f57-9a39-3c2f8e6a1d20")

_SEPARATOR = "\x1f"


#: The source of events imported from STIX; their source_event_id is the incident id.
STIX_SOURCE = "stix"


def event_uid(source: str, source_event_id: str) -> str:
    """The global id of an event, the same for every revision and on every node.

    An event imported from STIX keeps the UUID of its incident, so that it has one id everywhere
    it is shared and a re-share names the same incident.
    """
    if source == STIX_SOURCE and source_event_id.startswith("incident--"):
        try:
            return str(uuid.UUID(source_event_id.removeprefix("incident--")))
        except ValueError:
            pass
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{source}:{source_event_id}"))


def raw_hash(values: Sequence[str], salt: str) -> int:
    """A signed 64-bit hash of an input row as read (and what it was read with: ``salt``)."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(salt.encode())
    digest.update(_SEPARATOR.join(values).encode("utf-8", "surrogatepass"))
    return int.from_bytes(digest.digest(), "big", signed=True)


def version_rank(kind_rank: int, number: Sequence[int]) -> str:
    """A text that sorts like the version: a higher rank is a newer, more final revision."""
    return f"{kind_rank}:" + ".".join(f"{part:06d}" for part in number)


def event_row(
    event: Event,
    *,
    admin1: str | None,
    admin1_method: str,
    admin1_distance_km: float | None,
    admin1_agrees: bool | None,
    priogrid_gid: int | None,
    priogrid_agrees: bool | None,
    owner_org: str,
) -> dict[str, Any]:
    """The columns of one event row that describe the event itself (no batch, times, ranks).

    ``source_fields`` is encoded to JSON text here, once, in the source's own column order.
    """
    return {
        "uid": event_uid(event.source, event.source_event_id),
        "source": event.source,
        "source_event_id": event.source_event_id,
        "source_version": event.source_version,
        "source_dataset": event.source_dataset,
        "date_start": event.date_start,
        "date_end": event.date_end,
        "date_precision": str(event.date_precision),
        "latitude": event.latitude,
        "longitude": event.longitude,
        "geo_precision": str(event.geo_precision),
        "country": event.country,
        "admin1": admin1,
        "admin1_method": admin1_method,
        "admin1_distance_km": admin1_distance_km,
        "admin1_agrees": admin1_agrees,
        "priogrid_gid": priogrid_gid,
        "priogrid_agrees": priogrid_agrees,
        "category": str(event.category),
        "source_fields": json.dumps(event.source_fields, ensure_ascii=False),
        "actor1": event.actor1,
        "actor2": event.actor2,
        "fatalities_best": event.fatalities_best,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "summary": event.summary,
        "source_ref": event.source_ref,
        "marking": str(event.marking),
        "owner_org": owner_org,
    }


#: Columns that make up what an event says. The release a row came from (``source_version``,
#: ``source_ref``) is provenance, not content; a final release that repeats a Candidate row does
#: change ``source_dataset`` and so makes a revision.
CONTENT_COLUMNS = (
    "source",
    "source_event_id",
    "source_dataset",
    "date_start",
    "date_end",
    "date_precision",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "admin1",
    "admin1_method",
    "admin1_distance_km",
    "admin1_agrees",
    "priogrid_gid",
    "priogrid_agrees",
    "category",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "summary",
    "marking",
    "owner_org",
    "source_fields",
)


def content_hash(row: dict[str, Any]) -> str:
    """A hash of what an event says, to tell a real revision from a repeat."""
    text = _SEPARATOR.join(
        "\x00" if (value := row[column]) is None else str(value) for column in CONTENT_COLUMNS
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
