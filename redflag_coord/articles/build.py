"""The edition table: rows are articles, columns languages, each cell one translation's state.

Only collectives are named (who claimed a translation), never a member: the table is for every
collective, and a translator's or reviewer's handle stays in the article file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from redflag_coord.i18n.labels import pick_language
from redflag_coord.org.articles import ArticleFacts, TranslationFacts, article_facts, editions
from redflag_coord.org.load import Organisation, UnknownId
from redflag_coord.org.model import TranslationState

CellState = Literal[
    "source", "published", "reviewed", "stale", "translated", "claimed", "requested", "declined", "missing"
]


@dataclass(frozen=True)
class Cell:
    state: CellState
    by: str | None = None  # the collective that claimed it
    machine: bool = False


@dataclass(frozen=True)
class Row:
    collective: str
    id: str
    title: str
    language: str  # the source's
    status: str
    editions: tuple[str, ...]
    rev: str | None  # the source text's rev now (what a translation's from_rev is set to)
    cells: tuple[Cell, ...]  # one per language of the table


@dataclass(frozen=True)
class EditionTable:
    lang: str  # the reader's language
    edition: str | None  # None: every article
    editions: tuple[str, ...]  # every edition named by an article
    languages: tuple[str, ...]
    rows: tuple[Row, ...]
    names: dict[str, str]


def cell_of(t: TranslationFacts) -> Cell:
    """A translation's cell: stale before its state (it needs work whatever step it reached)."""
    e = t.entry
    if e.state == TranslationState.declined:
        state: CellState = "declined"
    elif t.stale:
        state = "stale"
    else:
        state = e.state.value
    return Cell(state, e.claimed_by, e.machine)


def _row(f: ArticleFacts, languages: tuple[str, ...]) -> Row:
    by_lang = {t.language.lower(): t for t in f.translations}
    cells = []
    for lang in languages:
        if lang == f.article.language.lower():
            cells.append(Cell("source"))
        elif lang in by_lang:
            cells.append(cell_of(by_lang[lang]))
        else:
            cells.append(Cell("missing"))
    a = f.article
    return Row(f.slug, f.id, a.title, a.language, a.status.value, tuple(a.editions), f.rev, tuple(cells))


def build_status(
    org: Organisation, edition: str | None = None, lang: str | None = None, preferred: Iterable[str] = ()
) -> EditionTable:
    """The edition table of `edition` (every article without one), in the reader's language `lang`
    (else the first of `preferred` with a catalog). The columns are every language of the collectives
    and of the articles, so a language nobody translated into shows as "no translation"."""
    language = pick_language(lang, preferred)
    facts = article_facts(org)
    known = editions(facts)
    if edition is not None and edition not in known:
        raise UnknownId("edition", edition, known)
    chosen = [f for f in facts if edition is None or edition in f.article.editions]
    langs = {x.lower() for slug in org.collectives for x in org.languages_of(slug)}
    langs |= {f.article.language.lower() for f in facts}
    langs |= {t.language.lower() for f in facts for t in f.translations}
    columns = tuple(sorted(langs))
    rows = tuple(_row(f, columns) for f in chosen)
    return EditionTable(language, edition, tuple(known), columns, rows, org.names())
