"""Flash rules: what triggers them, and one clear line per mistake in the rules file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shapely

from cawarn.alerts.borders import BorderIndex
from cawarn.alerts.rules import apply_rules, read_rules
from cawarn.alerts.series import EventRecord
from cawarn.domain import Category, ConfigError
from cawarn.domain.alerts import Severity
from tests.cli.helpers import cawarn

GOOD = """
[[rule]]
name = "mass-casualty"
kind = "deaths"
min_deaths = 10
severity = "high"

[[rule]]
name = "border-clash"
kind = "border_clash"
max_km = 20
countries = ["TJK"]

[[rule]]
name = "civilians-sughd"
kind = "civilian_attack"
units = ["TJ-SU"]
severity = "critical"

[deadlines.high]
acknowledge_hours = 2
assess_hours = 6
respond_hours = 24
"""


def event(
    category: Category = Category.ARMED_CLASH,
    deaths: int = 1,
    unit: str = "TJ-SU",
    country: str = "TJK",
    lat: float = 40.5,
    lon: float = 69.0,
) -> EventRecord:
    return EventRecord("e1", dt.date(2024, 5, 1), unit, country, category, deaths, lat, lon)


@pytest.fixture
def borders() -> BorderIndex:
    # Two neighbours along longitude 70: TJK to the west, KGZ to the east.
    return BorderIndex(
        {"TJK": shapely.box(67.0, 39.0, 70.0, 41.0), "KGZ": shapely.box(70.0, 39.0, 73.0, 41.0)}
    )


def test_border_distance_in_km(borders: BorderIndex) -> None:
    # One degree of longitude at 40°N is about 85 km.
    assert borders.distance_km(40.0, 69.0) == pytest.approx(85.3, rel=0.02)
    assert borders.distance_km(40.0, 69.9) == pytest.approx(8.5, rel=0.03)
    assert borders.country_of(40.0, 71.0) == "KGZ"


def test_rules_trigger_on_the_right_events(tmp_path: Path, borders: BorderIndex) -> None:
    path = tmp_path / "alert-rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    rules = read_rules(path)
    events = [
        event(deaths=12),  # mass casualty (and attack-free, far from the border)
        event(Category.PROTEST, deaths=30),  # protest never triggers
        event(Category.RIOT, deaths=15),  # nor riot
        event(deaths=1, lon=69.9),  # a clash 8 km from the border
        event(Category.ATTACK_ON_CIVILIANS, deaths=0, lon=69.9),  # civilians in TJ-SU
        event(deaths=1, lon=69.9, unit="KG-O", country="KGZ", lat=40.0),  # not TJK: no rule
        event(Category.ATTACK_ON_CIVILIANS, deaths=2, unit="TJ-KHA"),  # unit not watched
    ]
    events = [
        EventRecord(f"e{i}", e.day, e.unit, e.country, e.category, e.deaths, e.latitude,
                    e.longitude)
        for i, e in enumerate(events)
    ]  # fmt: skip
    found = apply_rules(events, rules, border=borders)
    assert [(c.rule, c.event_ids) for c in found] == [
        ("mass-casualty", ("e0",)),
        ("border-clash", ("e3",)),
        ("civilians-sughd", ("e4",)),
    ]
    clash = found[1]
    assert clash.observed == pytest.approx(8.5, rel=0.03)  # km from the border, as evidence
    assert clash.threshold == 20
    assert found[2].severity is Severity.CRITICAL
    assert found[0].evidence()["params"] == {"countries": [], "kind": "deaths", "min_deaths": 10}
    policy = rules.deadline_policy()
    assert policy[Severity.HIGH].acknowledge == dt.timedelta(hours=2)
    assert policy[Severity.LOW].acknowledge == dt.timedelta(hours=72)  # the default stays


def test_a_border_rule_without_borders_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError, match="needs the international borders"):
        apply_rules([event()], read_rules(path), border=None)


BAD = """
[[rule]]
name = "mass"
kind = "deaths"
min_deaths = 0

[[rule]]
name = "border"
kind = "border_clash"
max_km = 10
radius = 5

[[rule]]
name = "civ"
kind = "civilian_attacks"

[[rule]]
kind = "deaths"
min_deaths = 5
severity = "urgent"

[[rule]]
name = "units-missing"
kind = "civilian_attack"

[deadlines.high]
acknowledge_hours = -1
assess_hours = 2
"""


def test_every_mistake_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "alert-rules.toml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_rules(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: rule 1 ('mass'): 'min_deaths': Input should be greater than or equal to 1 "
        "(got 0).",
        f"{path}: rule 2 ('border'): unknown key 'radius' (a border_clash rule has: name, "
        "severity, countries, kind, max_km).",
        f"{path}: rule 3 ('civ'): kind 'civilian_attacks' is not a rule kind; use one of deaths, "
        "border_clash, civilian_attack.",
        f"{path}: rule 4: 'name' is missing; a deaths rule needs it.",
        f"{path}: rule 4: 'severity': Input should be 'low', 'medium', 'high' or 'critical' "
        "(got 'urgent').",
        f"{path}: rule 5 ('units-missing'): 'units' is missing; a civilian_attack rule needs it.",
        f"{path}: 'deadlines.high.acknowledge_hours': Input should be greater than 0 (got -1).",
        f"{path}: 'deadlines.high.respond_hours' is missing; add it (a number of hours).",
    ]


def test_duplicate_names_and_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        '[[rule]]\nname = "a"\nkind = "deaths"\nmin_deaths = 3\n'
        '[[rule]]\nname = "a"\nkind = "deaths"\nmin_deaths = 5\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="two rules are named 'a'"):
        read_rules(path)
    path.write_text("[[rule]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        read_rules(path)


def test_config_validate_checks_the_rules_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cawarn(home, "init", "--organisation", "Test").returncode == 0
    (home / "alert-rules.toml").write_text(GOOD, encoding="utf-8")
    ok = cawarn(home, "config", "validate")
    assert ok.returncode == 0, ok.stderr
    assert "alert-rules.toml is valid" in ok.stdout
    (home / "alert-rules.toml").write_text(BAD, encoding="utf-8")
    bad = cawarn(home, "config", "validate")
    assert bad.returncode == 3
    assert "Traceback" not in bad.stderr
    lines = bad.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and "rule 1 ('mass')" in lines[0]
    assert len(lines) == 8
    # The path can be set in the config file, and --rules checks another file.
    other = tmp_path / "rules.toml"
    other.write_text(GOOD, encoding="utf-8")
    with (home / "cawarn.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'alert_rules = "{other}"\n')
    assert cawarn(home, "config", "validate").returncode == 0
    assert (
        cawarn(home, "config", "validate", "--rules", str(home / "alert-rules.toml")).returncode
        == 3
    )
