"""Personal details in text that gets published.

Report summaries, articles, requests, agenda items and meeting descriptions
leave the repository (agendas, invites, the paper). A warning names the file,
line and key where such text seems to hold an email address, a phone number or
a relationship's pseudonym, and never repeats what it found: the warning itself
ends up in CI logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redflag_coord.org.load import Organisation, rel_path
from redflag_coord.org.model import SEALED_PREFIX, Meeting, Report
from redflag_coord.org.problems import Problems
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


def published_texts(org: Organisation) -> Iterator[Published]:
    """Every text value that leaves the repository in an agenda, invite or report."""
    for c in org.collectives.values():
        for mid, r in c.reports.items():
            yield from report_texts(c.slug, mid, r)
        for mid, m in c.meetings.items():
            yield from meeting_texts(c.slug, mid, m)


def report_texts(slug: str, mid: str, r: Report) -> Iterator[Published]:
    """The published texts of one report."""
    rel = rel_path("report", slug, mid)
    yield Published(rel, ("summary",), r.summary)
    for i, a in enumerate(r.articles):
        yield Published(rel, ("article", i, "title"), a.title)
        if a.topic:
            yield Published(rel, ("article", i, "topic"), a.topic)
    for i, q in enumerate(r.requests):
        yield Published(rel, ("request", i, "text"), q.text)


def meeting_texts(slug: str, mid: str, m: Meeting) -> Iterator[Published]:
    """The published texts of one meeting."""
    rel = rel_path("meeting", slug, mid)
    yield Published(rel, ("title",), m.title)
    if m.description:
        yield Published(rel, ("description",), m.description)
    for i, item in enumerate(m.items):
        yield Published(rel, ("item", i, "topic"), item.topic)
        if item.notes:
            yield Published(rel, ("item", i, "notes"), item.notes)


def is_hidden(pseudonym: str) -> bool:
    """Sealed, or the stand-in for one nobody here can read: nothing to look for in published text."""
    return pseudonym.startswith(SEALED_PREFIX) or pseudonym == "(encrypted)"


_DIGIT = re.compile(r"\d")


def looks_like_phone(text: str) -> bool:
    if len(_DIGIT.findall(text)) < 7:  # cheap: most published text holds fewer digits than any phone number
        return False
    return any(7 <= sum(ch.isdigit() for ch in m.group()) <= 15 for m in PHONE.finditer(text))


class Pseudonyms:
    """Every pseudonym of the organisation, found in text by one regular expression."""

    def __init__(self, org: Organisation) -> None:
        self.source: dict[str, str] = {}
        for c in org.collectives.values():
            if c.relationships is None:
                continue
            rel = rel_path("relationships", c.slug)
            for i, r in enumerate(c.relationships.relationships):
                raw = r.pseudonym.strip()
                name = fold(raw)
                if len(name) >= MIN_PSEUDONYM and not is_hidden(raw):
                    self.source.setdefault(name, f"relationship[{i}] in {rel}")
        names = sorted(self.source, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)", re.IGNORECASE) if names else None
        )

    def find(self, text: str) -> str | None:
        """Where the first pseudonym found in `text` comes from, or None."""
        if self.pattern is None:
            return None
        m = self.pattern.search(fold(text))
        return self.source.get(m.group()) if m else None


def check_private_text(org: Organisation, out: Problems) -> None:
    """Every published text of the organisation (see `check_texts`)."""
    check_texts(published_texts(org), Pseudonyms(org), out)


def check_texts(texts: Iterable[Published], pseudonyms: Pseudonyms, out: Problems) -> None:
    """Compares normalised forms (textcheck.fold): a pseudonym spelt in NFD, with a soft hyphen or
    zero-width joiner inside, or with a Cyrillic letter, is still found."""
    for p in texts:
        text = p.text if p.text.isascii() else fold(p.text, confusables=False)
        if "@" in text and EMAIL.search(text):
            out.add(
                p.file,
                CODE,
                "looks like an email address, and this text is published (agendas, invites, "
                "reports): refer to members by handle and remove it",
                key=p.key,
                severity="warning",
            )
        if looks_like_phone(text):
            out.add(
                p.file,
                CODE,
                "looks like a phone number, and this text is published (agendas, invites, reports): remove it",
                key=p.key,
                severity="warning",
            )
        source = pseudonyms.find(p.text)
        if source:
            out.add(
                p.file,
                CODE,
                f"holds the pseudonym of {source}, and this text is published (agendas, "
                "invites, reports): pseudonyms stay in the repository; describe the contact without it",
                key=p.key,
                severity="warning",
            )
