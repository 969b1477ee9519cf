"""Roles, what each may do, and which TLP markings each may read: pure rules, no storage.

The roles are those of DESIGN.md. A user has one role in one organisation. Two questions decide
every request: may this role do this action at all (:func:`allows`), and may this user see this
object (:func:`may_read_marking` for marked content; organisation checks for accounts). What a
user may not see is answered as if it did not exist.
"""

from __future__ import annotations

from enum import StrEnum

from cawarn.domain.events import Marking


class Role(StrEnum):
    """The roles of a node's users (DESIGN.md, "Who uses it")."""

    REPORTER = "reporter"
    VERIFIER = "verifier"
    RELEASING_OFFICER = "releasing_officer"
    ANALYST = "analyst"
    DUTY_OFFICER = "duty_officer"
    PARTNER_OBSERVER = "partner_observer"
    ADMIN = "admin"
    AUDITOR = "auditor"
    #: Another node of the network: reads what was released to its organisation over TAXII and
    #: posts what its organisation releases to this node. Never a person's account.
    PEER_NODE = "peer_node"


class OrgKind(StrEnum):
    """What kind of organisation takes part in the network."""

    STATE = "state"
    UN = "un"
    OSCE = "osce"
    OTHER = "other"


class Action(StrEnum):
    """What a request does; every API route names exactly one."""

    READ_SELF = "self:read"  # one's own account; logging out
    WRITE_SELF = "self:write"  # enrolling one's own second factor
    READ_EVENTS = "events:read"
    READ_UNITS = "units:read"
    READ_PANELS = "panels:read"
    READ_ORGANISATIONS = "organisations:read"
    WRITE_ORGANISATIONS = "organisations:write"
    READ_USERS = "users:read"
    WRITE_USERS = "users:write"
    READ_AUDIT = "audit:read"
    READ_ALERTS = "alerts:read"
    ACKNOWLEDGE_ALERTS = "alerts:acknowledge"
    ASSESS_ALERTS = "alerts:assess"
    ESCALATE_ALERTS = "alerts:escalate"
    RESPOND_ALERTS = "alerts:respond"
    CLOSE_ALERTS = "alerts:close"
    READ_FORECASTS = "forecasts:read"  # live forecasts and evaluations with their scores
    FILE_REPORTS = "reports:file"  # file a field report; edit and resubmit one's own
    READ_REPORTS = "reports:read"
    VERIFY_REPORTS = "reports:verify"  # grade and approve, or return
    READ_GAZETTEER = "gazetteer:read"
    READ_RELEASES = "releases:read"
    RELEASE = "releases:write"  # decide or revoke a release to other organisations
    TAXII_READ = "taxii:read"  # a peer node reads the TAXII collections released to it
    TAXII_WRITE = "taxii:write"  # a peer node posts (or deletes its own) objects over TAXII


_EVERYONE = frozenset(Role)
_WORKING = frozenset(
    {Role.REPORTER, Role.VERIFIER, Role.RELEASING_OFFICER, Role.ANALYST, Role.DUTY_OFFICER}
)

#: Which roles may take each action at all.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.READ_SELF: _EVERYONE,
    Action.WRITE_SELF: _EVERYONE,
    # Auditors read the log, not the content; administrators see only unrestricted events.
    Action.READ_EVENTS: _WORKING | {Role.PARTNER_OBSERVER, Role.ADMIN},
    Action.READ_UNITS: _EVERYONE,
    # Panels aggregate every event of the node, restricted ones included.
    Action.READ_PANELS: _WORKING,
    # Forecasts are computed from the panels, so the same roles read them.
    Action.READ_FORECASTS: _WORKING,
    Action.READ_ORGANISATIONS: _EVERYONE,
    Action.WRITE_ORGANISATIONS: frozenset({Role.ADMIN}),
    Action.READ_USERS: frozenset({Role.ADMIN, Role.AUDITOR}),
    Action.WRITE_USERS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.AUDITOR}),
    # The alert inbox: duty officers own an alert (acknowledge, respond, close), analysts write
    # the assessment; either may send an assessed alert up. Observers and administrators do not
    # see the inbox: alerts carry restricted events as evidence.
    Action.READ_ALERTS: frozenset({Role.ANALYST, Role.DUTY_OFFICER, Role.RELEASING_OFFICER}),
    Action.ACKNOWLEDGE_ALERTS: frozenset({Role.DUTY_OFFICER}),
    Action.ASSESS_ALERTS: frozenset({Role.ANALYST}),
    Action.ESCALATE_ALERTS: frozenset({Role.DUTY_OFFICER, Role.ANALYST}),
    Action.RESPOND_ALERTS: frozenset({Role.DUTY_OFFICER}),
    Action.CLOSE_ALERTS: frozenset({Role.DUTY_OFFICER}),
    # Field reports: reporters file them and see their own; the organisation's verifiers grade
    # them; analysts and releasing officers read them (RED only as may_read_marking allows).
    Action.FILE_REPORTS: frozenset({Role.REPORTER}),
    Action.READ_REPORTS: frozenset(
        {Role.REPORTER, Role.VERIFIER, Role.ANALYST, Role.RELEASING_OFFICER}
    ),
    Action.VERIFY_REPORTS: frozenset({Role.VERIFIER}),
    # Public place names (GeoNames); those who locate reports need them.
    Action.READ_GAZETTEER: _WORKING,
    # Only releasing officers decide what leaves the organisation; auditors read the decisions.
    Action.READ_RELEASES: frozenset({Role.RELEASING_OFFICER, Role.AUDITOR}),
    Action.RELEASE: frozenset({Role.RELEASING_OFFICER}),
    # Machine-to-machine sharing: only peer node accounts speak TAXII.
    Action.TAXII_READ: frozenset({Role.PEER_NODE}),
    Action.TAXII_WRITE: frozenset({Role.PEER_NODE}),
}

#: Actions that change something: refused to read-only API keys, audited always.
WRITES = frozenset(
    {
        Action.WRITE_SELF,
        Action.WRITE_ORGANISATIONS,
        Action.WRITE_USERS,
        Action.ACKNOWLEDGE_ALERTS,
        Action.ASSESS_ALERTS,
        Action.ESCALATE_ALERTS,
        Action.RESPOND_ALERTS,
        Action.CLOSE_ALERTS,
        Action.FILE_REPORTS,
        Action.VERIFY_REPORTS,
        Action.RELEASE,
        Action.TAXII_WRITE,
    }
)


def allows(role: Role, action: Action) -> bool:
    """Whether the role may take the action at all (objects are checked separately)."""
    return role in PERMISSIONS[action]


#: Markings whose reading is recorded in the audit log.
AUDITED_MARKINGS = frozenset({Marking.AMBER, Marking.AMBER_STRICT, Marking.RED})

#: Roles that may read TLP:RED content of their own organisation: those who verify, analyse and
#: release it. Field reporters, duty officers and observers work from AMBER and below.
RED_READERS = frozenset({Role.VERIFIER, Role.RELEASING_OFFICER, Role.ANALYST})

#: Order of markings from least to most restricted.
MARKING_ORDER = (Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED)


def readable_markings(role: Role, *, own_organisation: bool) -> frozenset[Marking]:
    """The markings of content owned by an organisation that a user of this role may read.

    ``own_organisation`` says whether the content belongs to the user's own organisation.
    CLEAR and GREEN are for every role that reads events. AMBER and AMBER+STRICT stay inside
    the owning organisation (releasing them to another is the releasing officer's decision,
    made through sharing, not by reading). RED stays with the owner's verifiers, analysts and
    releasing officers. Administrators and partner observers never read restricted content.
    """
    if not allows(role, Action.READ_EVENTS):
        return frozenset()
    open_ = frozenset({Marking.CLEAR, Marking.GREEN})
    if role in (Role.ADMIN, Role.PARTNER_OBSERVER) or not own_organisation:
        return open_
    amber = open_ | {Marking.AMBER, Marking.AMBER_STRICT}
    return amber | {Marking.RED} if role in RED_READERS else amber


def may_read_marking(role: Role, marking: Marking, *, own_organisation: bool) -> bool:
    """Whether a user of this role may read content with this marking."""
    return marking in readable_markings(role, own_organisation=own_organisation)


def sees_every_organisation(org_code: str, node_org: str) -> bool:
    """Whether an administrator or auditor of this organisation works on every organisation.

    Those of the organisation that runs the node do; those of a partner organisation manage and
    audit their own organisation only.
    """
    return org_code == node_org


def highest_marking(markings: set[Marking] | frozenset[Marking]) -> Marking | None:
    """The most restricted of some markings, or None when there are none."""
    ranked = [marking for marking in MARKING_ORDER if marking in markings]
    return ranked[-1] if ranked else None
