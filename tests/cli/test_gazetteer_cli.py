"""``cawarn geo gazetteer``: import a local GeoNames file, search it, and fail in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import cawarn, one_sentence_error
from tests.geo.test_gazetteer import SAMPLE


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A node with the sample gazetteer imported."""
    home = tmp_path_factory.mktemp("node") / "home"
    assert cawarn(home, "init").returncode == 0
    result = cawarn(home, "geo", "gazetteer", "import", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert "KGZ: 5 places — GeoNames (https://www.geonames.org), CC BY 4.0" in result.stdout
    assert "1 features that are not places or admin areas, 1 outside" in result.stderr
    return home


def test_search_in_russian(home: Path) -> None:
    result = cawarn(home, "geo", "gazetteer", "search", "Хорог")
    assert result.returncode == 0, result.stderr
    assert "Khorugh" in result.stdout and "1221194" in result.stdout


def test_search_finds_nothing_politely(home: Path) -> None:
    result = cawarn(home, "geo", "gazetteer", "search", "Кашгар")
    assert result.returncode == 0
    assert "No place of the region starts with 'Кашгар'." in result.stdout


def test_download_without_internet_fails_in_one_sentence(home: Path) -> None:
    result = cawarn(
        home,
        "--quiet",
        "geo",
        "gazetteer",
        "download",
        "--countries",
        "KG,TJ",
        env={"CAWARN_GEONAMES_URL": "http://127.0.0.1:9/export/dump"},
    )
    line = one_sentence_error(result)
    assert "Could not download http://127.0.0.1:9/export/dump/KG.zip" in line
    assert "cawarn geo gazetteer import FILE" in line


def test_download_of_an_unknown_country_fails_in_one_sentence(home: Path) -> None:
    line = one_sentence_error(cawarn(home, "geo", "gazetteer", "download", "--countries", "XX"))
    assert "'XX' is not a country the gazetteer knows" in line


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("KG.txt", None, "There is no file"),
        ("KG.txt", "Bishkek\t42.87\n", "has 2 tab-separated columns, not the 19"),
        ("KG.zip", "plain text", "is not a readable zip file"),
    ],
)
def test_import_of_a_bad_file_fails_in_one_sentence(
    home: Path, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    line = one_sentence_error(cawarn(home, "geo", "gazetteer", "import", str(path)))
    assert message in line
