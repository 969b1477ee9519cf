"""Flash rules: single events that need eyes at once, whatever the statistics say.

Rules live in a TOML file (``alert-rules.toml`` in the node home, or the ``alert_rules`` setting)::

    [[rule]]
    name = "mass-casualty"
    kind = "deaths"            # one violent event with at least min_deaths deaths
    min_deaths = 10
    severity = "high"

    [[rule]]
    name = "border-clash"
    kind = "border_clash"      # an armed clash within max_km of an international border
    max_km = 15
    countries = ["TJK", "KGZ"] # optional: only events in these countries
    severity = "high"

    [[rule]]
    name = "civilians-sughd"
    kind = "civilian_attack"   # an attack on civilians in a watched unit
    units = ["TJ-SU"]
    severity = "critical"

    [deadlines.high]           # optional, per severity (low, medium, high, critical)
    acknowledge_hours = 4
    assess_hours = 12
    respond_hours = 48

Protest never triggers a rule (DESIGN principle 2): the rules only look at violent categories.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cawarn.alerts.candidates import Candidate
from cawarn.alerts.series import EventRecord
from cawarn.domain import Category, ConfigError
from cawarn.domain.alerts import DEFAULT_DEADLINES, Deadlines, Severity

RULES_FILE = "alert-rules.toml"
_ISO3 = re.compile(r"^[A-Z]{3}$")

#: Distance in km from a point (latitude, longitude) to the nearest international border.
BorderDistance = Callable[[float, float], float]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    severity: Severity = Severity.HIGH
    countries: list[str] = Field(default_factory=list)

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not _ISO3.match(code)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))} are not ISO3 codes such as 'TJK'")
        return value

    def applies_to(self, event: EventRecord) -> bool:
        """Whether the event is violent and in one of the rule's countries (if any)."""
        return event.violent and (not self.countries or event.country in self.countries)


class DeathsRule(_Rule):
    """One violent event with at least ``min_deaths`` deaths (best estimate)."""

    kind: Literal["deaths"]
    min_deaths: int = Field(ge=1, le=100_000)

    def matches(self, event: EventRecord, border: BorderDistance | None) -> bool:
        """Whether this event triggers the rule."""
        return self.applies_to(event) and event.deaths >= self.min_deaths


class BorderClashRule(_Rule):
    """An armed clash within ``max_km`` of an international border."""

    kind: Literal["border_clash"]
    max_km: float = Field(ge=0, le=500)

    def matches(self, event: EventRecord, border: BorderDistance | None) -> bool:
        """Whether this event triggers the rule (needs the border distance)."""
        if not self.applies_to(event) or event.category != Category.ARMED_CLASH:
            return False
        if border is None or event.latitude is None or event.longitude is None:
            return False
        return border(event.latitude, event.longitude) <= self.max_km


class CivilianAttackRule(_Rule):
    """An attack on civilians in one of the watched ``units`` (admin-1 codes)."""

    kind: Literal["civilian_attack"]
    units: list[str] = Field(min_length=1)

    def matches(self, event: EventRecord, border: BorderDistance | None) -> bool:
        """Whether this event triggers the rule."""
        return (
            self.applies_to(event)
            and event.category == Category.ATTACK_ON_CIVILIANS
            and event.unit in self.units
        )


Rule = Annotated[DeathsRule | BorderClashRule | CivilianAttackRule, Field(discriminator="kind")]


class DeadlineHours(BaseModel):
    """Hours each step of an alert of one severity may take (see cawarn.domain.alerts)."""

    model_config = ConfigDict(extra="forbid")

    acknowledge_hours: float = Field(gt=0, le=24 * 90)
    assess_hours: float = Field(gt=0, le=24 * 90)
    respond_hours: float = Field(gt=0, le=24 * 365)


class RulesFile(BaseModel):
    """The whole rules file: ``[[rule]]`` tables with unique names, and ``[deadlines.<sev>]``."""

    model_config = ConfigDict(extra="forbid")

    rule: list[Rule] = Field(default_factory=list)
    deadlines: dict[Severity, DeadlineHours] = Field(default_factory=dict)

    def deadline_policy(self) -> dict[Severity, Deadlines]:
        """The deadlines per severity: the file's, else the defaults."""
        policy = dict(DEFAULT_DEADLINES)
        for severity, hours in self.deadlines.items():
            policy[severity] = Deadlines(
                dt.timedelta(hours=hours.acknowledge_hours),
                dt.timedelta(hours=hours.assess_hours),
                dt.timedelta(hours=hours.respond_hours),
            )
        return policy

    @field_validator("rule")
    @classmethod
    def _unique(cls, value: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for rule in value:
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}; give each a unique name")
            seen.add(rule.name)
        return value


_KINDS = "deaths, border_clash, civilian_attack"
_FIELDS: dict[str, type[BaseModel]] = {
    "deaths": DeathsRule,
    "border_clash": BorderClashRule,
    "civilian_attack": CivilianAttackRule,
}


def read_rules(path: Path) -> RulesFile:
    """Read and check a rules file; a ConfigError names every mistake on its own line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"There is no alert rules file at {path}.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"Cannot read the alert rules file {path}: {err}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}.") from None
    try:
        return RulesFile.model_validate(data)
    except ValidationError as err:
        raise ConfigError(describe_rule_errors(path, data, err)) from None


def describe_rule_errors(path: Path, data: dict[str, Any], err: ValidationError) -> str:
    """One line per mistake: the file, the rule (number and name), the key, what to do."""
    lines = []
    found = data.get("rule")
    rules: list[Any] = found if isinstance(found, list) else []
    for problem in err.errors():
        loc = list(problem["loc"])
        kind = problem["type"]
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not loc or loc[0] != "rule":
            key = ".".join(str(part) for part in loc if part != "[key]") or "(file)"
            if kind == "extra_forbidden":
                lines.append(
                    f"{path}: unknown key '{key}'; the file holds [[rule]] and "
                    "[deadlines.<severity>] tables."
                )
            elif kind == "missing":
                lines.append(f"{path}: '{key}' is missing; add it (a number of hours).")
            else:
                got = f" (got {problem['input']!r})" if "input" in problem else ""
                lines.append(f"{path}: '{key}': {message}{got}.")
            continue
        if len(loc) < 2 or not isinstance(loc[1], int):
            lines.append(f"{path}: 'rule': {message}; write each rule as a [[rule]] table.")
            continue
        index = loc[1]
        raw = rules[index] if index < len(rules) and isinstance(rules[index], dict) else {}
        name = raw.get("name")
        where = f"{path}: rule {index + 1}" + (f" ({name!r})" if name else "")
        rest = [str(part) for part in loc[2:] if str(part) not in _FIELDS]
        key = ".".join(rest)
        if kind == "union_tag_not_found":
            lines.append(f"{where}: 'kind' is missing; set kind to one of {_KINDS}.")
        elif kind == "union_tag_invalid":
            lines.append(
                f"{where}: kind {raw.get('kind')!r} is not a rule kind; use one of {_KINDS}."
            )
        elif kind == "extra_forbidden":
            known = ", ".join(_FIELDS[str(raw.get("kind"))].model_fields)
            lines.append(f"{where}: unknown key '{key}' (a {raw.get('kind')} rule has: {known}).")
        elif kind == "missing":
            lines.append(f"{where}: '{key}' is missing; a {raw.get('kind')} rule needs it.")
        else:
            got = f" (got {problem.get('input')!r})" if "input" in problem else ""
            lines.append(f"{where}: '{key}': {message}{got}.")
    return "\n".join(lines)


def apply_rules(
    events: Sequence[EventRecord],
    rules: RulesFile,
    *,
    border: BorderDistance | None = None,
) -> list[Candidate]:
    """A candidate alert for every event that matches a rule, with the rule as its evidence."""
    needs_border = any(isinstance(r, BorderClashRule) for r in rules.rule)
    if needs_border and border is None:
        raise ConfigError(
            "A border_clash rule needs the international borders: load the admin-1 boundaries "
            "of the region ('cawarn geo fetch' or 'cawarn geo import DIR')."
        )
    out = []
    for event in events:
        for rule in rules.rule:
            if not rule.matches(event, border):
                continue
            params = rule.model_dump(mode="json", exclude={"name", "severity"})
            observed = float(event.deaths)
            threshold = float(getattr(rule, "min_deaths", getattr(rule, "max_km", 1)))
            if isinstance(rule, BorderClashRule) and border is not None:
                assert event.latitude is not None and event.longitude is not None
                observed = border(event.latitude, event.longitude)
            out.append(
                Candidate(
                    detector="flash",
                    rule=rule.name,
                    unit=event.unit,
                    day=event.day,
                    severity=rule.severity,
                    observed=observed,
                    expected=float("nan"),
                    threshold=threshold,
                    score=observed,
                    params=params,
                    model_version="rules",
                    event_ids=(event.event_id,),
                    period_start=event.day,
                )
            )
    return out
