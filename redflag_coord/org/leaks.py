"""What private text looks like once someone has typed it into published text: one small function per form.

The private-text check (check.privacy) asks these on normalised text (textcheck.fold: NFKC, case-folded,
invisible characters removed, look-alike letters mapped), so "Quetzalli" in NFD, with a soft hyphen
inside or a Cyrillic "е" is the same name. Each matcher answers only *whether* and *where from*, never
the value: the answer ends up in CI logs.

- A pseudonym is found without accents ("Dona Flor" for "Doña Flor"), as whole words, wrapped over
  lines or with several spaces, hyphens, dots or underscores between its words (a meeting id
  `visit-quetzalli-vexo`), and with a plural or possessive ending ("Quetzalli's", "Vexos").
- Each word of a multi-word pseudonym is found alone when it is rare enough: RARE_MIN letters or more
  and not one of the COMMON words below (ordinary words of the organisation's languages that people
  choose as pseudonyms or parts of them). "Quetzalli" and "Vexo" alone are found; "Rosa", "Flor" and
  "Negro" (common) are not, nor any word of 3 letters or fewer ("El", "Tío").
- A phone number in the local format of a country where the organisation has a collective ("7012 3456"
  in El Salvador), read by Google's libphonenumber data (the `phonenumbers` package): a regex cannot know
  that eight digits are a number in one country and not in another.
- An email address spelt to dodge filters: "name at riseup.net", "name [at] riseup [dot] net".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from redflag_coord.org.textcheck import fold

RARE_MIN = 4  # a word of a multi-word pseudonym shorter than this is too likely an ordinary word
# Ordinary words of RARE_MIN letters or more that are also common in pseudonyms (trades among them): never
# matched alone (compared folded, like the text). Deliberately small: a false alarm is fixed by rewording,
# a missed name is not fixed at all.
_COMMON_WORDS = (
    "about after again along black brown green white small great young first comrade sister brother worker",
    "workers union friend friends house night street north south river field light market",
    "negro negra blanco blanca verde rojo grande chico chica hermano hermana amigo amiga compa compañero",
    "compañera trabajador trabajadora obrero obrera calle norte campo noche mundo pueblo tierra nueva nuevo",
    "maestro maestra cortador cortadora",
    "doña flor rosa casa vida amor luna agua mano gato niño niña tío tía hijo hija café pan",
    "blue gold star rose lady king wolf bear lion rock road hill lake moon rain snow fire wood",
    "from with that this have what when will your they them been more some good best",
    "rouge blanc noire grand petit frère soeur ami amie ouvrier ouvrière",
    "preto branco vermelho irmão irmã amigo",
)
COMMON = frozenset(word for line in _COMMON_WORDS for word in line.split())
SUFFIX = r"(?:'s|’s|'|’|s|es)?"  # possessive and plural endings (English, Spanish)
JOIN = r"[\s\-_.·]+"  # between the words of a pseudonym: spaces, line breaks, an id's hyphens

_WORD = re.compile(r"\w+")


def bare(folded: str) -> str:
    """Folded text without its accents, as a slug or a hurried typist writes it ("dona" for "doña")."""
    if folded.isascii():
        return folded
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    )


def words(name: str) -> list[str]:
    """The words of a folded pseudonym."""
    return _WORD.findall(name)


def is_rare(word: str) -> bool:
    """Whether one word of a multi-word pseudonym is rare enough to be looked for alone."""
    return len(word) >= RARE_MIN and word not in _common() and not word.isdigit()


@cache
def _common() -> frozenset[str]:
    return frozenset(fold(w) for w in COMMON)  # "maestro" folds to "rnaestro" (look-alikes mapped)


def name_pattern(name: str) -> str:
    """A regex for a folded pseudonym, whatever separates its words, with a plural or possessive ending."""
    return JOIN.join(map(re.escape, words(name))) + SUFFIX


def pseudonym_patterns(name: str) -> list[str]:
    """The whole name, then each rare word of a multi-word name alone."""
    parts = words(name)
    out = [name_pattern(name)] if parts else []
    if len(parts) > 1:
        out.extend(re.escape(w) + SUFFIX for w in parts if is_rare(w))
    return out


def compile_names(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for many names as whole words, group i+1 for patterns[i] (give the longest first)."""
    ordered = list(patterns)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(f"({p})" for p in ordered) + r")(?!\w)")


class NameFinder:
    """Many names found as whole words in one pass over a text: what `compile_names` of their
    `pseudonym_patterns` finds (the same matches, the same answer), in time linear in the text.

    One alternation of thousands of names costs each search a step per name and per position, so a
    check of every report against every pseudonym grew with the square of the organisation; here each
    word of the text is one dictionary lookup. An entry is the words of a name (the whole name, or one
    rare word alone); its last word may carry a plural or possessive ending (SUFFIX), and its words may be
    joined by anything JOIN allows.
    """

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[int, tuple[str, ...], int]]] = {}  # first word -> (rank, words, source)

    def add(self, parts: Iterable[str], source: int, rank: int) -> None:
        """A name's words; `source` is what `find` answers; among matches at one place the lowest rank wins."""
        words_ = tuple(parts)
        if words_:
            self._by_first.setdefault(words_[0], []).append((rank, words_, source))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, text: str) -> int | None:
        """The source of the leftmost name in `text` (already folded and bare), or None."""
        found = self.search(text)
        return found[0] if found else None

    def search(self, text: str) -> tuple[int, int] | None:
        """(source, offset in `text`) of the leftmost name, or None."""
        tokens = [(m.group(), m.start(), m.end()) for m in _PIECE.finditer(text)]
        for i, (word, start, _) in enumerate(tokens):
            if start and text[start - 1] == "_":  # inside a longer word ("x_name"): not a whole word
                continue
            best: tuple[int, int] | None = None
            for key in _stems(word):
                for rank, parts, source in self._by_first.get(key, ()):
                    if (best is None or rank < best[0]) and _matches(parts, tokens, i, text):
                        best = (rank, source)
            if best is not None:
                return best[1], start
        return None


def _stems(word: str) -> tuple[str, ...]:
    """The word, and the word without a plural ending (a one-word name's only word may carry it)."""
    out = [word]
    if word.endswith("es") and len(word) > 2:
        out.append(word[:-2])
    if word.endswith("s") and len(word) > 1:
        out.append(word[:-1])
    return tuple(out)


_JOINED = re.compile(JOIN)
_PIECE = re.compile(r"[^\W_]+")  # a word's pieces: "_" joins the words of a name (JOIN), as in an id


def _matches(parts: tuple[str, ...], tokens: list[tuple[str, int, int]], i: int, text: str) -> bool:
    if i + len(parts) > len(tokens):
        return False
    for k, want in enumerate(parts):
        word, start, _ = tokens[i + k]
        if k and not _JOINED.fullmatch(text, tokens[i + k - 1][2], start):
            return False
        last = k == len(parts) - 1
        if word != want and not (last and word in (want + "s", want + "es")):
            return False
    end = tokens[i + len(parts) - 1][2]
    return not text.startswith("_", end)  # followed by more of the same word ("name_x"): not a whole word


def name_words(pattern_name: str) -> list[tuple[str, ...]]:
    """The entries of `pseudonym_patterns(name)`, as words, in the same order (an underscore inside a
    name's word separates two words, as JOIN allows in text)."""
    parts = [piece for w in words(pattern_name) for piece in w.split("_") if piece]
    out = [tuple(parts)] if parts else []
    if len(parts) > 1:
        out.extend((w,) for w in parts if is_rare(w))
    return out


# -- obfuscated email addresses -------------------------------------------------------------------

_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_OBFUSCATED = re.compile(
    rf"(?<![\w.])[a-z0-9][\w.+-]*{_AT}[a-z0-9][\w-]*(?:{_DOT}[a-z0-9][\w-]*)*{_DOT}[a-z]{{2,10}}(?![\w])"
)


def obfuscated_email(folded: str) -> bool:
    """An address spelt out: 'name at riseup.net', 'name [at] riseup [dot] net', 'name(at)riseup(dot)net'."""
    if "at" not in folded:
        return False
    return _OBFUSCATED.search(folded) is not None


# -- local phone numbers --------------------------------------------------------------------------


@cache
def zone_countries() -> dict[str, str]:
    """IANA zone -> ISO 3166 country code, from the tz database's zone.tab (the tzdata package, else the system)."""
    text = _zone_tab()
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            out[fields[2]] = fields[0]
    return out


def _zone_tab() -> str:
    try:
        from importlib import resources

        return resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    try:
        with open("/usr/share/zoneinfo/zone.tab", encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def region_of(country: str | None, timezone: str | None) -> str | None:
    """A collective's country for phone formats: its `country`, else the country of its time zone."""
    if country:
        return country.upper()
    return zone_countries().get(timezone or "")


_DIGITS = re.compile(r"\d")


def local_phone(text: str, regions: Iterable[str]) -> bool:
    """A phone number valid in one of `regions`, in that country's own format ("7012 3456" in SV)."""
    if len(_DIGITS.findall(text)) < 7:  # no country's numbers are shorter
        return False
    import phonenumbers

    for region in regions:
        for _ in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            return True
    return False
