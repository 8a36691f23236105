"""`lang` on every run of text in another language than the page (issue 31, WCAG 3.1.2).

A meeting's title, topics, location and description are in its `language` (docs/formats.md); an
article's title in its own. Each page is parsed and every piece of text is given the language a
screen reader would read it in: the nearest `lang` above it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from redflag_coord.org.load import load_organisation

VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "col", "area", "base", "source", "track", "embed"}


class _Runs(HTMLParser):
    """Each text node of a page with the language it is in (the nearest lang attribute above it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.runs: list[tuple[str, str]] = []
        self.marked: list[str] = []  # every lang attribute below <html>

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang")
        if tag != "html" and lang is not None:
            self.marked.append(lang)
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if data.strip() and not any(t in ("style", "title", "script") for t, _ in self.stack):
            lang = next((x for _, x in reversed(self.stack) if x is not None), "")
            self.runs.append((data.strip(), lang))


def parse(html: str) -> _Runs:
    p = _Runs()
    p.feed(html)
    return p


def lang_of(page: _Runs, text: str) -> str:
    """The language of the text nodes that hold `text` whole (there is one at least, all in one language)."""
    found = {lang for run, lang in page.runs if text in run}
    assert len(found) == 1, f"{text!r}: in languages {found or 'no text node'}"
    return found.pop()


@pytest.fixture(scope="module")
def org():
    from conftest import EXAMPLE

    return load_organisation(EXAMPLE)


def _agenda(org, meeting: str, lang: str, **kw) -> _Runs:
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.agenda.html import render_html

    return parse(render_html(build_agenda(org, meeting, lang=lang, **kw)))


def test_a_spanish_meeting_on_an_english_page_is_marked_spanish(org):
    page = _agenda(org, "la-study-group", "en")
    meeting = org.meeting("la-study-group")[1]
    assert meeting.language == "es"
    assert lang_of(page, meeting.title) == "es"
    assert lang_of(page, meeting.location) == "es"
    for item in meeting.items:
        assert lang_of(page, item.topic) == "es"
    # The page's own words stay in the page's language.
    assert lang_of(page, "Order of the day") == "en"
    assert lang_of(page, "Agenda · Meeting la-study-group") == "en"


def test_an_english_meeting_on_a_hindi_page_is_marked_english(org):
    page = _agenda(org, "ic-2026-12", "hi", for_collective="india")
    meeting = org.meeting("ic-2026-12")[1]
    assert lang_of(page, meeting.title) == "en"
    assert lang_of(page, " ".join(meeting.description.split())[:40]) == "en"
    for item in meeting.items:
        assert lang_of(page, item.topic) == "en"
    assert lang_of(page, "दिन का क्रम") == "hi"  # "order of the day": the page's own heading


def test_a_page_in_the_meetings_language_marks_only_what_is_in_another(org):
    page = _agenda(org, "ic-2026-12", "en")
    # Articles in Spanish offered to Red Flag are the only runs in another language.
    assert set(page.marked) == {"es"}
    for r in org.collectives["el-salvador"].reports.values():
        for a in r.articles:
            assert lang_of(page, a.title) == a.language


def test_minutes_in_spanish_of_an_english_meeting(org):
    from redflag_coord.minutes.build import build_minutes
    from redflag_coord.minutes.render import minutes_document, render_html

    page = parse(render_html(minutes_document(build_minutes(org, "ic-2026-06", "es"))))
    meeting = org.meeting("ic-2026-06")[1]
    assert lang_of(page, meeting.title) == "en"
    for n, item in enumerate(meeting.items, start=1):
        assert lang_of(page, f"{n}. {item.topic}") == "en"
    assert lang_of(page, "Puntos del orden del día") == "es"


def test_the_published_site_marks_titles_and_language_names(run, tmp_path: Path):
    from conftest import EXAMPLE

    out = tmp_path / "site"
    r = run("publish", str(out), "--lang", "hi", "--root", str(EXAMPLE))
    assert r.exit_code == 0, r.stderr
    index = parse((out / "index.html").read_text(encoding="utf-8"))
    org = load_organisation(EXAMPLE)
    for mid, (_, meeting) in org.meetings().items():
        assert lang_of(index, meeting.title) == meeting.language, mid
    assert lang_of(index, "español") == "es" and lang_of(index, "English") == "en"
    # A published agenda in English of the Spanish study group: its title, and Spanish in its nav.
    page = parse((out / "meetings/la-study-group/agenda.en.html").read_text(encoding="utf-8"))
    assert lang_of(page, org.meeting("la-study-group")[1].title) == "es"
    assert lang_of(page, "español") == "es"
