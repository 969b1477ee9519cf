"""Next tokens: resumable with the same filter, refused with another or when forged."""

from __future__ import annotations

import pytest

from cawarn.network.taxii import paging
from cawarn.network.taxii.errors import TaxiiError

SECRET = b"k" * 32
FILTER = {"r": "objects", "org": "KGZ-NCTC", "t": ("incident",)}


def test_a_token_resumes_its_position() -> None:
    token = paging.issue(SECRET, FILTER, 1234)
    assert paging.resume(SECRET, dict(FILTER), token) == 1234


@pytest.mark.parametrize(
    "change",
    [
        {"t": ("location",)},
        {"org": "UN-RCCA"},
    ],
)
def test_a_token_refuses_another_filter(change: dict[str, object]) -> None:
    token = paging.issue(SECRET, FILTER, 1234)
    with pytest.raises(TaxiiError) as err:
        paging.resume(SECRET, {**FILTER, **change}, token)
    assert err.value.http_status == 400


@pytest.mark.parametrize("token", ["", "abc", "1234.", "1235.{mac}", "1234.{mac}x"])
def test_a_forged_token_is_refused(token: str) -> None:
    mac = paging.issue(SECRET, FILTER, 1234).split(".")[1]
    with pytest.raises(TaxiiError):
        paging.resume(SECRET, FILTER, token.format(mac=mac))
    with pytest.raises(TaxiiError):
        paging.resume(b"other" * 8, FILTER, paging.issue(SECRET, FILTER, 1234))
