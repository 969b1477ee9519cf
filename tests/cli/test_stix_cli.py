"""``cawarn stix export`` and ``cawarn stix import`` as a user runs them, node to node."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cawarn.config import Settings
from cawarn.network.stix.ids import identity_id
from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE


@pytest.fixture(scope="module")
def exporter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node of organisation KGZ (SQLite) holding the GED sample."""
    home = tmp_path_factory.mktemp("kgz") / "home"
    env = {"CAWARN_ORGANISATION": "KGZ"}
    assert cawarn(home, "init", env=env).returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES), env=env).returncode == 0
    result = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(GED_SAMPLE), env=env)
    assert result.returncode == 0, result.stderr
    return home


def _env(settings: Settings) -> dict[str, str]:
    env = {"CAWARN_ORGANISATION": "TJK"}
    if settings.database_url:
        env["CAWARN_DATABASE_URL"] = settings.database_url
        env["CAWARN_DATABASE_SCHEMA"] = settings.database_schema or ""
    return env


def test_export_filters_and_validates(exporter: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    result = cawarn(exporter, "stix", "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Wrote 138 events" in result.stdout
    bundle = json.loads(out.read_text())
    incidents = [o for o in bundle["objects"] if o["type"] == "incident"]
    assert len(incidents) == 138
    assert {o["created_by_ref"] for o in incidents} == {identity_id("KGZ")}
    again = tmp_path / "again.json"
    assert cawarn(exporter, "stix", "export", "--out", str(again)).returncode == 0
    assert again.read_bytes() == out.read_bytes()
    tjk = tmp_path / "tjk.json"
    result = cawarn(
        exporter, "stix", "export", "-c", "TJK", "--since", "1989-01-01", "--out", str(tjk)
    )
    assert result.returncode == 0, result.stderr
    kept = [o for o in json.loads(tjk.read_text())["objects"] if o["type"] == "location"]
    assert kept and {o["country"] for o in kept} == {"TJ"}
    later = cawarn(exporter, "stix", "export", "--since", "2100-01-01", "--out", str(tjk))
    assert "Wrote 0 events" in later.stdout


def test_export_refuses_an_unknown_marking(exporter: Path, tmp_path: Path) -> None:
    result = cawarn(
        exporter, "stix", "export", "--max-marking", "PURPLE", "--out", str(tmp_path / "x")
    )
    assert "--max-marking 'PURPLE' is not one of" in one_sentence_error(result)


@pytest.fixture(scope="module")
def bundle(exporter: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "kgz.json"
    assert cawarn(exporter, "stix", "export", "--out", str(out)).returncode == 0
    return out


def test_import_on_another_node(backend: Settings, bundle: Path, tmp_path: Path) -> None:
    home, env = backend.home, _env(backend)
    assert cawarn(home, "init", env=env).returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES), env=env).returncode == 0
    result = cawarn(home, "--quiet", "stix", "import", str(bundle), env=env)
    assert result.returncode == 0, result.stderr
    assert "138 new events" in result.stdout and "0 quarantined" in result.stdout
    rerun = cawarn(home, "--quiet", "stix", "import", str(bundle), env=env)
    assert "is the same file as batch" in rerun.stdout
    listed = cawarn(home, "events", "--json", "--limit", "500", env=env)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 138 and {r["source"] for r in rows} == {"stix"}
    # A broken copy: its objects land in quarantine with the reason, nothing is stored twice.
    data = json.loads(bundle.read_text())
    for obj in data["objects"]:
        if obj["type"] == "incident":
            obj["modified"] = "2001-01-01T00:00:00.000Z"  # before its created time
            break
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = cawarn(home, "--quiet", "stix", "import", str(broken), env=env)
    assert result.returncode == 0, result.stderr
    assert "1 quarantined" in result.stdout and "137 unchanged" in result.stdout
    shown = cawarn(home, "quarantine", "--json", env=env)
    (row,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert "must be later than or equal to" in row["reason"]
    assert row["raw"]["object"]["modified"] == "2001-01-01T00:00:00.000Z"
