"""TAXII errors: an HTTP status and the one sentence a client reads in the error message."""

from __future__ import annotations

import json

from cawarn.domain import CawarnError

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    406: "Not acceptable",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
}


class TaxiiError(CawarnError):
    """A request the server answers with a TAXII error message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status

    def body(self) -> str:
        """The TAXII error message resource as JSON text."""
        return json.dumps(
            {
                "title": TITLES.get(self.http_status, "Error"),
                "description": self.message,
                "http_status": str(self.http_status),
            }
        )


def not_found(what: str) -> TaxiiError:
    """What does not exist, or what the caller may not see."""
    return TaxiiError(404, f"There is no {what} here.")
