"""Which UCDP GED release a file is: yearly (final) or monthly Candidate, and where to get it.

Release names, as published on https://ucdp.uu.se/downloads/ (checked against public scripts that
download them):

- yearly GED ``23.1``: ``https://ucdp.uu.se/downloads/ged/ged231-csv.zip``, a zip holding
  ``GEDEvent_v23_1.csv``;
- monthly Candidate ``23.0.10`` (October 2023): ``https://ucdp.uu.se/downloads/candidateged/
  GEDEvent_v23_0_10.csv``;
- cumulative Candidate files such as ``GEDEvent_v23_01_23_12.csv`` (January-December 2023), label
  ``23.01.23.12``; they rank just above the monthly Candidate of their last month;
- the API: ``https://ucdpapi.pcr.uu.se/api/gedevents/23.1?pagesize=1000`` (also served under
  ``https://ucdp.uu.se/api/...``), the version being the path segment after the resource name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from cawarn.domain import InputError

DOWNLOADS = "https://ucdp.uu.se/downloads"
_HINT = (
    "pass --version, e.g. --version 23.1 for a yearly release"
    " or --version 23.0.10 for a Candidate release"
)

_EXPLICIT = re.compile(r"^v?(\d{1,3}(?:[._]\d{1,3}){1,3})$", re.IGNORECASE)
_YEARLY_NAME = re.compile(r"(?:^|[^a-z])ged(\d{2})(\d)(?!\d)", re.IGNORECASE)
_EVENT_NAME = re.compile(r"gedevent_v(\d{1,3}(?:_\d{1,3}){1,3})(?!\d)", re.IGNORECASE)

Kind = Literal["ged", "candidate"]


@dataclass(frozen=True, slots=True)
class GedVersion:
    """A UCDP GED release: ``kind`` "ged" (yearly, final) or "candidate" (monthly, provisional)."""

    kind: Kind
    number: tuple[int, ...]
    label: str

    @property
    def rank(self) -> tuple[int, tuple[int, ...]]:
        """Order of revisions: any final release outranks any Candidate, then the higher number."""
        return (1 if self.kind == "ged" else 0, self.number)

    @classmethod
    def parse(cls, text: str) -> GedVersion:
        """Parse "23.1" (yearly), "23.0.10" (Candidate) or "23.01.23.12" (cumulative Candidate)."""
        match = _EXPLICIT.match(text.strip())
        if match is None:
            raise InputError(f"{text!r} is not a UCDP GED version; {_HINT}")
        return cls._from_parts(re.split(r"[._]", match.group(1)), text)

    @classmethod
    def _from_parts(cls, parts: list[str], text: str) -> GedVersion:
        nums = tuple(int(p) for p in parts)
        if len(nums) == 2 and nums[1] >= 1:
            return cls("ged", nums, f"{nums[0]}.{nums[1]}")
        if len(nums) == 3 and nums[1] == 0 and 1 <= nums[2] <= 12:
            return cls("candidate", nums, ".".join(str(n) for n in nums))
        if len(nums) == 4 and nums[0] == nums[2] and 1 <= nums[1] <= nums[3] <= 12:
            label = f"{nums[0]}.{nums[1]:02d}.{nums[2]}.{nums[3]:02d}"
            return cls("candidate", (nums[0], 0, nums[3], 1), label)
        raise InputError(f"{text!r} is not a UCDP GED version; {_HINT}")

    @classmethod
    def infer(cls, name: str) -> GedVersion | None:
        """Tell the version from a file name, a download URL or an API URL; None if it cannot."""
        if "://" in name:
            path = unquote(urlsplit(name).path)
            segments = [s for s in path.split("/") if s]
            if "api" in segments:
                at = segments.index("api")
                for seg in segments[at + 2 : at + 3]:
                    if _EXPLICIT.match(seg):
                        return cls.parse(seg)
                return None
            name = segments[-1] if segments else ""
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        match = _EVENT_NAME.search(base)
        if match:
            try:
                return cls._from_parts(match.group(1).split("_"), base)
            except InputError:
                return None
        match = _YEARLY_NAME.search(base)
        if match and int(match.group(2)) >= 1:
            return cls("ged", (int(match.group(1)), int(match.group(2))), match.expand(r"\1.\2"))
        return None


def resolve_version(given: str | None, names: list[str], shown: str) -> GedVersion:
    """The version given explicitly, else inferred from the first name that tells it.

    An explicit version that contradicts the name is refused: marking Candidate data as final (or
    the reverse) would decide which revision of an event wins.
    """
    inferred = next((v for v in (GedVersion.infer(n) for n in names if n) if v is not None), None)
    if given is None:
        if inferred is None:
            raise InputError(f"cannot tell which UCDP GED version {shown} is; {_HINT}")
        return inferred
    version = GedVersion.parse(given)
    if inferred is not None and inferred != version:
        raise InputError(
            f"{shown} looks like UCDP GED {inferred.label} but --version {version.label} was given;"
            " pass the matching version or rename the file"
        )
    return version


def official_release_url(version: str) -> str:
    """URL of the official CSV download of a release: the yearly zip or the Candidate CSV."""
    parsed = GedVersion.parse(version)
    if parsed.kind == "ged":
        major, minor = parsed.number
        return f"{DOWNLOADS}/ged/ged{major}{minor}-csv.zip"
    return f"{DOWNLOADS}/candidateged/GEDEvent_v{parsed.label.replace('.', '_')}.csv"
