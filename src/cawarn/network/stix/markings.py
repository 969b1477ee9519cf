"""TLP 2.0 marking definitions as OASIS publishes them, and cawarn's Marking to and from them.

The objects are those of oasis-open/cti-stix-common-objects (objects/marking-definition/ and
extension-definition-specifications/tlp-2.0/): created 2022-10-01, no ``created_by_ref``, the
``tlp_2_0`` property of the OASIS TLP 2.0 extension. The ``stix2`` library knows only TLP 1.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cawarn.domain import Marking
from cawarn.domain.access import MARKING_ORDER

#: The OASIS extension that marking definitions use to say which TLP 2.0 level they are.
TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#: When OASIS created the five TLP 2.0 marking definitions.
TLP_CREATED = "2022-10-01T00:00:00.000Z"

MARKING_IDS: dict[Marking, str] = {
    Marking.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Marking.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Marking.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Marking.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Marking.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
MARKINGS_BY_ID: dict[str, Marking] = {value: key for key, value in MARKING_IDS.items()}


def marking_definition(marking: Marking) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object of ``marking``, exactly as OASIS publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARKING_IDS[marking],
        "created": TLP_CREATED,
        "name": str(marking),
        "extensions": {
            TLP_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": marking.removeprefix("TLP:").lower(),
            }
        },
    }


def marking_ref(marking: Marking) -> str:
    """The id to put in ``object_marking_refs`` for ``marking``."""
    return MARKING_IDS[marking]


def marking_of(refs: Iterable[str]) -> Marking | None:
    """The strictest TLP 2.0 marking among ``refs``; None if none of them is TLP 2.0.

    Ids that are not TLP 2.0 (other marking schemes) are ignored here; validation names them.
    """
    found = {MARKINGS_BY_ID[ref] for ref in refs if ref in MARKINGS_BY_ID}
    ranked = [marking for marking in MARKING_ORDER if marking in found]
    return ranked[-1] if ranked else None


def at_most(limit: Marking) -> tuple[Marking, ...]:
    """The markings no stricter than ``limit``, least strict first."""
    return MARKING_ORDER[: MARKING_ORDER.index(limit) + 1]
