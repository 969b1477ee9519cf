"""TLP 2.0 marking definitions are those OASIS publishes and REFERENCES.md records."""

from __future__ import annotations

import re
from pathlib import Path

from cawarn.domain import Marking
from cawarn.network.stix.markings import (
    MARKING_IDS,
    TLP_EXTENSION_ID,
    at_most,
    marking_definition,
    marking_of,
)

REFERENCES = Path("/work/shared/REFERENCES.md")


def test_ids_are_those_of_references_md() -> None:
    text = " ".join(REFERENCES.read_text(encoding="utf-8").split())
    found = dict(
        re.findall(
            r"(CLEAR|GREEN|AMBER\+STRICT|AMBER|RED) `(marking-definition--[0-9a-f-]{36})`", text
        )
    )
    assert found == {m.removeprefix("TLP:"): MARKING_IDS[m] for m in Marking}
    assert f"`{TLP_EXTENSION_ID}`" in text


def test_definitions_match_the_oasis_objects() -> None:
    amber_strict = marking_definition(Marking.AMBER_STRICT)
    assert amber_strict == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber+strict",
            }
        },
    }
    assert [marking_definition(m)["extensions"][TLP_EXTENSION_ID]["tlp_2_0"] for m in Marking] == [
        "clear",
        "green",
        "amber",
        "amber+strict",
        "red",
    ]


def test_the_strictest_tlp_marking_wins_and_others_are_ignored() -> None:
    refs = [MARKING_IDS[Marking.GREEN], "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]
    assert marking_of(refs) == Marking.GREEN
    assert marking_of([*refs, MARKING_IDS[Marking.RED]]) == Marking.RED
    assert marking_of(refs[1:]) is None


def test_at_most() -> None:
    assert at_most(Marking.GREEN) == (Marking.CLEAR, Marking.GREEN)
    assert at_most(Marking.RED)[-1] == Marking.RED
