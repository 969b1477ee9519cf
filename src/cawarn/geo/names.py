"""cawarn's own English/Russian name table for admin-1 units, and tolerant name matching.

The table (``data/admin1_names.csv``) keys each unit by its ISO 3166-2 code in force (for the 2017
South Kazakhstan Region, which ISO has withdrawn, by its last ISO code ``KZ-YUZ``) and lists the
names and spellings sources use for it. Former ISO codes are recognised too, except where a former
code is now another unit's code (Iran renumbered all its provinces in 2018): there the code in
force wins, and a caller holding old codes must look the unit up by name.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from cawarn.domain import InputError

_CITY_CATEGORIES = frozenset({"city", "capital territory"})

# Designator words a source adds to a unit's name; they are dropped before matching, but whether
# one was a city or a region word still tells "Tashkent city" from "Tashkent Region".
_REGION_WORDS = (
    ("autonomous", "region"),
    ("autonomous", "province"),
    ("autonomous", "oblast"),
    ("автономная", "область"),
    ("province",),
    ("provinces",),
    ("region",),
    ("oblast",),
    ("oblasty",),
    ("oblys",),
    ("oblysy",),
    ("oblusu",),
    ("viloyati",),
    ("viloyat",),
    ("velayat",),
    ("velayaty",),
    ("welayat",),
    ("welayaty",),
    ("wilayat",),
    ("wilayah",),
    ("respublikasi",),
    ("republic",),
    ("ostan",),
    ("область",),
    ("провинция",),
    ("велаят",),
    ("вилоят",),
    ("остан",),
)
_CITY_WORDS = (
    ("independent", "city"),
    ("capital", "city"),
    ("city",),
    ("shahri",),
    ("shahar",),
    ("gorod",),
    ("город",),
)
_PREFIXES = (("republic", "of"), ("province", "of"), ("city", "of"), ("viloyati",), ("область",))

_TRANSLATE = str.maketrans(
    {"ı": "i", "ə": "a", "'": None, "’": None, "‘": None, "ʻ": None, "ʼ": None, "`": None}
)


def normalise(text: str) -> str:
    """Fold case, diacritics, apostrophes and punctuation so spellings of one name compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = plain.casefold().translate(_TRANSLATE).replace("&", " and ")
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def strip_designators(key: str) -> tuple[str, str | None]:
    """Drop designator words ("province", "oblast", "city"...) from a normalised name.

    Returns the bare name and ``"city"``, ``"region"`` or None for the kind of word dropped.
    """
    tokens = key.split()
    kind: str | None = None
    changed = True
    while changed and tokens:
        changed = False
        for words, word_kind in [(w, "city") for w in _CITY_WORDS] + [
            (w, "region") for w in _REGION_WORDS
        ]:
            n = len(words)
            if len(tokens) > n and tuple(tokens[-n:]) == words:
                tokens, kind, changed = tokens[:-n], kind or word_kind, True
                break
        for words in _PREFIXES:
            n = len(words)
            if len(tokens) > n and tuple(tokens[:n]) == words:
                tokens, changed = tokens[n:], True
                kind = kind or ("city" if words[0] == "city" else "region")
                break
    return " ".join(tokens), kind


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One admin-1 unit of the name table."""

    code: str
    country: str
    category: str
    name_en: str
    name_ru: str
    aliases: tuple[str, ...]
    former_codes: tuple[str, ...]
    in_geoboundaries: bool
    note: str

    @property
    def is_city(self) -> bool:
        """Whether the unit is a city (or capital territory) rather than a region."""
        return self.category in _CITY_CATEGORIES

    def spellings(self) -> tuple[str, ...]:
        """Every name this unit is known by: English, Russian and the aliases."""
        return (self.name_en, self.name_ru, *self.aliases)


class NameTable:
    """Admin-1 units by code, with tolerant lookup by code or name within one country."""

    def __init__(self, entries: list[NameEntry]) -> None:
        self._by_code: dict[str, NameEntry] = {}
        self._exact: dict[tuple[str, str], set[str]] = {}
        self._bare: dict[tuple[str, str], set[str]] = {}
        for entry in entries:
            if entry.code in self._by_code:
                raise InputError(f"The admin-1 name table lists {entry.code} twice.")
            self._by_code[entry.code] = entry
        current = {normalise(code) for code in self._by_code}
        for entry in entries:
            keys = [normalise(entry.code), *map(normalise, entry.spellings())]
            keys += [normalise(c) for c in entry.former_codes if normalise(c) not in current]
            for key in keys:
                self._exact.setdefault((entry.country, key), set()).add(entry.code)
                bare, _ = strip_designators(key)
                self._bare.setdefault((entry.country, bare), set()).add(entry.code)

    def __iter__(self) -> Iterator[NameEntry]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> NameEntry | None:
        """Return the entry with exactly this code (in force or as the table keys it)."""
        return self._by_code.get(code.strip().upper().replace("_", "-"))

    def for_country(self, country: str) -> list[NameEntry]:
        """Return the entries of one country (ISO3), in table order."""
        return [e for e in self._by_code.values() if e.country == country.upper()]

    def lookup(self, country: str, code_or_name: str) -> NameEntry | None:
        """Find a unit of ``country`` (ISO3) by code, former code, or any spelling of its name.

        Case, diacritics, punctuation, hyphens/underscores and designators such as "province",
        "oblast", "viloyati" or "city" do not matter. Returns None when nothing or more than one
        unit matches.
        """
        country = country.strip().upper()
        key = normalise(code_or_name)
        if not key:
            return None
        exact = self._exact.get((country, key), set())
        if len(exact) == 1:
            return self._by_code[next(iter(exact))]
        bare, kind = strip_designators(key)
        candidates = exact | self._bare.get((country, bare), set())
        if len(candidates) > 1:
            candidates = self._disambiguate(country, candidates, bare, kind)
        if len(candidates) == 1:
            return self._by_code[next(iter(candidates))]
        return None

    def _disambiguate(self, country: str, codes: set[str], bare: str, kind: str | None) -> set[str]:
        entries = [self._by_code[c] for c in codes]
        if kind == "city":
            return {e.code for e in entries if e.is_city}
        if kind == "region":
            return {e.code for e in entries if not e.is_city}
        # A bare name ("Osh", "Tashkent") names the unit that carries it without a designator.
        return {c for c in codes if c in self._exact.get((country, bare), set())}

    def matches(self, code: str, text: str) -> bool:
        """Whether free text (e.g. a source's ``adm_1``) names the unit with this code."""
        entry = self.get(code)
        if entry is None:
            return False
        found = self.lookup(entry.country, text)
        return found is not None and found.code == entry.code


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def parse_name_table(text: str) -> NameTable:
    """Build a name table from CSV text with the columns of ``admin1_names.csv``."""
    entries = [
        NameEntry(
            code=row["code"].strip(),
            country=row["country"].strip(),
            category=row["category"].strip(),
            name_en=row["name_en"].strip(),
            name_ru=row["name_ru"].strip(),
            aliases=_split(row["aliases"]),
            former_codes=_split(row["former_codes"]),
            in_geoboundaries=row["in_geoboundaries"].strip() == "yes",
            note=row["note"].strip(),
        )
        for row in csv.DictReader(io.StringIO(text))
    ]
    return NameTable(entries)


@functools.cache
def load_name_table() -> NameTable:
    """Return cawarn's admin-1 name table, read once from the package data."""
    resource = resources.files("cawarn.geo").joinpath("data").joinpath("admin1_names.csv")
    return parse_name_table(resource.read_text(encoding="utf-8"))
