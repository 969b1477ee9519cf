"""``cawarn run``: the schedule runs what is due, twice raises nothing twice, and a task killed
half-way (started after it last finished, or a real run killed with SIGKILL) runs again on the
next start."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _task_rows(db: Path) -> dict[str, tuple[str | None, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT task, last_started_at, last_finished_at FROM schedule_tasks"
        ).fetchall()
    return {task: (started, finished) for task, started, finished in rows}


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.mark.slow
def test_kill_9_during_the_forecast_then_the_next_run_finishes(tmp_path: Path) -> None:
    """A real ``cawarn run`` killed with SIGKILL while its forecast task runs: the store keeps
    no half-written run, the next start runs the forecast and the scan again, and the alerts are
    the ones a clean run raises, each once."""
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    (home / "alert-rules.toml").write_text(RULES, encoding="utf-8")
    (home / "incoming").mkdir()
    shutil.copy(GED_SAMPLE, home / "incoming" / GED_SAMPLE.name)
    db = home / "cawarn.db"
    # The main model takes seconds on this panel: a wide window to kill in.
    env = {**os.environ, **ENV, "CAWARN_SCHEDULE_MODELS": '["hurdle"]'}
    env.pop("CAWARN_DEBUG", None)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cawarn", "--home", str(home), "--quiet", "run"],
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            if db.exists() and "forecast" in (rows := _task_rows(db)):
                started, finished = rows["forecast"]
                if started is not None and finished is None:
                    break
            assert time.monotonic() < deadline, "the forecast task never started"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    killed = _task_rows(db)
    assert killed["forecast"][1] is None and killed["ingest"][1] is not None
    assert "scan" not in killed
    events_before = _count(db, "events")
    assert events_before > 0
    assert _count(db, "forecast_runs") == 0  # the killed run left nothing half-written

    resumed = _run(home)
    assert resumed["ingest"]["status"] == "skipped" and resumed["panel"]["status"] == "skipped"
    assert resumed["forecast"]["status"] == "ok" and resumed["scan"]["status"] == "ok"
    raised = resumed["scan"]["new"]
    assert raised
    assert _count(db, "forecast_runs") == 1
    assert _count(db, "events") == events_before

    again = _run(home, "--all")
    assert again["ingest"]["events_new"] == 0
    assert again["scan"]["new"] == [] and again["scan"]["updated"] == []
    listed = json.loads(cawarn(home, "alerts", "list", "--json").stdout)
    assert sorted(a["id"] for a in listed) == sorted(raised)
