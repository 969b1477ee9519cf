"""How synthetic events are labelled in the UCDP GED columns: countries, conflicts, dyads, sides.

Actors are organisations and groups only (DESIGN.md principle 1). The conflict, dyad and side ids
are synthetic (9000-9299), so they never pass for UCDP's own. In Afghanistan the state side is
"Government of Afghanistan" throughout (UCDP codes the Taleban as the government from
September 2021); its opponent is the Taleban before 2021-09 and IS from then on. Non-state
(type 2) violence occurs only in Afghanistan. In Central Asia the opponents are the groups the
region's governments name most often; they are labels, not claims about real events.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cawarn.scenario.calendar import month_id
from cawarn.scenario.params import SUPPORTED_COUNTRIES

GW_CODE = {"AFG": 700, "TKM": 701, "TJK": 702, "KGZ": 703, "UZB": 704, "KAZ": 705}
GED_COUNTRY = {
    "AFG": "Afghanistan",
    "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan",
    "TJK": "Tajikistan",
    "TKM": "Turkmenistan",
    "UZB": "Uzbekistan",
}
REGION = "Asia"  # UCDP GED's region of all six countries
_INSURGENTS = {
    "KAZ": "Jund al-Khilafah",
    "KGZ": "IMU",
    "TJK": "Jamaat Ansarullah",
    "TKM": "IS",
    "UZB": "IMU",
}
#: First month of the second Afghan era (the Taleban govern, IS is the main opponent).
AFG_ERA_MONTH = month_id(2021, 9)
CATEGORY_NAMES = ("armed_clash", "attack_on_civilians", "protest")
ARMED_CLASH, ATTACK_ON_CIVILIANS, PROTEST = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Dyad:
    """The twelve GED columns from ``conflict_dset_id`` to ``side_b``, and ``gwnoa``."""

    columns: str  # the twelve values joined by commas
    gwnoa: str


def _number(names: list[str], name: str) -> int:
    # Ids are stable per name whatever countries a scenario holds: first come, in the fixed
    # order of SUPPORTED_COUNTRIES, first numbered.
    if name not in names:
        names.append(name)
    return names.index(name)


_CONFLICTS: list[str] = []
_DYADS: list[str] = []
_SIDES: list[str] = []


def _dyad(conflict: str, side_a: str, side_b: str, gwnoa: str) -> Dyad:
    name = f"{side_a} - {side_b}"
    c = str(9000 + _number(_CONFLICTS, conflict))
    d = str(9100 + _number(_DYADS, name))
    a = str(9200 + _number(_SIDES, side_a))
    b = str(9200 + _number(_SIDES, side_b))
    return Dyad(",".join([c, c, conflict, d, d, name, a, a, side_a, b, b, side_b]), gwnoa)


def _protest(government: str) -> Dyad:
    return Dyad(",".join(["", "", "", "", "", "", "", "", "Protesters", "", "", government]), "")


def _build() -> dict[str, dict[tuple[int, int], Dyad]]:
    table: dict[str, dict[tuple[int, int], Dyad]] = {}
    for iso3 in SUPPORTED_COUNTRIES:
        name, gw = GED_COUNTRY[iso3], str(GW_CODE[iso3])
        government = f"Government of {name}"
        conflict = f"{name}: Government"
        rows: dict[tuple[int, int], Dyad] = {}
        for era in (0, 1):
            rows[0, era] = _protest(government)
        if iso3 == "AFG":
            rows[1, 0] = _dyad(conflict, government, "Taleban", gw)
            rows[1, 1] = _dyad(conflict, government, "IS", gw)
            rows[2, 0] = rows[2, 1] = _dyad("IS - Taleban", "IS", "Taleban", "")
            rows[3, 0] = _dyad("Taleban - Civilians", "Taleban", "Civilians", "")
            rows[3, 1] = _dyad("IS - Civilians", "IS", "Civilians", "")
        else:
            group = _INSURGENTS[iso3]
            rows[1, 0] = rows[1, 1] = _dyad(conflict, government, group, gw)
            rows[2, 0] = rows[2, 1] = rows[1, 0]  # non-state violence is not drawn here
            rows[3, 0] = rows[3, 1] = _dyad(f"{group} - Civilians", group, "Civilians", "")
        table[iso3] = rows
    return table


_TABLE = _build()


@dataclass(frozen=True, slots=True)
class DyadTable:
    """Every dyad, and the index of the one to use per (country, type of violence, era)."""

    dyads: list[Dyad]
    index: npt.NDArray[np.int64]  # (countries, 4: protest/1/2/3, 2 eras)
    countries: list[str]

    def pick(
        self,
        country: npt.NDArray[np.int64],
        tov: npt.NDArray[np.int64],
        month: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        """Dyad per event from its country index, type of violence (0 = protest) and month id."""
        era = (month >= AFG_ERA_MONTH).astype(np.int64)
        return np.asarray(self.index[country, tov, era])


def dyad_table(countries: list[str]) -> DyadTable:
    """The dyads of the given countries (ISO3), indexed by the position of each country."""
    dyads: list[Dyad] = []
    index = np.zeros((len(countries), 4, 2), dtype=np.int64)
    for k, iso3 in enumerate(countries):
        for (tov, era), dyad in sorted(_TABLE[iso3].items()):
            index[k, tov, era] = len(dyads)
            dyads.append(dyad)
    return DyadTable(dyads=dyads, index=index, countries=list(countries))
