"""Telling UCDP GED versions apart, ranking revisions, and the official download URLs."""

from __future__ import annotations

import pytest

from cawarn.domain import InputError
from cawarn.sources.ucdp_ged import GedVersion, official_release_url
from cawarn.sources.ucdp_ged_version import resolve_version


@pytest.mark.parametrize(
    ("text", "kind", "number", "label"),
    [
        ("23.1", "ged", (23, 1), "23.1"),
        ("25.1", "ged", (25, 1), "25.1"),
        ("23.0.10", "candidate", (23, 0, 10), "23.0.10"),
        ("v23_0_3", "candidate", (23, 0, 3), "23.0.3"),
        ("23.01.23.12", "candidate", (23, 0, 12, 1), "23.01.23.12"),
    ],
)
def test_parse_explicit_versions(text: str, kind: str, number: tuple[int, ...], label: str) -> None:
    version = GedVersion.parse(text)
    assert (version.kind, version.number, version.label) == (kind, number, label)


@pytest.mark.parametrize("text", ["23", "23.0", "23.1.5", "23.0.13", "latest", "", "23.1a"])
def test_parse_refuses_non_versions(text: str) -> None:
    with pytest.raises(InputError, match="is not a UCDP GED version; pass --version"):
        GedVersion.parse(text)


@pytest.mark.parametrize(
    ("name", "label", "kind"),
    [
        ("ged231_sample_1000.csv", "23.1", "ged"),
        ("ged231-csv.zip", "23.1", "ged"),
        ("/data/ged251.csv", "25.1", "ged"),
        ("GEDEvent_v23_1.csv", "23.1", "ged"),
        ("GEDEvent_v23_0_10.csv", "23.0.10", "candidate"),
        ("GEDEvent_v23_01_23_12.csv", "23.01.23.12", "candidate"),
        ("https://ucdp.uu.se/downloads/ged/ged231-csv.zip", "23.1", "ged"),
        ("https://ucdp.uu.se/downloads/candidateged/GEDEvent_v25_0_10.csv", "25.0.10", "candidate"),
        ("https://ucdpapi.pcr.uu.se/api/gedevents/23.1?pagesize=1000", "23.1", "ged"),
        ("https://ucdp.uu.se/api/gedevents/24.0.3?pagesize=1000&page=2", "24.0.3", "candidate"),
        ("https://ucdp.uu.se/api/candidate/24.0.3?pagesize=10", "24.0.3", "candidate"),
    ],
)
def test_infer_from_names(name: str, label: str, kind: str) -> None:
    version = GedVersion.infer(name)
    assert version is not None
    assert (version.label, version.kind) == (label, kind)


@pytest.mark.parametrize(
    "name",
    ["events.csv", "export_2023.zip", "https://example.org/api/gedevents/?page=1", "page1.json"],
)
def test_infer_gives_none_when_the_name_does_not_tell(name: str) -> None:
    assert GedVersion.infer(name) is None


def test_rank_final_beats_any_candidate_then_higher_number() -> None:
    order = ["23.0.1", "23.0.10", "23.01.23.12", "24.0.1", "22.1", "23.1", "25.1"]
    ranked = sorted((GedVersion.parse(v) for v in order), key=lambda v: v.rank)
    assert [v.label for v in ranked] == order
    assert GedVersion.parse("22.1").rank > GedVersion.parse("26.0.5").rank


def test_unknown_version_asks_for_version_flag() -> None:
    with pytest.raises(InputError) as info:
        resolve_version(None, ["events.csv"], "events.csv")
    assert str(info.value) == (
        "cannot tell which UCDP GED version events.csv is; pass --version, e.g. --version 23.1"
        " for a yearly release or --version 23.0.10 for a Candidate release"
    )


def test_explicit_version_used_when_name_does_not_tell() -> None:
    assert resolve_version("23.0.10", ["events.csv"], "events.csv").label == "23.0.10"


def test_explicit_version_contradicting_name_is_refused() -> None:
    with pytest.raises(InputError, match=r"looks like UCDP GED 23\.0\.10 but --version 23\.1"):
        resolve_version("23.1", ["GEDEvent_v23_0_10.csv"], "GEDEvent_v23_0_10.csv")
    assert resolve_version("23.1", ["ged231-csv.zip"], "x").label == "23.1"


@pytest.mark.parametrize(
    ("version", "url"),
    [
        ("25.1", "https://ucdp.uu.se/downloads/ged/ged251-csv.zip"),
        ("23.1", "https://ucdp.uu.se/downloads/ged/ged231-csv.zip"),
        ("25.0.10", "https://ucdp.uu.se/downloads/candidateged/GEDEvent_v25_0_10.csv"),
        ("23.0.3", "https://ucdp.uu.se/downloads/candidateged/GEDEvent_v23_0_3.csv"),
        ("23.01.23.12", "https://ucdp.uu.se/downloads/candidateged/GEDEvent_v23_01_23_12.csv"),
    ],
)
def test_official_release_url(version: str, url: str) -> None:
    assert official_release_url(version) == url
    inferred = GedVersion.infer(url)
    assert inferred is not None and inferred == GedVersion.parse(version)
