"""Field reports: what a reporter files, how a verifier grades it, and the lifecycle between.

A report is filed (``submitted``); a verifier of the same organisation either approves it into
the event store with an Admiralty grade (``approved``, final) or returns it with a reason
(``returned``); the reporter edits a returned report and sends it again (``resubmitted``), which
the verifier again approves or returns. Every other move is refused with :class:`ReportError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from enum import StrEnum

from cawarn.domain.errors import CawarnError, InputError
from cawarn.domain.events import Category, DatePrecision, GeoPrecision, Marking

#: The source name of events approved from field reports.
FIELD_REPORT_SOURCE = "field-report"


class ReportState(StrEnum):
    """Where a report is in its lifecycle."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"


class Reliability(StrEnum):
    """Admiralty scale: how reliable the source has been."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged


class Credibility(StrEnum):
    """Admiralty scale: how credible the information itself is."""

    CONFIRMED = "1"  # confirmed by other sources
    PROBABLY_TRUE = "2"
    POSSIBLY_TRUE = "3"
    DOUBTFUL = "4"
    IMPROBABLE = "5"
    CANNOT_BE_JUDGED = "6"


class ReportMove(StrEnum):
    """What someone does to a report."""

    APPROVE = "approve"
    RETURN = "return"
    RESUBMIT = "resubmit"


#: From each state, the moves allowed and the state each leads to.
MOVES: dict[ReportState, dict[ReportMove, ReportState]] = {
    ReportState.SUBMITTED: {
        ReportMove.APPROVE: ReportState.APPROVED,
        ReportMove.RETURN: ReportState.RETURNED,
    },
    ReportState.RESUBMITTED: {
        ReportMove.APPROVE: ReportState.APPROVED,
        ReportMove.RETURN: ReportState.RETURNED,
    },
    ReportState.RETURNED: {ReportMove.RESUBMIT: ReportState.RESUBMITTED},
    ReportState.APPROVED: {},
}

#: States in which a report waits for a verifier.
PENDING_STATES = frozenset({ReportState.SUBMITTED, ReportState.RESUBMITTED})


class ReportError(CawarnError):
    """A move the report lifecycle does not allow now."""

    exit_code = 2
    http_status = 409


@dataclass(frozen=True, slots=True)
class Grade:
    """An Admiralty grade, e.g. B2."""

    reliability: Reliability
    credibility: Credibility

    def __str__(self) -> str:
        return f"{self.reliability.value}{self.credibility.value}"


@dataclass(frozen=True, slots=True)
class ReportContent:
    """What a report says: what, where, when, how many died, from which source, how marked."""

    category: Category
    summary: str
    country: str  # ISO 3166-1 alpha-3
    latitude: float
    longitude: float
    geo_precision: GeoPrecision
    date_start: dt.date
    date_end: dt.date
    date_precision: DatePrecision
    fatalities_best: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    source_ref: str
    marking: Marking
    place: str | None = None  # the place name as picked from the gazetteer, if any
    geonameid: int | None = None


def check_content(
    content: ReportContent, *, today: dt.date, region: Collection[str] | None = None
) -> ReportContent:
    """The content if it is usable, else :class:`InputError` naming the first problem.

    ``region`` is the node's countries: a report elsewhere is not the node's to store.
    """
    if region is not None and content.country not in region:
        raise InputError(
            f"{content.country} is not a country of this node's region ({', '.join(region)})."
        )
    for name, text in (
        ("summary", content.summary),
        ("source", content.source_ref),
        ("place", content.place or ""),
    ):
        _printable(name, text)
    if not content.summary.strip():
        raise InputError("The report needs a summary of what happened.")
    if not content.source_ref.strip():
        raise InputError("The report needs its source (e.g. 'open source: news agency X').")
    if not (-90 <= content.latitude <= 90 and -180 <= content.longitude <= 180):
        raise InputError(
            f"The point ({content.latitude}, {content.longitude}) is not on Earth; pick it on "
            "the map or search a place."
        )
    if content.date_end < content.date_start:
        raise InputError(
            f"The report ends ({content.date_end}) before it starts ({content.date_start})."
        )
    if content.date_start > today:
        raise InputError(f"The report starts in the future ({content.date_start}).")
    counts = (content.fatalities_low, content.fatalities_best, content.fatalities_high)
    if any(value is not None and value < 0 for value in counts):
        raise InputError("Fatalities cannot be negative.")
    low, best, high = counts
    if best is not None and (
        (low is not None and low > best) or (high is not None and high < best)
    ):
        raise InputError(f"Fatalities must be low <= best <= high (got {low}, {best}, {high}).")
    if low is not None and high is not None and low > high:
        raise InputError(f"Fatalities low ({low}) is above high ({high}).")
    return replace(content, summary=content.summary.strip(), source_ref=content.source_ref.strip())


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """A report's lifecycle facts: whose it is, where it stands, how it was decided."""

    id: int
    organisation: str
    reporter: str  # username
    state: ReportState
    grade: Grade | None = None
    verifier: str | None = None
    return_reason: str | None = None


def move(
    report: ReportRecord,
    action: ReportMove,
    *,
    actor: str,
    actor_org: str,
    grade: Grade | None = None,
    reason: str | None = None,
) -> ReportRecord:
    """The report after the move, or :class:`ReportError` when it is not allowed.

    Verifying (approve, return) is done by someone of the report's organisation who is not its
    reporter; resubmitting only by the reporter. Approving needs a grade, returning a reason.
    """
    target = MOVES[report.state].get(action)
    if target is None:
        allowed = ", ".join(sorted(MOVES[report.state])) or "nothing"
        raise ReportError(
            f"Report {report.id} is {report.state.value}: it cannot be {_done(action)} "
            f"(allowed now: {allowed})."
        )
    if actor_org != report.organisation:
        raise ReportError(f"Report {report.id} belongs to another organisation.")
    if action is ReportMove.RESUBMIT:
        if actor != report.reporter:
            raise ReportError(f"Only the reporter of report {report.id} may resubmit it.")
        return replace(report, state=target)
    if actor == report.reporter:
        raise ReportError(
            f"Report {report.id} must be verified by someone other than its reporter."
        )
    if action is ReportMove.APPROVE:
        if grade is None:
            raise ReportError(f"Approving report {report.id} needs an Admiralty grade.")
        return replace(report, state=target, grade=grade, verifier=actor, return_reason=None)
    if not (reason and reason.strip()):
        raise ReportError(f"Returning report {report.id} needs a reason for the reporter.")
    _printable("reason", reason)
    return replace(report, state=target, verifier=actor, return_reason=reason.strip())


def _printable(name: str, text: str) -> None:
    """Refuse text with NUL characters (no store can keep them; no person types them)."""
    if "\x00" in text:
        raise InputError(f"The {name} contains a NUL character; remove it.")


def _done(action: ReportMove) -> str:
    return {"approve": "approved", "return": "returned", "resubmit": "resubmitted"}[action.value]
