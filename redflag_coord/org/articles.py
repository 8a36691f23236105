"""Articles and their translations: the facts every command asks, computed once here.

An article is `collectives/<c>/articles/<id>.toml`; its source text and each translation's text are
Markdown files beside it (`<id>.<language>.md` unless `text` names another). A translation records
the rev of the source text it was made from (`from_rev`); it is stale when the source text's rev
differs now (MDN's `sourceCommit`).

The rev is a hash of the text as a reader sees it: line endings (CRLF or LF) and Unicode
normalisation (NFC or NFD of the same letters) do not change it, because an editor that re-saves
the same words must not mark every translation stale. Any other change does, even one space: the
tool cannot tell which edits a translator needs to see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from redflag_coord.org.load import COLLECTIVES, Organisation, rel_path
from redflag_coord.org.model import ArticleFile, Translation, TranslationState
from redflag_coord.org.parse import read_bytes
from redflag_coord.repo.contain import inside

DONE_STATES = frozenset({TranslationState.translated, TranslationState.reviewed, TranslationState.published})
REV_PREFIX = "sha256:"


def source_rev(text: str) -> str:
    """The rev of a text: sha256 of its NFC form with LF line endings, 16 hex digits (see the module)."""
    same = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return REV_PREFIX + hashlib.sha256(same.encode("utf-8")).hexdigest()[:16]


def text_name(article_id: str, language: str, given: str | None = None) -> str:
    """The file name of a text beside the article file: `given`, else '<id>.<language>.md'."""
    return given or f"{article_id}.{language}.md"


def text_rel(slug: str, article_id: str, name: str) -> str:
    return f"{COLLECTIVES}/{slug}/articles/{name}"


def read_text(root: os.PathLike[str] | str, rel: str) -> str | None:
    """A text file of an article (None when absent, unreadable, not UTF-8 or reached through a link
    out of the repository: it is never read then)."""
    path = os.path.join(root, rel)
    if not os.path.lexists(path) or not inside(os.path.realpath(root), os.path.realpath(path)):
        return None
    raw, _ = read_bytes(path, rel)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class TranslationFacts:
    """One translation with what the files around it say: whether its text exists, whether it is stale."""

    index: int  # its position among the article's [[translation]] entries
    entry: Translation
    text: str  # repository-relative path of its text file
    has_text: bool
    stale: bool  # translated or further, from a rev the source text no longer has

    @property
    def language(self) -> str:
        return self.entry.language

    @property
    def state(self) -> TranslationState:
        return self.entry.state


@dataclass(frozen=True)
class ArticleFacts:
    slug: str  # the collective whose folder holds it
    id: str
    article: ArticleFile
    source: str  # repository-relative path of the source text
    rev: str | None  # the source text's rev now; None without a readable source text
    translations: tuple[TranslationFacts, ...]

    @property
    def rel(self) -> str:
        return rel_path("article", self.slug, self.id)

    @property
    def editions(self) -> list[str]:
        return list(self.article.editions)


def article_facts(org: Organisation) -> list[ArticleFacts]:
    """Every article of the organisation with its texts' facts, by collective then id."""
    return [_facts(org, c.slug, aid, a) for c in org.collectives.values() for aid, a in sorted(c.articles.items())]


def _facts(org: Organisation, slug: str, aid: str, a: ArticleFile) -> ArticleFacts:
    source = text_rel(slug, aid, text_name(aid, a.language, a.text))
    text = read_text(org.root, source)
    rev = source_rev(text) if text is not None else None
    rows = []
    for i, t in enumerate(a.translations):
        rel = text_rel(slug, aid, text_name(aid, t.language, t.text))
        has = read_text(org.root, rel) is not None
        stale = t.state in DONE_STATES and rev is not None and t.from_rev is not None and t.from_rev != rev
        rows.append(TranslationFacts(i, t, rel, has, stale))
    return ArticleFacts(slug, aid, a, source, rev, tuple(rows))


def editions(facts: list[ArticleFacts]) -> list[str]:
    """Every edition some article names, sorted: an edition exists when an article is in it."""
    return sorted({e for f in facts for e in f.article.editions})


def translation_id(article_id: str, language: str) -> str:
    """The commitment id of a translation: '<article>-<language>' (lower case), e.g. 'maquilas-hi'."""
    return f"{article_id}-{language.lower()}"


@dataclass(frozen=True)
class TranslationDuty:
    """A translation as a commitment owed by the translating collective (org.commitments carries it)."""

    id: str
    text: str
    owner: str
    owed_to: str
    made: dt.date
    handle: str | None
    due: dt.date | None
    source: str
    key: tuple[str | int, ...]
    status: Literal["open", "done", "dropped"]  # from the translation's state
    status_date: dt.date
    stale: bool
    commitment: str | None = None  # a minutes commitment it carries out (org.commitments merges the two)


def duties(org: Organisation) -> Iterator[TranslationDuty]:
    """Each translation someone is asked for (`to`) or has claimed (`claimed_by`), as a commitment:
    open while requested or claimed, and again while stale; done once translated; dropped when declined."""
    for f in article_facts(org):
        for t in f.translations:
            e = t.entry
            owner = e.claimed_by or e.to
            if owner is None:
                continue
            status: Literal["open", "done", "dropped"]
            if e.state == TranslationState.declined:
                status = "dropped"
            elif e.state in DONE_STATES and not t.stale:
                status = "done"
            else:
                status = "open"
            yield TranslationDuty(
                id=translation_id(f.id, e.language),
                text=f"{f.article.title} ({f.article.language} → {e.language})",
                owner=owner,
                owed_to=e.requested_by,
                made=e.requested,
                handle=e.translator,
                due=None if t.stale else e.due,  # an update owed since the source changed: no date set
                source=f.rel,
                key=("translation", t.index),
                status=status,
                status_date=e.date or e.requested,
                stale=t.stale,
                commitment=e.commitment,
            )
