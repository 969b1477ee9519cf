"""The UI's languages: Babel catalogs read from the .po files, and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "cawarn_lang"


@cache
def translations(language: str) -> Translations:
    """The catalog of a language, compiled in memory from its .po file (read once)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language when it is one we have, else the browser's first known one."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


class Formats:
    """Dates and numbers written the way a locale writes them."""

    def __init__(self, language: str) -> None:
        self.language = language

    def date(self, value: dt.date | None) -> str:
        """A date, e.g. 'May 1, 2024' or '1 мая 2024 г.'."""
        return "" if value is None else format_date(value, format="medium", locale=self.language)

    def datetime(self, value: dt.datetime | None) -> str:
        """A moment in UTC."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        text = format_datetime(value, format="medium", tzinfo=dt.UTC, locale=self.language)
        return f"{text} UTC"

    def number(self, value: float | None, digits: int = 0) -> str:
        """A number with the locale's separators."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def percent(self, value: float | None) -> str:
        """A probability as a percentage."""
        if value is None:
            return "–"
        return format_percent(value, format="#,##0%", locale=self.language)

    def month(self, month_id: int) -> str:
        """A ViEWS month id as the locale's month and year, e.g. 'Jan 2025' or 'янв. 2025 г.'."""
        year, month = divmod(month_id - 1, 12)
        day = dt.date(1980 + year, month + 1, 1)
        return format_date(day, format="LLL y", locale=self.language)


def gettext_for(language: str) -> gettext.NullTranslations:
    """The translations object templates call through ``_()``."""
    return translations(language)
