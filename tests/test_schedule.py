"""``cawarn run --once``: the schedule runs what is due, twice raises nothing twice, and a task
killed half-way (started after it last finished) runs again on the next start."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE

RULES = """
[[rule]]
name = "deadly"
kind = "deaths"
min_deaths = 1
"""
ENV = {
    "CAWARN_SCHEDULE_MINUTES": '{"ingest": 15, "panel": 60, "forecast": 60, "scan": 30}',
    "CAWARN_SCHEDULE_MODELS": '["mean60"]',
}


def _run(home: Path, *args: str) -> dict[str, dict]:  # type: ignore[type-arg]
    result = cawarn(home, "--quiet", "run", "--once", "--json", *args, env=ENV)
    assert result.returncode == 0, result.stderr
    return {t["task"]: t for t in json.loads(result.stdout)["tasks"]}


def test_run_once_twice_and_resume_after_a_kill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    (home / "alert-rules.toml").write_text(RULES, encoding="utf-8")
    (home / "incoming").mkdir()
    shutil.copy(GED_SAMPLE, home / "incoming" / GED_SAMPLE.name)

    first = _run(home)
    assert [t["status"] for t in first.values()] == ["ok"] * 5, first
    assert first["sync"]["message"] == "no peers" and first["sync"]["peers"] == 0
    assert first["ingest"]["events_new"] > 0
    raised = first["scan"]["new"]
    assert raised

    # Nothing is due a moment later.
    second = _run(home)
    assert {t["status"] for t in second.values()} == {"skipped"}

    # Every task again, now: the file is known, the alerts are the same ones.
    again = _run(home, "--all")
    assert again["ingest"]["events_new"] == 0
    assert again["scan"]["new"] == [] and again["scan"]["updated"] == []

    # A run killed during the scan: it started after it last finished, so it runs again.
    with sqlite3.connect(home / "cawarn.db") as db:
        db.execute(
            "UPDATE schedule_tasks SET last_started_at = datetime(last_finished_at, '+1 second') "
            "WHERE task = 'scan'"
        )
    resumed = _run(home)
    assert resumed["scan"]["status"] == "ok" and resumed["scan"]["new"] == []
    assert resumed["ingest"]["status"] == "skipped"
    listed = json.loads(cawarn(home, "alerts", "list", "--json").stdout)
    assert sorted(a["id"] for a in listed) == sorted(raised)


def test_a_bad_schedule_setting_is_one_sentence(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    env = {"CAWARN_SCHEDULE_MINUTES": '{"ingest": 15, "coffee": 5}'}
    result = cawarn(home, "run", "--once", env=env)
    assert "'coffee' are not tasks" in one_sentence_error(result)
