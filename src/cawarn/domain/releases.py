"""Release decisions: what may leave the node, to whom, under which marking, until when.

Pure rules, no storage. A releasing officer of the item's owner organisation decides the
audience (organisations and trust groups, expanded to organisation codes when deciding), a TLP
2.0 marking and an optional expiry. The rules:

- the audience is never empty (an empty audience must never mean "everyone");
- the marking is never lower than the item's own, nor than the one it was received with from a
  peer (a marking is never lowered on re-share);
- TLP:RED is for named recipients only: explicit organisations, never a trust group;
- an expiry lies in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cawarn.domain.access import MARKING_ORDER
from cawarn.domain.errors import InputError
from cawarn.domain.events import Marking

#: The version of the signed decision record; a change of its fields needs a new one.
RECORD_VERSION = 1


class ItemKind(StrEnum):
    """What can be released."""

    EVENT = "event"  # events.uid
    ALERT = "alert"  # alerts.id
    ASSESSMENT = "assessment"  # the written assessment of an alert, by the alert's id
    REPORT = "report"  # a field report, by its id


class ReleaseRefusedError(InputError):
    """A release decision breaks a rule; the sentence says which."""


@dataclass(frozen=True, slots=True)
class Item:
    """What a decision is about: its owner and the markings it already carries."""

    kind: ItemKind
    item_id: str
    owner_org: str
    marking: Marking
    received_marking: Marking | None = None  # the marking a peer sent it with, if received


@dataclass(frozen=True, slots=True)
class Release:
    """A recorded release decision (and its revocation, if revoked)."""

    id: int
    item_kind: ItemKind
    item_id: str
    owner_org: str
    audience: tuple[str, ...]  # organisation codes, trust groups expanded
    audience_orgs: tuple[str, ...]  # as the officer named them
    audience_groups: tuple[str, ...]
    marking: Marking
    expires_at: dt.datetime | None
    decided_by: str
    decided_at: dt.datetime
    node_org: str
    key_id: str
    signature: str
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    revocation_key_id: str | None = None
    revocation_signature: str | None = None

    def is_active(self, now: dt.datetime) -> bool:
        """Released now: not revoked and not expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def record(self) -> dict[str, Any]:
        """The decision record that is signed."""
        return decision_record(
            item_kind=self.item_kind,
            item_id=self.item_id,
            owner_org=self.owner_org,
            audience=self.audience,
            audience_orgs=self.audience_orgs,
            audience_groups=self.audience_groups,
            marking=self.marking,
            expires_at=self.expires_at,
            decided_by=self.decided_by,
            decided_at=self.decided_at,
            node_org=self.node_org,
            key_id=self.key_id,
        )

    def revocation_record(self) -> dict[str, Any]:
        """The revocation record that is signed; ValueError when not revoked."""
        if self.revoked_at is None or self.revoked_by is None or self.revocation_key_id is None:
            raise ValueError("the release is not revoked")
        return revocation_record(
            decision_signature=self.signature,
            revoked_by=self.revoked_by,
            revoked_at=self.revoked_at,
            node_org=self.node_org,
            key_id=self.revocation_key_id,
        )


def timestamp(at: dt.datetime) -> str:
    """A UTC time as signed: ISO 8601 with microseconds and Z (naive times are UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decision_record(
    *,
    item_kind: ItemKind,
    item_id: str,
    owner_org: str,
    audience: Collection[str],
    audience_orgs: Collection[str],
    audience_groups: Collection[str],
    marking: Marking,
    expires_at: dt.datetime | None,
    decided_by: str,
    decided_at: dt.datetime,
    node_org: str,
    key_id: str,
) -> dict[str, Any]:
    """The JSON record of a decision, as signed with the node key."""
    return {
        "type": "cawarn-release-decision",
        "version": RECORD_VERSION,
        "item": {"kind": item_kind.value, "id": item_id, "owner": owner_org},
        "audience": sorted(audience),
        "audience_orgs": sorted(audience_orgs),
        "audience_groups": sorted(audience_groups),
        "marking": marking.value,
        "expires": timestamp(expires_at) if expires_at is not None else None,
        "decided_by": decided_by,
        "decided_at": timestamp(decided_at),
        "node_org": node_org,
        "key_id": key_id,
    }


def revocation_record(
    *, decision_signature: str, revoked_by: str, revoked_at: dt.datetime, node_org: str, key_id: str
) -> dict[str, Any]:
    """The JSON record of a revocation, bound to the decision by the decision's signature."""
    return {
        "type": "cawarn-release-revocation",
        "version": RECORD_VERSION,
        "decision_signature": decision_signature,
        "revoked_by": revoked_by,
        "revoked_at": timestamp(revoked_at),
        "node_org": node_org,
        "key_id": key_id,
    }


def rank(marking: Marking) -> int:
    """A marking's place from least (CLEAR, 0) to most restricted (RED, 4)."""
    return MARKING_ORDER.index(marking)


def expand_audience(
    orgs: Collection[str],
    groups: Collection[str],
    group_members: Mapping[str, Collection[str]],
    known_orgs: Collection[str],
) -> tuple[str, ...]:
    """The organisation codes of an audience: the named ones and the groups' members.

    Refuses an unknown organisation or group; the result is sorted and without repeats.
    """
    unknown_orgs = sorted(set(orgs) - set(known_orgs))
    if unknown_orgs:
        raise ReleaseRefusedError(
            f"There is no organisation {', '.join(map(repr, unknown_orgs))}; "
            "'cawarn org list' shows the organisations."
        )
    unknown_groups = sorted(set(groups) - set(group_members))
    if unknown_groups:
        raise ReleaseRefusedError(
            f"There is no trust group {', '.join(map(repr, unknown_groups))}; "
            "'cawarn trust-group list' shows the groups."
        )
    members = {code for name in groups for code in group_members[name]}
    return tuple(sorted(set(orgs) | members))


def check_decision(
    item: Item,
    *,
    marking: Marking,
    orgs: Collection[str],
    groups: Collection[str],
    audience: Collection[str],
    expires_at: dt.datetime | None,
    now: dt.datetime,
) -> None:
    """Refuse a decision that breaks a rule, with the sentence that says which."""
    if rank(marking) < rank(item.marking):
        raise ReleaseRefusedError(
            f"The {item.kind.value} {item.item_id} is marked {item.marking.value}; it cannot be "
            f"released under the lower marking {marking.value}."
        )
    if item.received_marking is not None and rank(marking) < rank(item.received_marking):
        raise ReleaseRefusedError(
            f"The {item.kind.value} {item.item_id} was received marked "
            f"{item.received_marking.value}; a marking is never lowered on re-share, so "
            f"{marking.value} is refused."
        )
    if not audience:
        raise ReleaseRefusedError(
            "The audience is empty; name at least one organisation (an empty audience is "
            "never taken to mean everyone)."
        )
    if set(audience) == {item.owner_org}:
        raise ReleaseRefusedError(
            f"The audience is only {item.owner_org}, which owns the item already; name "
            "another organisation."
        )
    if expires_at is not None and expires_at <= now:
        raise ReleaseRefusedError(
            f"The expiry {timestamp(expires_at)} is not in the future; give a later one."
        )
    if marking is Marking.RED:
        # No node serves RED to another organisation, so a RED release would promise a delivery
        # that never happens: refuse it and say what can be shared instead.
        raise ReleaseRefusedError(
            "TLP:RED never leaves its organisation on this network; release it as "
            "TLP:AMBER+STRICT to named organisations if they must have it."
        )


def check_revocation(release: Release) -> None:
    """Refuse revoking a release twice."""
    if release.revoked_at is not None:
        raise ReleaseRefusedError(
            f"Release {release.id} was already revoked at {timestamp(release.revoked_at)}."
        )


def parse_marking(text: str) -> Marking:
    """A TLP 2.0 marking from 'AMBER', 'tlp:amber+strict', 'AMBER_STRICT' and the like."""
    name = text.strip().upper().removeprefix("TLP:").replace("_", "+")
    for marking in Marking:
        if marking.value == f"TLP:{name}":
            return marking
    raise InputError(
        f"{text!r} is not a TLP 2.0 marking; use CLEAR, GREEN, AMBER, AMBER+STRICT or RED."
    )
