"""The last look before a site is written: no page names a member or shows a private value.

One function (check_site) searches every page, its path included, for every member handle the tool
knows (members.toml; the minutes' chair, minute taker and commitments) unless the organisation
publishes its members ([publish] members = true), and for every private value it can read (plain
text, or opened with an identity): emails, phones, pseudonyms, workplaces, notes. A page is read as
a visitor could see it: as written, with iCalendar lines unfolded and escapes undone, with HTML
entities and URL escapes decoded, compared case-insensitively in Unicode's compatibility form.
A hit names the page and where the value comes from, never the value itself (the message reaches
terminals and CI logs).
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from redflag_coord.crypt import is_sealed
from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.secrets import GUESSABLE, WITHHELD_PSEUDONYM, slots
from redflag_coord.org.textcheck import fold

MIN_LENGTH = 3  # shorter values would match ordinary words
_SEPARATORS = re.compile(r"[\s().\-/+]")


@dataclass(frozen=True)
class Needle:
    value: str  # folded
    source: str  # "the handle of member[0] in collectives/los-angeles/members.toml"
    handle: bool


def needles(org: Organisation, members: bool) -> list[Needle]:
    """What no page may show: handles (unless `members`) and every private value this run can read."""
    found: dict[str, Needle] = {}

    def add(value: str | None, source: str, handle: bool) -> None:
        if value is None or is_sealed(value) or value == WITHHELD_PSEUDONYM or (handle and members):
            return
        folded = fold(value.strip(), confusables=False)
        if len(folded) >= MIN_LENGTH:
            found.setdefault(folded, Needle(folded, source, handle))

    for s in slots(org):
        if s.attr not in GUESSABLE:  # a date or a conversation's kind is on pages by chance, never from the value
            add(s.value, f"the {s.attr} of {_key(s.key)} in {s.file}", False)
    for slug, c in org.collectives.items():
        if c.members is not None:
            for i, m in enumerate(c.members.members):
                add(m.handle, f"the handle of member[{i}] in {rel_path('members', slug)}", True)
        for mid, minutes in c.minutes.items():
            where = rel_path("minutes", slug, mid)
            add(minutes.chair, f"the chair in {where}", True)
            add(minutes.minute_taker, f"the minute taker in {where}", True)
            for i, cm in enumerate(minutes.commitments):
                add(cm.handle, f"the handle of commitment[{i}] in {where}", True)
    return list(found.values())


def _key(key: tuple[str | int, ...]) -> str:
    out = ""
    for part in key[:-1]:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + part
    return out


def views(text: str) -> list[str]:
    """The page as a visitor could read it, each form folded for comparing."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    ical = unfolded.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\N", "\n")
    forms = dict.fromkeys([text, ical, html.unescape(ical), urllib.parse.unquote(ical)])
    return [fold(f, confusables=False) for f in forms]


_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")


class Matcher:
    """Every needle found where it stands as whole words (phones also by their digits alone), in time
    linear in the page.

    One alternation of every needle cost each page a step per needle and per position, so publishing
    grew with pages × members (39 of 47 s of `publish` at 1,000 meetings). Here a needle that starts
    with a word character is filed under its first word, and only the needles whose first word is among
    the page's words (one set intersection) are searched for. A phone is its digits,
    which on the page (separators squeezed out) are a whole run of digits: one set lookup per run. The
    few needles that start with something else are searched one by one. Matches may overlap (both
    "ana maria" and "maria lopez" in "ana maria lopez"): every needle that stands on the page is found.
    """

    def __init__(self, found: list[Needle]) -> None:
        self.by_value = {n.value: n for n in found}
        self.by_first: dict[str, list[str]] = {}
        self.patterns: dict[str, re.Pattern[str]] = {}
        rest: list[str] = []
        for value in self.by_value:
            first = _WORD.match(value)
            if first is None:
                rest.append(value)
            else:
                self.by_first.setdefault(first.group(), []).append(value)
        self.rest = [(v, re.compile(r"(?<!\w)" + re.escape(v) + r"(?!\w)")) for v in rest]
        self.by_digits: dict[str, Needle] = {}
        for n in found:
            digits = re.sub(r"\D", "", n.value)
            if len(digits) >= 7 and len(digits) >= len(_SEPARATORS.sub("", n.value)) - 1:  # a phone number
                self.by_digits.setdefault(digits, n)

    def hits(self, text: str) -> dict[Needle, None]:
        """The needles that appear in `text` as whole words (phones also without their separators)."""
        out: dict[Needle, None] = {}
        for form in views(text):
            out.update((self.by_value[v], None) for v in self._words(form))
            out.update((self.by_value[v], None) for v, pattern in self.rest if pattern.search(form))
            if self.by_digits:
                squeezed = _SEPARATORS.sub("", form)
                for m in _DIGITS.finditer(squeezed):
                    if (n := self.by_digits.get(m.group())) is not None:
                        out[n] = None
        return out

    def _words(self, form: str) -> Iterable[str]:
        """The word-led needles standing in `form`: the page's words meet the needles' first words in one set
        intersection, and only the needles filed under a shared word are searched for."""
        for word in self.by_first.keys() & set(_WORD.findall(form)):
            for value in self.by_first[word]:
                if self._pattern(value).search(form):
                    yield value

    def _pattern(self, value: str) -> re.Pattern[str]:
        if (p := self.patterns.get(value)) is None:
            p = self.patterns[value] = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
        return p


def check_site(org: Organisation, pages: Iterable[tuple[str, bytes]], members: bool) -> str | None:
    """What the site would show that it must not, and on which pages (path, body): a message, or None."""
    matcher = Matcher(needles(org, members))
    shown: dict[Needle, list[str]] = {}
    for path, body in pages:
        for n in matcher.hits(path + "\n" + body.decode("utf-8", errors="replace")):
            shown.setdefault(n, []).append(path)
    if not shown:
        return None
    lines = [f"{n.source} on {_pages(paths)}" for n, paths in shown.items()]
    fixes = []
    if any(n.handle for n in shown):
        fixes.append("name collectives instead of members (or set [publish] members = true in organisation.toml)")
    if any(not n.handle for n in shown):
        fixes.append("take the private value out of the published text")
    return f"not publishing, nothing was written: the site would show {'; '.join(lines)}. {'; '.join(fixes)}"


def _pages(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more page(s)" if len(paths) > 3 else "")
