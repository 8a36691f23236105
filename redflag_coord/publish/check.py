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
from redflag_coord.org.secrets import WITHHELD_PSEUDONYM, slots
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


class Matcher:
    """Every needle in two regular expressions (words; phones by their digits), compiled once per site."""

    def __init__(self, found: list[Needle]) -> None:
        self.by_value = {n.value: n for n in found}
        words = sorted(self.by_value, key=len, reverse=True)
        self.words = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)") if words else None
        self.by_digits: dict[str, Needle] = {}
        for n in found:
            digits = re.sub(r"\D", "", n.value)
            if len(digits) >= 7 and len(digits) >= len(_SEPARATORS.sub("", n.value)) - 1:  # a phone number
                self.by_digits.setdefault(digits, n)
        numbers = sorted(self.by_digits, key=len, reverse=True)
        self.numbers = re.compile(r"(?<!\d)(?:" + "|".join(numbers) + r")(?!\d)") if numbers else None

    def hits(self, text: str) -> dict[Needle, None]:
        """The needles that appear in `text` as whole words (phones also without their separators)."""
        out: dict[Needle, None] = {}
        for form in views(text):
            if self.words is not None:
                out.update((self.by_value[m.group()], None) for m in self.words.finditer(form))
            if self.numbers is not None:
                squeezed = _SEPARATORS.sub("", form)
                out.update((self.by_digits[m.group()], None) for m in self.numbers.finditer(squeezed))
        return out


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
