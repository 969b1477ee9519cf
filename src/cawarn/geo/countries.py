"""Country codes: Gleditsch-Ward numbers and UCDP GED names to ISO 3166-1 alpha-3, and back.

UCDP GED identifies countries by Gleditsch-Ward (GW) numbers (``country_id``, ``gwnoa``, ``gwnob``)
and by its own English names (``country``), which keep former names in parentheses
("DR Congo (Zaire)", "Russia (Soviet Union)"). cawarn stores ISO3 codes.

Mapping choices for states that no longer exist (a user today expects the country that now holds
the territory, because events are located by their coordinates, not by the state of the day):

- 255 Germany (Prussia), 260 German Federal Republic, 265 German Democratic Republic -> DEU.
- 315 Czechoslovakia -> CZE (Prague stayed the capital; GED has no event there).
- 340 Serbia (before 1915) and 345 Yugoslavia / Serbia (GW keeps 345 for Serbia since 2006) -> SRB;
  Montenegro (341) and Kosovo (347) have their own codes after their independence.
- 347 Kosovo -> XKX, the user-assigned code used by the EU, the IMF and the World Bank (ISO 3166-1
  has no code for Kosovo).
- 365 Russia (Soviet Union) -> RUS. GED places Soviet-era events in the successor state where they
  happened (e.g. 372 Georgia), so RUS only ever holds events inside today's Russia.
- 678 Yemen (Arab Republic of Yemen, since 1990 unified Yemen) and 680 Yemen (People's Republic,
  South Yemen, until 1990) -> YEM.
- 815 Vietnam (Annam), 816 Vietnam (Democratic Republic), 817 Republic of Vietnam (South) -> VNM.
- 511 Zanzibar -> TZA; 563 Transvaal, 564 Orange Free State -> ZAF; 711 Tibet -> CHN.
- Historic states with no single successor (German and Italian states before unification, Hanover,
  Bavaria, Austria-Hungary, Korea before 1910, the United Provinces of Central America, Great
  Colombia) map to None; GED 1989- never uses them.
"""

from __future__ import annotations

import re

# (GW code, ISO3 or None, name as UCDP GED writes it or the GW list's name).
_GW_TABLE: tuple[tuple[int, str | None, str], ...] = (
    (2, "USA", "United States of America"),
    (20, "CAN", "Canada"),
    (31, "BHS", "Bahamas"),
    (40, "CUB", "Cuba"),
    (41, "HTI", "Haiti"),
    (42, "DOM", "Dominican Republic"),
    (51, "JAM", "Jamaica"),
    (52, "TTO", "Trinidad and Tobago"),
    (53, "BRB", "Barbados"),
    (54, "DMA", "Dominica"),
    (55, "GRD", "Grenada"),
    (56, "LCA", "Saint Lucia"),
    (57, "VCT", "Saint Vincent and the Grenadines"),
    (58, "ATG", "Antigua & Barbuda"),
    (60, "KNA", "Saint Kitts and Nevis"),
    (70, "MEX", "Mexico"),
    (80, "BLZ", "Belize"),
    (89, None, "United Provinces of Central America"),
    (90, "GTM", "Guatemala"),
    (91, "HND", "Honduras"),
    (92, "SLV", "El Salvador"),
    (93, "NIC", "Nicaragua"),
    (94, "CRI", "Costa Rica"),
    (95, "PAN", "Panama"),
    (99, None, "Great Colombia"),
    (100, "COL", "Colombia"),
    (101, "VEN", "Venezuela"),
    (110, "GUY", "Guyana"),
    (115, "SUR", "Surinam"),
    (130, "ECU", "Ecuador"),
    (135, "PER", "Peru"),
    (140, "BRA", "Brazil"),
    (145, "BOL", "Bolivia"),
    (150, "PRY", "Paraguay"),
    (155, "CHL", "Chile"),
    (160, "ARG", "Argentina"),
    (165, "URY", "Uruguay"),
    (200, "GBR", "United Kingdom"),
    (205, "IRL", "Ireland"),
    (210, "NLD", "Netherlands"),
    (211, "BEL", "Belgium"),
    (212, "LUX", "Luxembourg"),
    (220, "FRA", "France"),
    (221, "MCO", "Monaco"),
    (223, "LIE", "Liechtenstein"),
    (225, "CHE", "Switzerland"),
    (230, "ESP", "Spain"),
    (232, "AND", "Andorra"),
    (235, "PRT", "Portugal"),
    (240, None, "Hanover"),
    (245, None, "Bavaria"),
    (255, "DEU", "Germany (Prussia)"),
    (260, "DEU", "German Federal Republic"),
    (265, "DEU", "German Democratic Republic"),
    (267, None, "Baden"),
    (269, None, "Saxony"),
    (271, None, "Wuerttemberg"),
    (273, None, "Hesse-Kassel"),
    (275, None, "Hesse-Darmstadt"),
    (280, None, "Mecklenburg-Schwerin"),
    (290, "POL", "Poland"),
    (300, None, "Austria-Hungary"),
    (305, "AUT", "Austria"),
    (310, "HUN", "Hungary"),
    (315, "CZE", "Czechoslovakia"),
    (316, "CZE", "Czech Republic"),
    (317, "SVK", "Slovakia"),
    (325, "ITA", "Italy (Sardinia)"),
    (327, None, "Papal States"),
    (329, None, "Two Sicilies"),
    (331, "SMR", "San Marino"),
    (332, None, "Modena"),
    (335, None, "Parma"),
    (337, None, "Tuscany"),
    (338, "MLT", "Malta"),
    (339, "ALB", "Albania"),
    (340, "SRB", "Serbia"),
    (341, "MNE", "Montenegro"),
    (343, "MKD", "North Macedonia"),
    (344, "HRV", "Croatia"),
    (345, "SRB", "Serbia (Yugoslavia)"),
    (346, "BIH", "Bosnia-Herzegovina"),
    (347, "XKX", "Kosovo"),
    (349, "SVN", "Slovenia"),
    (350, "GRC", "Greece"),
    (352, "CYP", "Cyprus"),
    (355, "BGR", "Bulgaria"),
    (359, "MDA", "Moldova"),
    (360, "ROU", "Romania"),
    (365, "RUS", "Russia (Soviet Union)"),
    (366, "EST", "Estonia"),
    (367, "LVA", "Latvia"),
    (368, "LTU", "Lithuania"),
    (369, "UKR", "Ukraine"),
    (370, "BLR", "Belarus"),
    (371, "ARM", "Armenia"),
    (372, "GEO", "Georgia"),
    (373, "AZE", "Azerbaijan"),
    (375, "FIN", "Finland"),
    (380, "SWE", "Sweden"),
    (385, "NOR", "Norway"),
    (390, "DNK", "Denmark"),
    (395, "ISL", "Iceland"),
    (402, "CPV", "Cape Verde"),
    (403, "STP", "Sao Tome and Principe"),
    (404, "GNB", "Guinea-Bissau"),
    (411, "GNQ", "Equatorial Guinea"),
    (420, "GMB", "Gambia"),
    (432, "MLI", "Mali"),
    (433, "SEN", "Senegal"),
    (434, "BEN", "Benin"),
    (435, "MRT", "Mauritania"),
    (436, "NER", "Niger"),
    (437, "CIV", "Ivory Coast"),
    (438, "GIN", "Guinea"),
    (439, "BFA", "Burkina Faso"),
    (450, "LBR", "Liberia"),
    (451, "SLE", "Sierra Leone"),
    (452, "GHA", "Ghana"),
    (461, "TGO", "Togo"),
    (471, "CMR", "Cameroon"),
    (475, "NGA", "Nigeria"),
    (481, "GAB", "Gabon"),
    (482, "CAF", "Central African Republic"),
    (483, "TCD", "Chad"),
    (484, "COG", "Congo"),
    (490, "COD", "DR Congo (Zaire)"),
    (500, "UGA", "Uganda"),
    (501, "KEN", "Kenya"),
    (510, "TZA", "Tanzania"),
    (511, "TZA", "Zanzibar"),
    (516, "BDI", "Burundi"),
    (517, "RWA", "Rwanda"),
    (520, "SOM", "Somalia"),
    (522, "DJI", "Djibouti"),
    (530, "ETH", "Ethiopia"),
    (531, "ERI", "Eritrea"),
    (540, "AGO", "Angola"),
    (541, "MOZ", "Mozambique"),
    (551, "ZMB", "Zambia"),
    (552, "ZWE", "Zimbabwe (Rhodesia)"),
    (553, "MWI", "Malawi"),
    (560, "ZAF", "South Africa"),
    (563, "ZAF", "Transvaal"),
    (564, "ZAF", "Orange Free State"),
    (565, "NAM", "Namibia"),
    (570, "LSO", "Lesotho"),
    (571, "BWA", "Botswana"),
    (572, "SWZ", "Kingdom of eSwatini (Swaziland)"),
    (580, "MDG", "Madagascar (Malagasy)"),
    (581, "COM", "Comoros"),
    (590, "MUS", "Mauritius"),
    (591, "SYC", "Seychelles"),
    (600, "MAR", "Morocco"),
    (615, "DZA", "Algeria"),
    (616, "TUN", "Tunisia"),
    (620, "LBY", "Libya"),
    (625, "SDN", "Sudan"),
    (626, "SSD", "South Sudan"),
    (630, "IRN", "Iran"),
    (640, "TUR", "Turkey"),
    (645, "IRQ", "Iraq"),
    (651, "EGY", "Egypt"),
    (652, "SYR", "Syria"),
    (660, "LBN", "Lebanon"),
    (663, "JOR", "Jordan"),
    (666, "ISR", "Israel"),
    (670, "SAU", "Saudi Arabia"),
    (678, "YEM", "Yemen (North Yemen)"),
    (680, "YEM", "South Yemen"),
    (690, "KWT", "Kuwait"),
    (692, "BHR", "Bahrain"),
    (694, "QAT", "Qatar"),
    (696, "ARE", "United Arab Emirates"),
    (698, "OMN", "Oman"),
    (700, "AFG", "Afghanistan"),
    (701, "TKM", "Turkmenistan"),
    (702, "TJK", "Tajikistan"),
    (703, "KGZ", "Kyrgyzstan"),
    (704, "UZB", "Uzbekistan"),
    (705, "KAZ", "Kazakhstan"),
    (710, "CHN", "China"),
    (711, "CHN", "Tibet"),
    (712, "MNG", "Mongolia"),
    (713, "TWN", "Taiwan"),
    (730, None, "Korea"),
    (731, "PRK", "North Korea"),
    (732, "KOR", "South Korea"),
    (740, "JPN", "Japan"),
    (750, "IND", "India"),
    (760, "BTN", "Bhutan"),
    (770, "PAK", "Pakistan"),
    (771, "BGD", "Bangladesh"),
    (775, "MMR", "Myanmar (Burma)"),
    (780, "LKA", "Sri Lanka"),
    (781, "MDV", "Maldives"),
    (790, "NPL", "Nepal"),
    (800, "THA", "Thailand"),
    (811, "KHM", "Cambodia (Kampuchea)"),
    (812, "LAO", "Laos"),
    (815, "VNM", "Vietnam (Annam)"),
    (816, "VNM", "Vietnam (North Vietnam)"),
    (817, "VNM", "South Vietnam"),
    (820, "MYS", "Malaysia"),
    (830, "SGP", "Singapore"),
    (835, "BRN", "Brunei"),
    (840, "PHL", "Philippines"),
    (850, "IDN", "Indonesia"),
    (860, "TLS", "East Timor"),
    (900, "AUS", "Australia"),
    (910, "PNG", "Papua New Guinea"),
    (920, "NZL", "New Zealand"),
    (935, "VUT", "Vanuatu"),
    (940, "SLB", "Solomon Islands"),
    (946, "KIR", "Kiribati"),
    (947, "TUV", "Tuvalu"),
    (950, "FJI", "Fiji"),
    (955, "TON", "Tonga"),
    (970, "NRU", "Nauru"),
    (983, "MHL", "Marshall Islands"),
    (986, "PLW", "Palau"),
    (987, "FSM", "Federated States of Micronesia"),
    (990, "WSM", "Samoa"),
)

# The GW code of today's state where several codes share one ISO3.
_CURRENT_GW = {
    "DEU": 260,
    "CZE": 316,
    "SRB": 345,
    "TZA": 510,
    "ZAF": 560,
    "YEM": 678,
    "CHN": 710,
    "VNM": 816,
}

# Other spellings found in GED versions and related UCDP files.
_ALIASES: dict[str, str] = {
    "United States": "USA",
    "Antigua and Barbuda": "ATG",
    "St. Kitts and Nevis": "KNA",
    "St. Lucia": "LCA",
    "St. Vincent and the Grenadines": "VCT",
    "Suriname": "SUR",
    "Germany": "DEU",
    "West Germany": "DEU",
    "East Germany": "DEU",
    "Italy": "ITA",
    "Macedonia": "MKD",
    "Macedonia, FYR": "MKD",
    "FYR Macedonia": "MKD",
    "Bosnia and Herzegovina": "BIH",
    "Yugoslavia": "SRB",
    "Serbia and Montenegro": "SRB",
    "Soviet Union": "RUS",
    "USSR": "RUS",
    "Russia": "RUS",
    "Cabo Verde": "CPV",
    "Côte d'Ivoire": "CIV",
    "Cote d'Ivoire": "CIV",
    "The Gambia": "GMB",
    "Republic of the Congo": "COG",
    "Congo-Brazzaville": "COG",
    "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD",
    "Zaire": "COD",
    "Eswatini": "SWZ",
    "Swaziland": "SWZ",
    "Yemen (South Yemen)": "YEM",
    "Yemen": "YEM",
    "Türkiye": "TUR",
    "Turkiye": "TUR",
    "Timor-Leste": "TLS",
    "Vietnam": "VNM",
    "Viet Nam": "VNM",
    "Burma": "MMR",
    "Myanmar": "MMR",
    "Kampuchea": "KHM",
    "Cambodia": "KHM",
    "Lao PDR": "LAO",
    "Kyrgyz Republic": "KGZ",
    "Korea, North": "PRK",
    "Korea, South": "KOR",
    "Czechia": "CZE",
    "UK": "GBR",
}

_ENGLISH: dict[str, str] = {
    "USA": "United States",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "CIV": "Côte d'Ivoire",
    "CZE": "Czechia",
    "DEU": "Germany",
    "ITA": "Italy",
    "RUS": "Russia",
    "SRB": "Serbia",
    "SWZ": "Eswatini",
    "TZA": "Tanzania",
    "VNM": "Vietnam",
    "YEM": "Yemen",
    "ZAF": "South Africa",
    "CHN": "China",
    "TLS": "Timor-Leste",
    "SUR": "Suriname",
    "CPV": "Cabo Verde",
    "MMR": "Myanmar",
    "KHM": "Cambodia",
    "MDG": "Madagascar",
    "ZWE": "Zimbabwe",
    "BIH": "Bosnia and Herzegovina",
    "ATG": "Antigua and Barbuda",
}

# Russian names as used in the region (Kyrgyzstan and Turkmenistan by their own official
# Russian short names, not the older "Киргизия" / "Туркмения").
_RUSSIAN: dict[str, str] = {
    "AFG": "Афганистан",
    "KAZ": "Казахстан",
    "KGZ": "Кыргызстан",
    "TJK": "Таджикистан",
    "TKM": "Туркменистан",
    "UZB": "Узбекистан",
    "PAK": "Пакистан",
    "IRN": "Иран",
    "CHN": "Китай",
    "RUS": "Россия",
    "IND": "Индия",
    "AZE": "Азербайджан",
    "ARM": "Армения",
    "GEO": "Грузия",
    "MNG": "Монголия",
    "TUR": "Турция",
    "UKR": "Украина",
    "BLR": "Беларусь",
    "IRQ": "Ирак",
    "SYR": "Сирия",
    "USA": "США",
    "GBR": "Великобритания",
}

_PAREN = re.compile(r"^(.*?)\s*\((.*)\)\s*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _key(name: str) -> str:
    """Normalise a country name for lookup: case, accents of '&', punctuation and spacing."""
    return _NON_ALNUM.sub(" ", name.casefold().replace("&", " and ")).strip()


def _build() -> tuple[dict[int, str | None], dict[str, str], dict[str, str], dict[str, int]]:
    by_gw: dict[int, str | None] = {}
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    gw_of: dict[str, int] = {}
    for code, iso3, name in _GW_TABLE:
        by_gw[code] = iso3
        if iso3 is None:
            continue
        gw_of.setdefault(iso3, code)
        names = [name]
        match = _PAREN.match(name)
        if match:
            names.extend(match.groups())  # "DR Congo (Zaire)" -> "DR Congo", "Zaire"
        for each in names:
            exact.setdefault(each, iso3)
            loose.setdefault(_key(each), iso3)
    for name, iso3 in _ALIASES.items():
        exact.setdefault(name, iso3)
        loose.setdefault(_key(name), iso3)
    gw_of.update(_CURRENT_GW)
    return by_gw, exact, loose, gw_of


_BY_GW, _BY_NAME, _BY_KEY, _GW_OF = _build()

#: ISO3 by GW code written as in a CSV field ("700"), for the per-row fast path.
GW_TEXT_TO_ISO3: dict[str, str] = {str(k): v for k, v in _BY_GW.items() if v is not None}
#: ISO3 by exact GED country name, for the per-row fast path.
GED_NAME_TO_ISO3: dict[str, str] = dict(_BY_NAME)


def iso3_from_gw(code: int) -> str | None:
    """ISO3 of a Gleditsch-Ward code, or None for unknown codes and states with no successor."""
    return _BY_GW.get(code)


def iso3_from_ged_name(name: str) -> str | None:
    """ISO3 of a country name as UCDP GED writes it (former names in parentheses accepted)."""
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    key = _key(name)
    found = _BY_KEY.get(key)
    if found is None:
        match = _PAREN.match(name)
        if match:
            found = _BY_KEY.get(_key(match.group(1))) or _BY_KEY.get(_key(match.group(2)))
    return found


def gw_from_iso3(iso3: str) -> int | None:
    """Gleditsch-Ward code of today's state with this ISO3, or None if GW does not list it."""
    return _GW_OF.get(iso3.upper())


def known_gw_codes() -> frozenset[int]:
    """Every Gleditsch-Ward code this table knows, with or without an ISO3."""
    return frozenset(_BY_GW)


def country_name(iso3: str, lang: str = "en") -> str:
    """Name of a country in English ("en") or Russian ("ru"), else in English, else its code."""
    if lang not in ("en", "ru"):
        raise ValueError(f"unsupported language {lang!r}; use 'en' or 'ru'")
    code = iso3.upper()
    if lang == "ru" and code in _RUSSIAN:
        return _RUSSIAN[code]
    if code in _ENGLISH:
        return _ENGLISH[code]
    gw = _GW_OF.get(code)
    if gw is None:
        return code
    name = next(n for c, _, n in _GW_TABLE if c == gw)
    match = _PAREN.match(name)
    return match.group(1) if match else name
