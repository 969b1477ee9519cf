"""The field report lifecycle: every allowed move, and every other one refused."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cawarn.domain import Category, DatePrecision, GeoPrecision, InputError, Marking
from cawarn.domain.reports import (
    MOVES,
    Credibility,
    Grade,
    Reliability,
    ReportContent,
    ReportError,
    ReportMove,
    ReportRecord,
    ReportState,
    check_content,
    move,
)

ORG = "KGZ-NCTC"
GRADE = Grade(Reliability.B, Credibility.PROBABLY_TRUE)
TODAY = dt.date(2026, 11, 27)


def _report(state: ReportState) -> ReportRecord:
    return ReportRecord(id=7, organisation=ORG, reporter="kgz.reporter", state=state)


def _do(report: ReportRecord, action: ReportMove, actor: str | None = None) -> ReportRecord:
    if actor is None:
        actor = "kgz.reporter" if action is ReportMove.RESUBMIT else "kgz.verifier"
    return move(report, action, actor=actor, actor_org=ORG, grade=GRADE, reason="Which village?")


def test_the_happy_paths() -> None:
    approved = _do(_report(ReportState.SUBMITTED), ReportMove.APPROVE)
    assert (approved.state, approved.grade, approved.verifier) == (
        ReportState.APPROVED,
        GRADE,
        "kgz.verifier",
    )
    assert str(approved.grade) == "B2"
    returned = _do(_report(ReportState.SUBMITTED), ReportMove.RETURN)
    assert (returned.state, returned.return_reason) == (ReportState.RETURNED, "Which village?")
    again = _do(returned, ReportMove.RESUBMIT)
    assert again.state is ReportState.RESUBMITTED
    assert _do(again, ReportMove.RETURN).state is ReportState.RETURNED
    final = _do(again, ReportMove.APPROVE)
    assert final.state is ReportState.APPROVED and final.return_reason is None


ILLEGAL = [
    (state, action) for state in ReportState for action in ReportMove if action not in MOVES[state]
]


def test_the_illegal_moves_are_the_expected_ones() -> None:
    assert set(ILLEGAL) == {
        (ReportState.SUBMITTED, ReportMove.RESUBMIT),
        (ReportState.RESUBMITTED, ReportMove.RESUBMIT),
        (ReportState.RETURNED, ReportMove.APPROVE),
        (ReportState.RETURNED, ReportMove.RETURN),
        (ReportState.APPROVED, ReportMove.APPROVE),
        (ReportState.APPROVED, ReportMove.RETURN),
        (ReportState.APPROVED, ReportMove.RESUBMIT),
    }


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused(state: ReportState, action: ReportMove) -> None:
    with pytest.raises(ReportError, match=f"is {state.value}: it cannot be") as err:
        _do(_report(state), action)
    assert err.value.http_status == 409


def test_the_reporter_cannot_verify_their_own_report() -> None:
    with pytest.raises(ReportError, match="other than its reporter"):
        _do(_report(ReportState.SUBMITTED), ReportMove.APPROVE, actor="kgz.reporter")


def test_only_the_reporter_resubmits() -> None:
    with pytest.raises(ReportError, match="Only the reporter"):
        _do(_report(ReportState.RETURNED), ReportMove.RESUBMIT, actor="kgz.other-reporter")


def test_another_organisation_cannot_move_a_report() -> None:
    with pytest.raises(ReportError, match="another organisation"):
        move(
            _report(ReportState.SUBMITTED),
            ReportMove.APPROVE,
            actor="tjk.verifier",
            actor_org="TJK-CTC",
            grade=GRADE,
        )


def test_approval_needs_a_grade_and_return_a_reason() -> None:
    report = _report(ReportState.SUBMITTED)
    with pytest.raises(ReportError, match="Admiralty grade"):
        move(report, ReportMove.APPROVE, actor="kgz.verifier", actor_org=ORG)
    with pytest.raises(ReportError, match="needs a reason"):
        move(report, ReportMove.RETURN, actor="kgz.verifier", actor_org=ORG, reason="  ")
    with pytest.raises(InputError, match="reason contains a NUL"):
        move(report, ReportMove.RETURN, actor="kgz.verifier", actor_org=ORG, reason="a\x00")


CONTENT = ReportContent(
    category=Category.ARMED_CLASH,
    summary=" Exchange of fire at a border post. ",
    country="KGZ",
    latitude=40.06,
    longitude=70.82,
    geo_precision=GeoPrecision.NEAR,
    date_start=dt.date(2026, 11, 20),
    date_end=dt.date(2026, 11, 20),
    date_precision=DatePrecision.DAY,
    fatalities_best=2,
    fatalities_low=1,
    fatalities_high=4,
    source_ref="open source: news agency X",
    marking=Marking.AMBER,
)


def test_content_is_trimmed_when_usable() -> None:
    assert check_content(CONTENT, today=TODAY).summary == "Exchange of fire at a border post."


def test_a_report_outside_the_region_is_refused() -> None:
    assert check_content(CONTENT, today=TODAY, region=["KGZ", "TJK"]).country == "KGZ"
    with pytest.raises(InputError, match="KGZ is not a country of this node's region"):
        check_content(CONTENT, today=TODAY, region=["TJK"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"summary": "  "}, "needs a summary"),
        ({"summary": "a\x00b"}, "summary contains a NUL character"),
        ({"place": "Osh\x00"}, "place contains a NUL character"),
        ({"source_ref": ""}, "needs its source"),
        ({"latitude": 95.0}, "is not on Earth"),
        ({"date_end": dt.date(2026, 11, 19)}, "ends"),
        ({"date_start": dt.date(2026, 11, 28), "date_end": dt.date(2026, 11, 28)}, "future"),
        ({"fatalities_best": -1}, "negative"),
        ({"fatalities_low": 3}, "low <= best <= high"),
        ({"fatalities_best": None, "fatalities_low": 5, "fatalities_high": 4}, "above high"),
    ],
)
def test_unusable_content_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_content(replace(CONTENT, **change), today=TODAY)  # type: ignore[arg-type]
