"""stix2-validator 3.2.0 accepts every object cawarn writes, and refuses broken ones."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cawarn.domain import Marking
from cawarn.network.stix.ids import identity_id
from cawarn.network.stix.markings import MARKING_IDS
from cawarn.network.stix.validate import Validator, shape, validate_objects
from tests.network.stix.fixtures import every_object


def _by_type(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(obj for obj in objects if obj["type"] == kind)


def test_every_type_cawarn_writes_is_there() -> None:
    assert {obj["type"] for obj in every_object()} == {
        "identity",
        "extension-definition",
        "marking-definition",
        "incident",
        "location",
        "relationship",
        "sighting",
        "report",
        "opinion",
        "note",
    }


@pytest.mark.parametrize("index", range(len(every_object())))
def test_each_object_validates_alone_with_the_oasis_validator(index: int) -> None:
    objects = every_object()
    problems = Validator().problems(objects[index])
    assert problems == [], (objects[index]["type"], problems)


def test_all_together_have_no_problem() -> None:
    assert validate_objects(every_object()) == []


@pytest.mark.parametrize(
    ("kind", "change", "expected"),
    [
        ("incident", {"created": "2026-02-30T00:00:00.000Z"}, "not a valid timestamp"),
        ("incident", {"modified": "2020-01-01T00:00:00.000Z"}, "must be later than or equal"),
        ("incident", {"name": 5}, "is not of type 'string'"),
        ("location", {"latitude": 123.0}, "123.0"),
        ("opinion", {"opinion": "maybe"}, "maybe"),
        ("sighting", {"count": -1}, "-1"),
        ("relationship", {"source_ref": "incident--not-a-uuid"}, "id format"),
    ],
)
def test_a_broken_object_is_refused_even_after_a_good_one_of_its_shape(
    kind: str, change: dict[str, Any], expected: str
) -> None:
    objects = every_object()
    good = _by_type(objects, kind)
    broken = {**copy.deepcopy(good), **change}
    validator = Validator()
    assert validator.problems(good) == []
    found = validator.problems(broken)
    assert any(expected in text for text in found), found


def test_shapes_ignore_free_text_but_not_vocabulary() -> None:
    incident = _by_type(every_object(), "incident")
    reworded = {**incident, "description": "Something else entirely"}
    assert shape(reworded) == shape(incident)
    opinion = _by_type(every_object(), "opinion")
    assert shape({**opinion, "opinion": "disagree"}) != shape(opinion)


def test_a_dangling_reference_is_named() -> None:
    objects = [obj for obj in every_object() if obj["type"] != "location"]
    problems = validate_objects(objects)
    assert problems, "the relationship and the sighting point to a location not sent"
    assert all("not among the objects sent" in p.message for p in problems)
    assert {_type(p.object_id) for p in problems} == {"relationship", "sighting"}


def _type(object_id: str | None) -> str:
    return (object_id or "").split("--")[0]


def test_a_known_id_is_not_dangling() -> None:
    objects = [obj for obj in every_object() if obj["id"] != identity_id("KGZ")]
    assert validate_objects(objects) != []
    assert validate_objects(objects, known_ids={identity_id("KGZ")}) == []


def test_an_unknown_marking_is_named() -> None:
    objects = every_object()
    incident = _by_type(objects, "incident")
    incident["object_marking_refs"] = ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]
    problems = validate_objects(objects)
    assert [p.object_id for p in problems] == [incident["id"]]
    assert "neither a TLP 2.0 marking" in problems[0].message


def test_created_by_ref_is_required_but_not_of_oasis_markings() -> None:
    objects = every_object()
    incident = _by_type(objects, "incident")
    del incident["created_by_ref"]
    problems = validate_objects(objects)
    assert [(p.object_id, p.message) for p in problems] == [
        (incident["id"], "has no created_by_ref, so nobody vouches for it")
    ]
    assert "created_by_ref" not in _by_type(objects, "marking-definition")
    assert MARKING_IDS[Marking.RED] in {obj["id"] for obj in objects}


def test_an_undefined_extension_is_named() -> None:
    objects = every_object()
    incident = _by_type(objects, "incident")
    incident["extensions"]["extension-definition--0c7c1f0e-1f2b-4b6e-8c39-1d1f4a1b2c3d"] = {
        "extension_type": "property-extension"
    }
    problems = validate_objects(objects)
    assert len(problems) == 1 and "nobody here defines" in problems[0].message


def test_not_an_object_is_a_problem() -> None:
    problems = validate_objects([*every_object(), "incident"])  # type: ignore[list-item]
    assert [p.object_id for p in problems] == [None]
