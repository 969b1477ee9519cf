"""Stateless ``next`` tokens: a position signed together with the filter it was issued for.

A token is ``<position>.<mac>`` where the MAC is HMAC-SHA256 (the node's secret key) over the
filter and the position, so a token only works with the same filter (else 400) and cannot be
forged to skip the audience check (every page is filtered again anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

from cawarn.network.taxii.errors import TaxiiError


def _mac(secret: bytes, filter_: Mapping[str, object], position: int) -> str:
    message = json.dumps(filter_, sort_keys=True, separators=(",", ":")) + f"|{position}"
    return hmac.new(secret, message.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def issue(secret: bytes, filter_: Mapping[str, object], position: int) -> str:
    """A token that continues after ``position`` with this filter."""
    return f"{position}.{_mac(secret, filter_, position)}"


def resume(secret: bytes, filter_: Mapping[str, object], token: str) -> int:
    """The position a token continues after; 400 when it is malformed or its filter changed."""
    position_text, _, mac = token.partition(".")
    if not position_text.isdigit() or not hmac.compare_digest(
        mac, _mac(secret, filter_, int(position_text))
    ):
        raise TaxiiError(
            400,
            "The next token does not belong to this filter; repeat the request that issued it "
            "with the same filter, or start again without next.",
        )
    return int(position_text)
