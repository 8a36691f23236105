"""Labels in the reader's language, and dates, times and numbers written by Babel.

Each language is one catalog file, `locales/<code>.toml`, holding every key of
`locales/en.toml` (the reference). A key missing from a catalog falls back to
English; adding a language is adding a file. An organisation adds or adjusts a
language without reinstalling: its repository's own `locales/` folder
(`use_folder`) is read too, and its keys take precedence over the built-in ones.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from redflag_coord.errors import RedflagError

LOCALES = Path(__file__).parent / "locales"
FALLBACK = "en"
_extra: list[Path] = []  # the organisation's own locales/ folder, when a command found one


def use_folder(folder: Path) -> None:
    """Read catalogs from `folder` too (an organisation repository's `locales/`); theirs win."""
    if folder in _extra or not folder.is_dir():
        return
    _extra[:] = [folder]
    available.cache_clear()
    _catalog.cache_clear()


def _folders() -> list[Path]:
    return [LOCALES, *_extra]


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """Language codes that have a catalog (built in or the organisation's own), sorted."""
    return tuple(sorted({p.stem for folder in _folders() for p in folder.glob("*.toml")}))


class UnknownLanguage(RedflagError, ValueError):
    """A language asked for by name (--lang) that has no catalog."""

    usage = True


def matches(preferred: Iterable[str], have: Iterable[str]) -> list[str]:
    """The one language rule: each of `preferred` (BCP 47 tags, in their order) that `have` can serve, as
    spelled in `have`: the whole tag if `have` holds it (an organisation's own `pt-BR`), else its language
    subtag (`es-MX` -> `es`); case does not matter; each at most once. `have` is the catalogs or templates."""
    known = {code.lower(): code for code in have}
    out: list[str] = []
    for tag in preferred:
        code = known.get(tag.lower()) or known.get(tag.split("-")[0].lower())
        if code is not None and code not in out:
            out.append(code)
    return out


def choose(preferred: Iterable[str], have: Iterable[str]) -> str:
    """The first of `preferred` that `have` can serve (see `matches`), else English."""
    found = matches(preferred, have)
    return found[0] if found else FALLBACK


def pick_language(explicit: str | None, preferred: Iterable[str]) -> str:
    """`explicit` if given (must have a catalog), else the first preferred language with one, else English."""
    have = available()
    if explicit is not None:
        found = matches([explicit], have)
        if not found:
            raise UnknownLanguage(
                f"no catalog for language {explicit!r}; available: {', '.join(have)} "
                f"(add locales/{explicit}.toml to the organisation's repository to add one)"
            )
        return found[0]
    return choose(preferred, have)


@lru_cache(maxsize=16)
def _catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for folder in _folders():
        path = folder / f"{lang}.toml"
        if path.is_file():
            with open(path, "rb") as f:
                merged.update(_flatten(tomllib.load(f)))
    return merged


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = str(v)
    return out


# CLDR's plural categories (https://cldr.unicode.org/index/cldr-spec/plural-rules): a count key's forms.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@lru_cache(maxsize=32)
def _plural_rule(lang: str):
    from babel import Locale

    return Locale.parse(lang).plural_form


def plural_category(lang: str, n: int) -> str:
    """CLDR's plural category of `n` in `lang` ("one", "few", "many", "other"...), by Babel; parsed once."""
    return _plural_rule(lang)(n)


def plural_keys(lang: str) -> dict[str, set[str]]:
    """The count keys of a catalog and the categories each gives: {"minutes_doc.members_n": {"one", "other"}}."""
    out: dict[str, set[str]] = {}
    for key in _catalog(lang):
        base, _, cat = key.rpartition(".")
        if cat in PLURAL_CATEGORIES and base:
            out.setdefault(base, set()).add(cat)
    return out


def catalog_keys(lang: str) -> set[str]:
    return set(_catalog(lang))


# Formatted dates and times, keyed by exactly what Babel reads of them: a feed formats the same few
# wall times thousands of times, and Babel parses its pattern on every call.
_FORMATTED: dict[tuple, str] = {}
_FORMATTED_MAX = 20_000


def _remember(key: tuple) -> str | None:
    return _FORMATTED.get(key)


def _store(key: tuple, text: str) -> str:
    if len(_FORMATTED) >= _FORMATTED_MAX:
        _FORMATTED.clear()
    _FORMATTED[key] = text
    return text


def _day(day: dt.date | dt.datetime) -> dt.date:
    """format_date reads only the date of a datetime."""
    return day.date() if isinstance(day, dt.datetime) else day


def _clock(moment: dt.datetime) -> tuple:
    """format_time(moment, tzinfo=moment.tzinfo) reads only the wall time of day in its own zone
    (`timetz`): hours to microseconds, fold and zone; not the date."""
    return (moment.hour, moment.minute, moment.second, moment.microsecond, moment.fold, moment.tzinfo)


def _variant(moment: dt.datetime) -> tuple:
    """get_timezone_name(moment, "long") reads the zone, whether DST is in force, and the offset (GMT+2)."""
    tz = moment.tzinfo
    return (tz, bool(tz.dst(moment)) if tz else None, tz.utcoffset(moment) if tz else None)


_SHARED: dict[str, Labels] = {}


def shared(lang: str) -> Labels:
    """One Labels a language for renderers that make one an agenda (a feed describes a thousand meetings):
    the same as a new one as long as its catalogs are the ones `_catalog` gives now (same objects)."""
    t = _SHARED.get(lang)
    if t is None or not t.current():
        t = _SHARED[lang] = Labels(lang)
    return t


class Labels:
    """The labels of one language: `labels("reports")`, `labels("stage.reader")`, with {placeholders}."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._locale: Any = None  # babel.Locale, imported on first use
        self._own = _catalog(lang)
        self._en = _catalog(FALLBACK)
        self._counts: dict[tuple[str, int], str] = {}
        self._times: dict[tuple, str] = {}

    def current(self) -> bool:
        """Whether its catalogs are still the ones `_catalog` gives (the same objects)."""
        return self._own is _catalog(self.lang) and self._en is _catalog(FALLBACK)

    def __call__(self, key: str, **values: object) -> str:
        text = self._own.get(key) or self._en.get(key)
        if text is None:
            if self._forms(self._en, key):  # a bug in the caller: a count's form depends on the number
                raise KeyError(f"label {key!r} takes a count: write it with Labels.count({key!r}, n)")
            raise KeyError(f"no label {key!r} in locales/{FALLBACK}.toml")
        return text.format(**values) if values else text

    def colon(self, key: str, **values: object) -> str:
        """A label and its colon, spaced as the language writes it (French: a narrow no-break space before)."""
        return self.with_colon(self(key, **values))

    def with_colon(self, text: str) -> str:
        """Any text and a colon, spaced as the language writes it."""
        return text + (self._own.get("punctuation.colon") or ":")

    def count(self, key: str, n: int, **values: object) -> str:
        """The one plural rule: `key`'s form for `n` in CLDR's plural category for this language (Babel), with
        {n} written as a number. A catalog gives a count key as a table of forms, `{ one = ..., other = ... }`,
        holding every category the language's rule can produce; `other` stands in for a missing one, and a
        language without the key at all falls back to English (with English's category)."""
        known = self._counts.get((key, n)) if not values and type(n) is int else None
        if known is not None:
            return known
        own = self._forms(self._own, key)
        forms, lang = (own, self.lang) if own else (self._forms(self._en, key), FALLBACK)
        if not forms:
            raise KeyError(f"no plural label {key!r} in locales/{FALLBACK}.toml")
        text = forms.get(plural_category(lang, abs(n))) or forms.get("other") or next(iter(forms.values()))
        out = text.format(n=self.number(n), **values)
        if not values and type(n) is int:  # remembered: an agenda's items say "20 min" again and again
            self._counts[(key, n)] = out
        return out

    @staticmethod
    def _forms(catalog: dict[str, str], key: str) -> dict[str, str]:
        """A count key's forms by category; an organisation's catalog may still give one plain string."""
        forms = {cat: catalog[f"{key}.{cat}"] for cat in PLURAL_CATEGORIES if f"{key}.{cat}" in catalog}
        if not forms and key in catalog:
            forms["other"] = catalog[key]
        return forms

    def term(self, group: str, value: str) -> str:
        """A translated value of a fixed list (stage, nature, kind...), or the value itself (custom natures)."""
        key = f"{group}.{value}"
        return self._own.get(key) or self._en.get(key) or value

    @property
    def locale(self):
        """Babel's Locale, parsed once (Babel parses a locale name on every call otherwise)."""
        if self._locale is None:
            from babel import Locale

            self._locale = Locale.parse(self.lang)
        return self._locale

    # -- Babel ------------------------------------------------------------------------

    def date(self, day: dt.date | dt.datetime, width: str = "full") -> str:
        from babel.dates import format_date

        # "EEEE", the day's name, reads only the weekday: seven texts for a feed's thousand dates
        key = ("date", self.lang, _day(day).weekday() if width == "EEEE" else _day(day), width)
        return _remember(key) or _store(key, format_date(day, width, locale=self.locale))

    def weekday(self, day: dt.date | dt.datetime) -> str:
        from babel.dates import format_date

        key = ("weekday", self.lang, _day(day))
        return _remember(key) or _store(key, format_date(day, "EEE", locale=self.locale))

    def time(self, instant: dt.datetime) -> str:
        """The wall time of an aware datetime in its own zone ('7:00 AM', '07:00')."""
        from babel.dates import format_time

        clock = _clock(instant)
        known = self._times.get(clock)  # this language's, without building the shared key (a feed asks 24,000)
        if known is None:
            key = ("time", self.lang, *clock)
            known = _remember(key) or _store(
                key, format_time(instant, "short", tzinfo=instant.tzinfo, locale=self.locale)
            )
            if len(self._times) < _FORMATTED_MAX:
                self._times[clock] = known
        return known

    def zone_name(self, instant: dt.datetime) -> str:
        """A localized zone name for the instant ('Pacific Standard Time', 'hora estándar del Pacífico')."""
        from babel.dates import get_timezone_name

        key = ("zone", self.lang, *_variant(instant))
        return _remember(key) or _store(key, get_timezone_name(instant, "long", locale=self.locale))

    def number(self, n: int) -> str:
        from babel.numbers import format_decimal

        if type(n) is not int:  # 1.50 and 1.5 are equal keys but may be written differently
            return format_decimal(n, locale=self.locale)
        key = ("number", self.lang, n)
        return _remember(key) or _store(key, format_decimal(n, locale=self.locale))

    def signed(self, n: int) -> str:
        return ("+" if n > 0 else "−" if n < 0 else "±") + self.number(abs(n))

    def minutes(self, n: int) -> str:
        return self.count("minutes", n)
