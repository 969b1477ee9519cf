"""Stable STIX ids of the network's own things (organisations, the TAXII collection).

The same formula as ``cawarn.network.stix.ids``; kept here until the two are merged.
"""

from __future__ import annotations

import uuid

#: The namespace of every id cawarn derives.
CAWARN_NS = uuid.UUID("6f1d3c5e-8a59-4b8e-9a1f-2c7c3b0e5d41")


def identity_id(org_code: str) -> str:
    """The STIX identity id of an organisation."""
    return f"identity--{uuid.uuid5(CAWARN_NS, 'org:' + org_code)}"
