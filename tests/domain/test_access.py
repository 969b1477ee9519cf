"""The access rules: who may take which action, and read which marking."""

from __future__ import annotations

import pytest

from cawarn.domain import Marking
from cawarn.domain.access import (
    PERMISSIONS,
    Action,
    Role,
    allows,
    highest_marking,
    may_read_marking,
    readable_markings,
)


def test_every_action_has_a_rule_and_separation_of_duties_holds() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert not allows(Role.ADMIN, Action.READ_AUDIT)  # the administrator does not audit itself
    assert not allows(Role.AUDITOR, Action.WRITE_USERS)
    assert not allows(Role.AUDITOR, Action.READ_EVENTS)
    assert [role for role in Role if allows(role, Action.WRITE_USERS)] == [Role.ADMIN]


@pytest.mark.parametrize("role", list(Role))
def test_nobody_reads_another_organisations_restricted_content(role: Role) -> None:
    assert readable_markings(role, own_organisation=False) <= {Marking.CLEAR, Marking.GREEN}


def test_red_stays_with_the_owners_verifiers_analysts_and_releasing_officers() -> None:
    readers = {role for role in Role if may_read_marking(role, Marking.RED, own_organisation=True)}
    assert readers == {Role.VERIFIER, Role.ANALYST, Role.RELEASING_OFFICER}
    amber = {role for role in Role if may_read_marking(role, Marking.AMBER, own_organisation=True)}
    assert amber == readers | {Role.REPORTER, Role.DUTY_OFFICER}
    assert readable_markings(Role.ADMIN, own_organisation=True) == {Marking.CLEAR, Marking.GREEN}


def test_highest_marking() -> None:
    assert highest_marking({Marking.GREEN, Marking.RED, Marking.AMBER}) == Marking.RED
    assert highest_marking({Marking.AMBER_STRICT, Marking.AMBER}) == Marking.AMBER_STRICT
    assert highest_marking(set()) is None
