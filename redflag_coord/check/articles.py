"""Article files and their translations, checked against the collectives, members and texts they name."""

from __future__ import annotations

from redflag_coord.org.articles import DONE_STATES, ArticleFacts, TranslationFacts, article_facts, translation_id
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import TranslationState
from redflag_coord.org.problems import Problems

_REVIEWED = frozenset({TranslationState.reviewed, TranslationState.published})


def check_articles(org: Organisation, out: Problems) -> None:
    """Every article: collectives and members resolve, one translator per language, states in order,
    texts present, reviews by someone else than the translator, stale translations warned."""
    handles = {m.handle: c.slug for c in org.collectives.values() if c.members for m in c.members.members}
    seen: dict[str, str] = {}
    for f in article_facts(org):
        if f.id in seen:
            out.add(
                f.rel,
                "duplicate-article",
                f"article id {f.id!r} is used already in {seen[f.id]}: its translations would share commitment "
                "ids; rename this file",
            )
        seen.setdefault(f.id, f.rel)
        _check_article(org, f, handles, out)


def _check_article(org: Organisation, f: ArticleFacts, handles: dict[str, str], out: Problems) -> None:
    languages: dict[str, int] = {}
    for t in f.translations:
        key = ("translation", t.index)
        lang = t.language.lower()
        if lang == f.article.language.lower():
            out.add(
                f.rel,
                "duplicate-language",
                f"a translation into {t.language!r}, the source's own language: remove it or fix 'language'",
                key=(*key, "language"),
            )
        elif lang in languages:
            out.add(
                f.rel,
                "duplicate-language",
                f"a second translation into {t.language!r} (the first is [[translation]] {languages[lang] + 1}): "
                "one translator per language; keep one entry",
                key=(*key, "language"),
            )
        languages.setdefault(lang, t.index)
        _references(org, f, t, handles, out)
        _state(f, t, handles, out)
    if f.rev is None and any(t.state in DONE_STATES for t in f.translations):
        out.add(
            f.rel,
            "missing-text",
            f"no source text {f.source} (UTF-8): translations were made from it; add the file or set 'text'",
            key=("text",) if f.article.text else ("language",),
        )


def _references(
    org: Organisation, f: ArticleFacts, t: TranslationFacts, handles: dict[str, str], out: Problems
) -> None:
    e, key = t.entry, ("translation", t.index)
    for field in ("requested_by", "to", "claimed_by"):
        slug = getattr(e, field)
        if slug is not None and slug not in org.collectives:
            out.add(
                f.rel,
                "unknown-collective",
                f"no collective {slug!r} (known: {', '.join(sorted(org.collectives))})",
                key=(*key, field),
            )
    # a fetched collective's members stay in its own repository (issue 34): its handles are not known here
    fetched = bool(org.fetched)
    if (
        e.translator is not None
        and e.claimed_by in org.collectives
        and e.claimed_by not in org.fetched
        and handles.get(e.translator) != e.claimed_by
    ):
        out.add(
            f.rel,
            "unresolved-ref",
            f"translator {e.translator!r} is not a member of {e.claimed_by!r}, which claimed the translation",
            key=(*key, "translator"),
        )
    if e.reviewer is not None and e.reviewer not in handles and not fetched:
        out.add(f.rel, "unresolved-ref", f"reviewer {e.reviewer!r} is no member's handle", key=(*key, "reviewer"))
    if e.commitment is not None:
        _carried(org, f, t, out)


def _carried(org: Organisation, f: ArticleFacts, t: TranslationFacts, out: Problems) -> None:
    """The minutes commitment a translation says it carries out exists and is owed by its translators; a
    warning otherwise: the translation then stands as a commitment of its own (org.commitments), nothing is lost."""
    e, key = t.entry, ("translation", t.index, "commitment")
    owners = {
        cm.id: (cm.owner, f"collectives/{c.slug}/minutes/{mid}.toml")
        for c in org.collectives.values()
        for mid, m in c.minutes.items()
        for cm in m.commitments
    }
    found = owners.get(e.commitment or "")
    if found is None:
        out.add(
            f.rel,
            "unresolved-ref",
            f"commitment {e.commitment!r} is in no minutes, so the translation is listed as a commitment of its own: "
            "give the id of a [[commitment]] it carries out, or remove 'commitment'",
            key=key,
            severity="warning",
        )
        return
    owner, where = found
    translating = e.claimed_by or e.to
    if translating is not None and owner != translating:
        out.add(
            f.rel,
            "unresolved-ref",
            f"commitment {e.commitment!r} ({where}) is owed by {owner!r}, not by {translating!r}, which translates: "
            "a translation carries out only its own collective's commitment (it is listed as one of its own)",
            key=key,
            severity="warning",
        )


def _state(f: ArticleFacts, t: TranslationFacts, handles: dict[str, str], out: Problems) -> None:
    e, key = t.entry, ("translation", t.index)
    state = e.state
    ahead = state != TranslationState.declined
    if ahead and state.rank >= TranslationState.claimed.rank and e.claimed_by is None:
        out.add(
            f.rel,
            "state-order",
            f"state {state.value!r} but no 'claimed_by': name the collective that translates",
            key=(*key, "state"),
        )
    if state in DONE_STATES and e.from_rev is None:
        rev = f" (now {f.rev})" if f.rev else ""
        out.add(
            f.rel,
            "state-order",
            f"state {state.value!r} but no 'from_rev': set the rev of the source text it was made from{rev}",
            key=(*key, "state"),
        )
    if state in _REVIEWED and e.reviewer is None:
        code = "machine-unreviewed" if e.machine else "state-order"
        what = "machine text counts only once a person has reviewed it" if e.machine else "a review needs a reviewer"
        out.add(f.rel, code, f"state {state.value!r} but no 'reviewer': {what}; name the member", key=(*key, "state"))
    if e.machine and state in _REVIEWED and e.reviewer is not None and e.reviewer not in handles:
        out.add(
            f.rel,
            "machine-unreviewed",
            f"machine text reviewed by {e.reviewer!r}, who is no member: a person of the organisation reviews it",
            key=(*key, "reviewer"),
        )
    if e.reviewer is not None and e.reviewer == e.translator:
        out.add(
            f.rel,
            "self-review",
            f"{e.reviewer!r} translated it and cannot review it too: another member reviews",
            key=(*key, "reviewer"),
        )
    if state == TranslationState.published and not f.article.editions:
        out.add(
            f.rel,
            "state-order",
            "a published translation but the article is in no edition: add 'editions'",
            key=(*key, "state"),
        )
    if e.date is not None and e.date < e.requested:
        out.add(f.rel, "date-order", f"'date' {e.date} is before 'requested' {e.requested}", key=(*key, "date"))
    if state in DONE_STATES and not t.has_text:
        out.add(
            f.rel,
            "missing-text",
            f"state {state.value!r} but no text file {t.text} (UTF-8): add it or set 'text'",
            key=(*key, "text" if e.text else "state"),
        )
    if t.stale:
        out.add(
            f.rel,
            "stale-translation",
            f"the source text changed since the {t.language!r} translation was made (from_rev {e.from_rev}, now "
            f"{f.rev}): commitment {translation_id(f.id, t.language)!r} is open again; once updated, set "
            f"from_rev = {f.rev!r}",
            key=(*key, "from_rev"),
            severity="warning",
        )
