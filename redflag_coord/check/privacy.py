"""Personal details in text that gets published.

Every field an output shows (org.published: agendas, invites, feeds, minutes, the site; meeting ids,
which become URLs and UIDs) leaves the repository. An error names the file, line and key where such
text seems to hold an email address, a phone number or a relationship's pseudonym (in any of the forms
org.leaks knows), and never repeats what it found: the message itself ends up in CI logs. Text that
stays in the repository but travels with every clone (comments in the private files, see check.outside)
gets the same check as a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from redflag_coord.org import leaks
from redflag_coord.org.load import CollectiveData, Organisation, rel_path
from redflag_coord.org.model import SEALED_PREFIX, Meeting, Report
from redflag_coord.org.problems import Problems, Severity
from redflag_coord.org.published import texts_of
from redflag_coord.org.textcheck import fold

CODE = "private-text"
MIN_PSEUDONYM = 3  # shorter pseudonyms would match ordinary words

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d[\d\s().\-/]{5,}\d(?!\w)"  # international: +503 7012 3456, 0052 55 ...
    r"|(?<![\w.\-])\(?\d{2,4}\)?[ .\-]\d{3,4}[ .\-]\d{3,5}(?![\w.\-])"  # grouped: (213) 555-0199
    r"|(?<![\w.\-])\d{9,15}(?![\w.\-])"  # run together: 5550199123
)


@dataclass(frozen=True)
class Published:
    file: str
    key: tuple[str | int, ...]
    text: str
    severity: Severity = "error"  # published text; "warning": plain text that stays in the repository
    line: int | None = None  # where known without the key (a comment, a commit message)
    where: str = ""  # what happens to this text, for the message (default: by severity)


def published_texts(org: Organisation) -> Iterator[Published]:
    """Every text value that leaves the repository (org.published: what each output shows)."""
    yield from frame_texts(org)
    for c in org.collectives.values():
        for mid, r in c.reports.items():
            yield from report_texts(c.slug, mid, r)


def frame_texts(org: Organisation) -> Iterator[Published]:
    """The published texts of every file but the reports (validate reads those one by one)."""
    for c in org.collectives.values():
        yield from collective_texts(c)
        for mid, m in c.meetings.items():
            yield from meeting_texts(c.slug, mid, m)
        for mid, n in c.minutes.items():
            yield from kind_texts("minutes", c.slug, mid, n)
        for aid, a in c.articles.items():
            yield from kind_texts("article", c.slug, aid, a)
        for mid, motion in c.motions.items():  # its id too: the decisions page and export show it
            yield Published(rel_path("motion", c.slug, mid), (), mid.replace("-", " "))
            yield from kind_texts("motion", c.slug, mid, motion)


ARTICLE_TEXT = "this article's text is for publication in Red Flag"


def article_texts(org: Organisation) -> Iterator[Published]:
    """Each line of every article's source text and translations (the Markdown files beside the article): what
    Red Flag prints, so a contact's pseudonym, an email or a phone number there is published. Line by line, so
    the message names the line; a Markdown link's target is a line's text like any other."""
    from redflag_coord.org.articles import article_facts, read_text

    for f in article_facts(org):
        for rel in (f.source, *(t.text for t in f.translations if t.has_text)):
            text = read_text(org.root, rel)
            for n, line in enumerate((text or "").splitlines(), start=1):
                if line.strip():
                    yield Published(rel, (), line, line=n, where=ARTICLE_TEXT)


def collective_texts(c: CollectiveData) -> Iterator[Published]:
    """The published texts of a collective's collective.toml and members.toml."""
    if c.info is not None:
        yield from kind_texts("collective", c.slug, None, c.info)
    if c.members is not None:
        yield from kind_texts("members", c.slug, None, c.members)


def kind_texts(kind: str, slug: str, name: str | None, model: BaseModel) -> Iterator[Published]:
    rel = rel_path(kind, slug, name)
    for key, text in texts_of(kind, model):
        yield Published(rel, key, text)


def report_texts(slug: str, mid: str, r: Report) -> Iterator[Published]:
    """The published texts of one report."""
    return kind_texts("report", slug, mid, r)


def meeting_texts(slug: str, mid: str, m: Meeting) -> Iterator[Published]:
    """The published texts of one meeting, its id first: the file name becomes a URL and a calendar UID."""
    yield Published(rel_path("meeting", slug, mid), (), mid.replace("-", " "))
    yield from kind_texts("meeting", slug, mid, m)


def is_hidden(pseudonym: str) -> bool:
    """Sealed, or the stand-in for one nobody here can read: nothing to look for in published text."""
    return pseudonym.startswith(SEALED_PREFIX) or pseudonym == "(encrypted)"


_DIGIT = re.compile(r"\d")


def looks_like_phone(text: str) -> bool:
    if len(_DIGIT.findall(text)) < 7:  # cheap: most published text holds fewer digits than any phone number
        return False
    return any(7 <= sum(ch.isdigit() for ch in m.group()) <= 15 for m in PHONE.finditer(text))


class Pseudonyms:
    """Every pseudonym of the organisation (org.leaks: wrapped, plural, possessive, each rare word alone),
    found in text by one regular expression; and the countries whose local phone formats are looked for."""

    def __init__(self, org: Organisation) -> None:
        self.sources: list[str] = []  # per entry: where that pseudonym comes from
        entries: dict[tuple[str, ...], str] = {}
        self.regions: tuple[str, ...] = ()
        regions: dict[str, None] = {}
        for c in org.collectives.values():
            if c.info is not None:
                region = leaks.region_of(c.info.country, c.info.timezone)
                if region:
                    regions.setdefault(region)
            if c.relationships is None:
                continue
            rel = rel_path("relationships", c.slug)
            for i, r in enumerate(c.relationships.relationships):
                raw = r.pseudonym.strip()
                name = leaks.bare(fold(raw))
                if len(name) >= MIN_PSEUDONYM and not is_hidden(raw):
                    for parts in leaks.name_words(name):
                        entries.setdefault(parts, f"relationship[{i}] in {rel}")
        self.regions = tuple(regions)
        # the longest pattern first, as one alternation would try them (leaks.compile_names)
        ordered = sorted(entries, key=lambda parts: len(leaks.name_pattern(" ".join(parts))), reverse=True)
        self.sources = [entries[p] for p in ordered]
        self.finder = leaks.NameFinder()
        for rank, parts in enumerate(ordered):
            self.finder.add(parts, rank, rank)

    def find(self, text: str) -> str | None:
        """Where the first pseudonym found in `text` comes from, or None."""
        if not self.finder:
            return None
        found = self.finder.find(leaks.bare(fold(text)))
        return self.sources[found] if found is not None else None


def check_private_text(org: Organisation, out: Problems) -> None:
    """Every published text of the organisation (see `check_texts`)."""
    check_texts(published_texts(org), Pseudonyms(org), out)


_WHERE = {
    "error": "this text is published (agendas, invites, minutes, the site)",
    "warning": "this comment is in every clone of the repository",
}


def check_texts(texts: Iterable[Published], pseudonyms: Pseudonyms, out: Problems) -> None:
    """Compares normalised forms (textcheck.fold): a pseudonym spelt in NFD, with a soft hyphen or
    zero-width joiner inside, or with a Cyrillic letter, is still found. An error in published text,
    a warning (Published.severity) elsewhere."""
    for p in texts:
        text = p.text if p.text.isascii() else fold(p.text, confusables=False)
        where = p.where or _WHERE[p.severity]
        if ("@" in text and EMAIL.search(text)) or leaks.obfuscated_email(text.lower()):
            out.add(
                p.file,
                CODE,
                f"looks like an email address, and {where}: refer to members by handle and remove it",
                key=p.key,
                severity=p.severity,
                line=p.line,
            )
        if looks_like_phone(text) or leaks.local_phone(text, pseudonyms.regions):
            out.add(
                p.file,
                CODE,
                f"looks like a phone number, and {where}: remove it",
                key=p.key,
                severity=p.severity,
                line=p.line,
            )
        source = pseudonyms.find(p.text)
        if source:
            out.add(
                p.file,
                CODE,
                f"holds the pseudonym (or a rare word of it) of {source}, and {where}: pseudonyms stay in "
                "relationships.toml; describe the contact without it",
                key=p.key,
                severity=p.severity,
                line=p.line,
            )
