"""The UI's catalogs: every text is in the catalog, and translated into Russian."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cawarn.web.ui.i18n import LOCALE_DIR, Formats, choose_language, translations

UI = LOCALE_DIR.parent


def _catalog(path: Path, locale: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_the_catalog_holds_every_text_of_the_templates_and_code() -> None:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(UI),
            method_map,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        )
    }
    catalog = {m.id for m in _catalog(LOCALE_DIR / "messages.pot") if m.id}
    assert found, "no text found: is the extractor looking at the templates?"
    assert found <= catalog, f"not in messages.pot (run `make messages`): {found - catalog}"


def test_every_text_has_a_russian_translation() -> None:
    catalog = _catalog(LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po", "ru")
    template = {m.id for m in _catalog(LOCALE_DIR / "messages.pot") if m.id}
    translated = {
        m.id
        for m in catalog
        if m.id
        and not m.fuzzy
        and (all(m.string) if isinstance(m.string, tuple) else bool(m.string))
    }
    assert template <= translated, f"untranslated in ru: {sorted(template - translated)}"
    assert translations("ru").gettext("Log in") == "Войти"
    assert translations("en").gettext("Log in") == "Log in"
    ru = translations("ru")
    months = [ru.ngettext("%(num)s month ahead", "%(num)s months ahead", n) for n in (1, 3, 12)]
    assert months == [
        "на %(num)s месяц вперёд",
        "на %(num)s месяца вперёд",
        "на %(num)s месяцев вперёд",
    ]


def test_the_language_comes_from_the_cookie_then_the_browser() -> None:
    assert choose_language("ru", "en-GB,en") == "ru"
    assert choose_language(None, "ru-RU,ru;q=0.9,en;q=0.8") == "ru"
    assert choose_language("xx", "de-DE,de") == "en"


def test_dates_and_numbers_follow_the_locale() -> None:
    en, ru = Formats("en"), Formats("ru")
    assert en.date(dt.date(2024, 5, 1)) == "May 1, 2024"
    assert ru.date(dt.date(2024, 5, 1)).startswith("1 мая 2024")
    assert en.number(12345.5, 1) == "12,345.5"
    assert ru.number(12345.5, 1).replace("\u202f", "\xa0") == "12\xa0345,5"
    assert en.percent(0.25) == "25%"
    assert ru.month(541).startswith("янв") and "2025" in ru.month(541)
    assert en.month(541) == "Jan 2025"
