"""``cawarn ingest ucdp-ged`` and friends as a user runs them: bad input gets one sentence."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.conftest import BOUNDARIES, GED_SAMPLE
from tests.ged_files import derive


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node with boundaries and the GED sample ingested."""
    home = tmp_path_factory.mktemp("node") / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0
    result = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(GED_SAMPLE))
    assert result.returncode == 0, result.stderr
    return home


def test_status_json_shape(home: Path) -> None:
    result = cawarn(home, "status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    events = status["events"]
    assert events["total"] == sum(events["by_country"].values())
    assert set(events["by_country"]) <= {"AFG", "KGZ", "TJK"}
    assert events["by_source"] == {"ucdp-ged": events["total"]}
    assert set(events["by_category"]) <= {"armed_clash", "attack_on_civilians"}
    assert status["quarantine"]["total"] + events["total"] == 138
    assert events["total"] == 138  # every region row of the sample is a sound event
    # Four district-level Afghan points lie a few km into the next province (e.g. event 301109,
    # "Zabul province", falls in Ghazni); they are counted and listed, not "corrected".
    assert events["admin1_disagreements"] == 4
    assert events["priogrid_mismatches"] == 0
    listed = cawarn(home, "events", "--admin1-disagrees", "--json")
    assert {json.loads(line)["source_event_id"] for line in listed.stdout.splitlines()} == {
        "414226",
        "438647",
        "301109",
        "166815",
    }
    assert status["batches"][0]["status"] == "committed"
    assert status["batches"][0]["rows_outside_region"] == 862
    assert {b["country"] for b in status["boundaries"]} == {
        "AFG",
        "KAZ",
        "KGZ",
        "TJK",
        "TKM",
        "UZB",
    }
    assert all(b["licence"] for b in status["boundaries"])


def test_quiet_silences_progress(home: Path, tmp_path: Path) -> None:
    loud = cawarn(home, "ingest", "ucdp-ged", str(GED_SAMPLE))
    quiet = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(GED_SAMPLE))
    assert loud.returncode == quiet.returncode == 0
    assert "UCDP GED 23.1" in loud.stderr  # the progress bar's label
    assert quiet.stderr == ""


def test_events_filters_and_exports(home: Path, tmp_path: Path) -> None:
    listed = cawarn(home, "events", "--country", "TJK", "--json", "--limit", "100")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 2 and {r["country"] for r in rows} == {"TJK"}
    dated = cawarn(
        home, "events", "--from", "2010-01", "--to", "2010-12", "--json", "--limit", "500"
    )
    assert all(
        r["date_start"].startswith("2010") for r in map(json.loads, dated.stdout.splitlines())
    )
    out = tmp_path / "events.csv"
    result = cawarn(home, "events", "export", "--format", "csv", "--hxl", "-o", str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("uid,source,source_event_id")
    assert lines[1].startswith("#event+id,#meta+source")
    geo = cawarn(home, "events", "export", "--format", "geojson", "--country", "KGZ")
    collection = json.loads(geo.stdout)
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["country"] == "KGZ"
    assert feature["properties"]["admin1"].startswith("KG-")


def test_quarantine_lists_reasons(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cawarn(home, "init").returncode == 0
    assert cawarn(home, "--quiet", "geo", "import", str(BOUNDARIES)).returncode == 0

    def spoil(row: dict[str, str]) -> dict[str, str] | None:
        if row["country_id"] != "700":
            return None
        if row["id"].endswith("1"):
            row["latitude"], row["longitude"] = row["longitude"], row["latitude"]
        elif row["id"].endswith("2"):
            row["date_end"] = "1901-01-01 00:00:00.000"
        return row

    bad = derive(GED_SAMPLE, tmp_path / "ged232.csv", spoil)
    ingested = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(bad))
    assert ingested.returncode == 0, ingested.stderr
    assert "quarantined" in ingested.stdout
    result = cawarn(home, "quarantine", "--json", "--limit", "1000")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    reasons = [row["reason"] for row in rows]
    assert any("appear swapped" in r for r in reasons)
    assert any("is before date_start" in r for r in reasons)
    for row in rows:
        assert row["batch_id"] >= 1 and row["row_number"] >= 1 and row["reason"]
        assert row["raw"]["id"] == row["source_event_id"]
        assert row["raw"].get("source_headline", "").startswith("[withheld") or not row["raw"].get(
            "source_headline"
        )
    table = cawarn(home, "quarantine")
    assert table.returncode == 0 and "quarantined rows" in table.stdout


def _bad(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("ged231.csv", b"", "empty"),
        ("ged231.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "UTF-8"),
        ("ged231.csv", b"id,year,country\n1,2020,Afghanistan\n", "lacks the columns"),
        ("ged231.csv", b"id;year\n" + b"\xff\xfe\xfa\n", "UTF-8"),
        ("ged231-csv.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00truncated", "zip"),
        ("notes.csv", GED_SAMPLE.read_bytes()[:2000], "--version"),
    ],
)
def test_bad_files_stop_with_one_sentence(
    home: Path, tmp_path: Path, name: str, content: bytes, expect: str
) -> None:
    line = one_sentence_error(
        cawarn(home, "ingest", "ucdp-ged", str(_bad(tmp_path, name, content)))
    )
    assert expect.lower() in line.lower()


def test_truncated_real_zip(home: Path, tmp_path: Path) -> None:
    whole = tmp_path / "ged231-csv.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(GED_SAMPLE, "GEDEvent_v23_1.csv")
    cut = _bad(tmp_path, "ged232-csv.zip", whole.read_bytes()[: whole.stat().st_size // 2])
    line = one_sentence_error(cawarn(home, "ingest", "ucdp-ged", str(cut)))
    assert "zip" in line.lower()
    ok = cawarn(home, "--quiet", "ingest", "ucdp-ged", str(whole))
    assert ok.returncode == 0, ok.stderr


def test_missing_file_and_uninitialised_home(tmp_path: Path) -> None:
    line = one_sentence_error(cawarn(tmp_path / "nohome", "status"))
    assert "cawarn init" in line
    home = tmp_path / "home"
    cawarn(home, "init")
    line = one_sentence_error(cawarn(home, "ingest", "ucdp-ged", str(tmp_path / "nope.csv")))
    assert "nope.csv" in line


def test_config_validate_names_each_mistake(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cawarn(home, "init")
    (home / "cawarn.toml").write_text('regoin = ["AFG"]\nsnap_tolerance_km = "far"\n')
    result = cawarn(home, "config", "validate")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "unknown key 'regoin'" in result.stderr
    assert "snap_tolerance_km" in result.stderr


def test_usage_mistakes_exit_2_without_traceback(home: Path) -> None:
    for args in (("events", "--limit", "many"), ("nosuch",), ("ingest", "ucdp-ged", "--bogus")):
        result = cawarn(home, *args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr
        assert "Error:" in result.stderr
