"""Write synthetic events as UCDP GED CSV rows: the 49 official columns, then two cawarn columns.

Rows are built from precomputed strings (dates, dyads, unit and city labels) with one f-string per
row, so writing costs about a microsecond or two per row and memory stays at one block of months.
Values never hold a comma, a double quote or a line break (labels are checked when the writer is
built), so no field needs CSV quoting.

Column choices: ``id`` counts up from :data:`ID_BASE` in the order rows are written (by date, then
draw order), over written rows only, so gaps in ids reveal nothing about events not yet reported;
``relid`` is ``<ISO3>-<year>-<type of violence>-SYN<id>``; ``code_status`` "Clear",
``active_year`` "true", ``event_clarity`` 1, ``date_prec`` 1 and ``date_end = date_start``;
``source_date`` is the report date; ``source_article`` and ``source_headline`` stay empty;
``source_original`` names the scenario; ``where_prec`` is 1 for a draw near a city (the place is
the city), 2 for a uniform draw within ``near_km`` of the nearest city of its cell piece ("near
<city>"), 3 otherwise ("<d> km from <city>"); ``adm_2`` is empty. Protest rows leave
``type_of_violence`` and every conflict and dyad id empty, name the sides "Protesters" and the
government, and have no deaths; ``cawarn_category`` tells them apart.
"""

from __future__ import annotations

from typing import TextIO

import numpy as np
import numpy.typing as npt

from cawarn.geo.assign import haversine_km
from cawarn.scenario.actors import CATEGORY_NAMES, GED_COUNTRY, GW_CODE, REGION, dyad_table
from cawarn.scenario.calendar import Calendar, day_text
from cawarn.scenario.events import EventBatch
from cawarn.scenario.params import ScenarioParams
from cawarn.scenario.places import Geography
from cawarn.scenario.spatial import Spatial

#: The 49 columns of UCDP GED CSV files, in their official order.
GED_COLUMNS = (
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
)
EXTRA_COLUMNS = ("cawarn_source", "cawarn_category")
ID_BASE = 900_000_000


def _safe(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        raise ValueError(f"label {text!r} would need CSV quoting")
    return text


def adm1_label(country: str, name_en: str) -> str:
    """The ``adm_1`` text GED would write: "Paktika province" in Afghanistan, else the name."""
    return f"{name_en} province" if country == "AFG" else name_en


class GedWriter:
    """Writes event batches to an open text file as GED CSV rows."""

    def __init__(
        self,
        handle: TextIO,
        geography: Geography,
        spatial: Spatial,
        calendar: Calendar,
        source: str,
        params: ScenarioParams,
    ) -> None:
        self.handle = handle
        self.spatial = spatial
        self.geography = geography
        self.calendar = calendar
        self.near_km = params.near_km
        self.next_id = ID_BASE + 1
        self.first_day = int(calendar.first_day[0])
        self.last_day = calendar.last_day
        self.day_names = [day_text(d) for d in range(self.first_day, self.last_day + 1)]
        countries = sorted(set(geography.countries))
        self.country_index = np.array([countries.index(c) for c in geography.countries])
        self.dyads = dyad_table(countries)
        self.dyad_columns = [d.columns for d in self.dyads.dyads]
        self.dyad_gwnoa = [d.gwnoa for d in self.dyads.dyads]
        self.unit_iso3 = list(geography.countries)
        self.unit_adm1 = [_safe(adm1_label(u.country, u.name_en)) for u in geography.units]
        self.unit_country = [
            f"{GED_COUNTRY[u.country]},{GW_CODE[u.country]},{REGION}" for u in geography.units
        ]
        self.city_names = [_safe(n) for n in geography.cities.name]
        original = _safe(f"cawarn scenario {source.split(':', 1)[-1]}").replace("%", "%%")
        # One %s per value below; relid is <ISO3>-<year>-<type>-SYN<id>, protests type 0.
        self.template = (
            "%s,%s-%s-%s-SYN%s,%s,true,Clear,%s,%s,%s,,,%s,,"
            + original
            + ",%s,%s,%s,%s,,%s,%s,POINT (%s %s),%s,%s,1,1,"
            "%s 00:00:00.000,%s 00:00:00.000,%s,%s,%s,%s,%s,%s,%s,%s,,"
            + _safe(source).replace("%", "%%")
            + ",%s\n"
        )
        handle.write(",".join(GED_COLUMNS + EXTRA_COLUMNS) + "\n")

    def _where(self, batch: EventBatch, rows: npt.NDArray[np.int64]) -> tuple[list[str], ...]:
        places = batch.places
        city = places.city[rows]
        ref = self.spatial.piece_ref_city[places.piece[rows]]
        named = np.where(city >= 0, city, ref)
        dist = np.zeros(len(rows))
        has_ref = (city < 0) & (ref >= 0)
        if has_ref.any():
            cities = self.geography.cities
            dist[has_ref] = haversine_km(
                places.lat[rows][has_ref],
                places.lon[rows][has_ref],
                cities.lat[ref[has_ref]],
                cities.lon[ref[has_ref]],
            )
        prec = np.where(city >= 0, 1, np.where(has_ref & (dist <= self.near_km), 2, 3))
        units = batch.unit[rows].tolist()
        coords: list[str] = []
        descs: list[str] = []
        for p, c, u, d in zip(prec.tolist(), named.tolist(), units, dist.tolist(), strict=True):
            if c < 0:
                label = self.geography.units[u].name_en
                coords.append(label)
                descs.append(label)
                continue
            name = self.city_names[c]
            coords.append(name)
            descs.append(
                name if p == 1 else f"near {name}" if p == 2 else f"{d:.0f} km from {name}"
            )
        return [str(p) for p in prec.tolist()], coords, descs

    def write(self, batch: EventBatch) -> npt.NDArray[np.bool_]:
        """Write the batch's reported events; return which events were written."""
        reported = batch.report_day <= self.last_day
        rows = np.flatnonzero(reported)
        if rows.size == 0:
            return reported
        ids = range(self.next_id, self.next_id + rows.size)
        self.next_id += rows.size
        month = batch.month[rows]
        year = self.calendar.year[month].tolist()
        unit = batch.unit[rows]
        tov = batch.tov[rows]
        dyad = self.dyads.pick(self.country_index[unit], tov, self.calendar.month_id[month])
        prec, coords, descs = self._where(batch, rows)
        lat = [f"{v:.4f}" for v in batch.places.lat[rows].tolist()]
        lon = [f"{v:.4f}" for v in batch.places.lon[rows].tolist()]
        days = self.day_names
        start = [days[d] for d in (batch.day[rows] - self.first_day).tolist()]
        report = [days[d] for d in (batch.report_day[rows] - self.first_day).tolist()]
        parts = batch.parts[rows]
        iso3 = [self.unit_iso3[u] for u in unit.tolist()]
        adm1 = [self.unit_adm1[u] for u in unit.tolist()]
        country = [self.unit_country[u] for u in unit.tolist()]
        dcols = [self.dyad_columns[d] for d in dyad.tolist()]
        gwnoa = [self.dyad_gwnoa[d] for d in dyad.tolist()]
        category = [CATEGORY_NAMES[c] for c in batch.category[rows].tolist()]
        tov_text = [str(t) if t else "" for t in tov.tolist()]
        relid_tov = [str(t) for t in tov.tolist()]
        columns = (
            ids,
            iso3,
            year,
            relid_tov,
            ids,
            year,
            tov_text,
            dcols,
            batch.sources[rows].tolist(),
            report,
            prec,
            coords,
            descs,
            adm1,
            lat,
            lon,
            lon,
            lat,
            batch.places.cell[rows].tolist(),
            country,
            start,
            start,
            parts[:, 0].tolist(),
            parts[:, 1].tolist(),
            parts[:, 2].tolist(),
            parts[:, 3].tolist(),
            batch.best[rows].tolist(),
            batch.high[rows].tolist(),
            batch.low[rows].tolist(),
            gwnoa,
            category,
        )
        template = self.template
        lines = [template % values for values in zip(*columns, strict=True)]
        self.handle.writelines(lines)
        return reported
