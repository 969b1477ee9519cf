"""``cawarn alerts scan|list|show|ack|assess|escalate|respond|close|metrics`` as a duty desk runs
them on a node with the GED sample: a second scan raises nothing; refusals are one sentence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE

PASSWORD = "a long and unguessable passphrase"
RULES = """
[[rule]]
name = "deadly"
kind = "deaths"
min_deaths = 1
severity = "high"
"""


def _user(home: Path, username: str, role: str) -> None:
    args = ("--username", username, "--role", role, "--password-stdin")
    result = subprocess.run(
        [sys.executable, "-m", "cawarn", "--home", str(home), "user", "create", *args],
        input=PASSWORD,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node of NODE with boundaries, the GED sample, a flash rule and three users."""
    home = tmp_path_factory.mktemp("node") / "home"
    assert cawarn(home, "init", "--organisation", "NODE").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    result = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(GED_SAMPLE))
    assert result.returncode == 0, result.stderr
    (home / "alert-rules.toml").write_text(RULES, encoding="utf-8")
    assert cawarn(home, "org", "create", "NODE", "--title", "The node").returncode == 0
    _user(home, "node.duty", "duty_officer")
    _user(home, "node.analyst", "analyst")
    _user(home, "node.reporter", "reporter")
    return home


def test_scan_twice_then_answer_an_alert(home: Path) -> None:
    first = cawarn(home, "alerts", "scan", "--json")
    assert first.returncode == 0, first.stderr
    scanned = json.loads(first.stdout)
    assert scanned["new"], scanned
    again = json.loads(cawarn(home, "alerts", "scan", "--json").stdout)
    assert again["new"] == [] and again["updated"] == []
    assert again["as_of"] == scanned["as_of"]

    listed = json.loads(cawarn(home, "alerts", "list", "--json").stdout)
    assert sorted(a["id"] for a in listed) == sorted(scanned["new"])
    assert all(a["state"] == "new" for a in listed)
    ranks = {"critical": 3, "high": 2, "medium": 1, "low": 0}
    severities = [ranks[a["severity"]] for a in listed]
    assert severities == sorted(severities, reverse=True)
    flash = next(a for a in listed if a["detector"] == "flash")
    alert = str(flash["id"])

    shown = json.loads(cawarn(home, "alerts", "show", alert, "--json").stdout)
    trigger = shown["evidence"]["triggers"][0]
    assert trigger["rule"] == "deadly" and trigger["events"]
    assert shown["evidence"]["events"]

    refused = one_sentence_error(cawarn(home, "alerts", "ack", alert, "--user", "node.reporter"))
    assert "reporter and may not acknowledge" in refused
    early = one_sentence_error(cawarn(home, "alerts", "close", alert, "--user", "node.duty"))
    assert "is new and cannot become closed" in early
    unknown = one_sentence_error(cawarn(home, "alerts", "ack", "99999", "--user", "node.duty"))
    assert "There is no alert 99999" in unknown
    nobody = one_sentence_error(cawarn(home, "alerts", "ack", alert, "--user", "ghost"))
    assert "no active user 'ghost'" in nobody

    steps = [
        ("ack", alert, "--user", "node.duty"),
        (
            "assess",
            alert,
            "--user",
            "node.analyst",
            "--text",
            "Clan feud.",
            "--confidence",
            "medium",
        ),
        ("escalate", alert, "--user", "node.analyst", "--reason", "Spreading."),
        ("respond", alert, "--user", "node.duty", "--text", "Patrols doubled."),
        ("close", alert, "--user", "node.duty"),
    ]
    for args in steps:
        result = cawarn(home, "alerts", *args)
        assert result.returncode == 0, result.stderr
    shown = json.loads(cawarn(home, "alerts", "show", alert, "--json").stdout)
    assert shown["state"] == "closed" and shown["assignee"] == "node.duty"
    assert [t["to_state"] for t in shown["transitions"]] == [
        "acknowledged",
        "assessed",
        "escalated",
        "responded",
        "closed",
    ]
    table = cawarn(home, "alerts", "show", alert)
    assert "Clan feud." in table.stdout and "node.analyst" in table.stdout

    metrics = json.loads(cawarn(home, "alerts", "metrics", "--json").stdout)["NODE"]
    assert metrics["alerts"] == len(listed)
    assert metrics["acknowledged"] == 1 and metrics["responded"] == 1
    assert metrics["open"] == len(listed) - 1
    closed = json.loads(cawarn(home, "alerts", "list", "--state", "closed", "--json").stdout)
    assert [a["id"] for a in closed] == [flash["id"]]
    bad = one_sentence_error(cawarn(home, "alerts", "list", "--state", "done"))
    assert "not a state" in bad
    bad_day = one_sentence_error(cawarn(home, "alerts", "scan", "--as-of", "2020-13-01"))
    assert "is not a day" in bad_day
    # A third scan after the alert was closed still raises nothing new.
    third = json.loads(cawarn(home, "alerts", "scan", "--json").stdout)
    assert third["new"] == []
