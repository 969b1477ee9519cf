"""What the API accepts and answers, as pydantic models (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cawarn.domain import Category, Marking
from cawarn.domain.access import OrgKind, Role


def _utc(value: dt.datetime) -> dt.datetime:
    # Every stored time is UTC; SQLite gives them back without their zone.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


#: A moment, always with its time zone (UTC) in answers.
UtcDateTime = Annotated[dt.datetime, AfterValidator(_utc)]


class Problem(BaseModel):
    """An error: one sentence saying what was wrong and what to do."""

    detail: str | list[dict[str, Any]] = Field(
        description="One sentence, or (for a malformed request) the list of what was wrong."
    )


#: Error answers every authenticated route may give.
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "The request's values are not usable."},
    401: {"model": Problem, "description": "Not authenticated."},
    403: {"model": Problem, "description": "Read-only key on a write, or CSRF token missing."},
    404: {"model": Problem, "description": "Not found, or not visible to the caller."},
}


class Organisation(BaseModel):
    """An organisation of the network."""

    code: str
    title: str
    kind: OrgKind


class OrganisationIn(BaseModel):
    """A new organisation."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")
    title: str = Field(min_length=1, max_length=300)
    kind: OrgKind


class User(BaseModel):
    """A user account: username, organisation and role, nothing about the person."""

    username: str
    organisation: str
    role: Role
    active: bool
    totp_enabled: bool
    created_at: UtcDateTime


class UserIn(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    organisation: str = Field(min_length=1, max_length=100)
    role: Role
    password: str = Field(min_length=12, max_length=1024)


class UserPatch(BaseModel):
    """Changes to a user: a new role, or deactivating / reactivating the account."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    active: bool | None = None


class Me(BaseModel):
    """The caller."""

    user: User
    authenticated_by: str = Field(description="apikey or session")
    read_only: bool


class LoginIn(BaseModel):
    """A login: username, password, and the TOTP code once a second factor is enrolled."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(default=None, max_length=10)


class LoginOut(BaseModel):
    """A started session; send csrf_token as X-CSRF-Token with every change."""

    user: User
    csrf_token: str
    expires_in: int = Field(description="Seconds the session lasts.")


class PasswordChange(BaseModel):
    """A new password, with the current one."""

    model_config = ConfigDict(extra="forbid")

    current: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=12, max_length=1024)


class ApiKey(BaseModel):
    """An API key as listed: its prefix and state, never the key."""

    prefix: str
    read_only: bool
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None


class ApiKeyIn(BaseModel):
    """A new key for oneself."""

    model_config = ConfigDict(extra="forbid")

    read_only: bool = False
    expires_in_days: int | None = Field(
        default=90, ge=1, le=3650, description="null for a key that never expires"
    )


class ApiKeyCreated(ApiKey):
    """A new key: ``key`` is shown only in this answer."""

    key: str


class TotpStart(BaseModel):
    """A second-factor enrolment under way: the secret, also as an otpauth URI for a QR code."""

    secret: str
    otpauth_uri: str


class TotpCode(BaseModel):
    """A code from the authenticator."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=10)


class Event(BaseModel):
    """The current revision of an event."""

    uid: str
    source: str
    source_event_id: str
    revision: int
    source_version: str | None
    source_dataset: str | None
    date_start: dt.date
    date_end: dt.date
    date_precision: str
    country: str
    admin1: str | None
    admin1_method: str | None
    admin1_agrees: bool | None
    latitude: float | None
    longitude: float | None
    geo_precision: str
    priogrid_gid: int | None
    category: Category
    actor1: str | None
    actor2: str | None
    fatalities_best: int | None
    fatalities_low: int | None
    fatalities_high: int | None
    summary: str | None
    source_ref: str | None
    marking: Marking
    owner_org: str


class EventPage(BaseModel):
    """One page of events, oldest first."""

    items: list[Event]
    page: int
    per_page: int
    total: int = Field(
        description="Every match of the filter. Counted once per filter and role, and kept "
        "until events are added or revised (at most a minute)."
    )
    next_page: int | None


class Unit(BaseModel):
    """An admin-1 unit."""

    code: str
    country: str
    name_en: str
    name_ru: str


class Panel(BaseModel):
    """A unit-month panel build."""

    id: int
    label: str | None
    level: str
    built_at: UtcDateTime
    first_month_id: int
    last_month_id: int
    units: int
    rows: int
    synthetic: bool
    feature_version: str
    sha256: str


class PanelDetail(Panel):
    """A panel build with its columns and sources."""

    columns: Any
    sources: Any
    events_used: int


class AuditRow(BaseModel):
    """One row of the audit log."""

    id: int
    at: UtcDateTime
    actor: str
    org: str | None
    action: str
    object_type: str | None
    object_id: str | None
    marking: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str
