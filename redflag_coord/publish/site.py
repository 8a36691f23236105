"""The published folder as data: every page and feed as (relative path, bytes), built in memory.

Pages come from producers (PRODUCERS: a function from the site's Context to a list of Page);
the index is built last and links every page a producer attached to a meeting. A new kind of
page (the minutes) is one more producer. Deterministic: meetings sorted by start, then id;
DTSTAMP from the repository's history (see ics.stamp_from_history); nothing else varies but
`today`, which splits upcoming from past meetings.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape

from redflag_coord import progress
from redflag_coord.agenda.build import Agenda, AgendaError, build_agenda
from redflag_coord.agenda.html import CSS, render_html
from redflag_coord.calendar import ics
from redflag_coord.errors import RedflagError
from redflag_coord.i18n.labels import FALLBACK, Labels, available, matches
from redflag_coord.i18n.langmark import lang_attr
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import Meeting
from redflag_coord.tz.zones import zone

FEEDS = "feeds"
MEETINGS = "meetings"


class PublishError(RedflagError):
    """The site cannot be built or written (a message for the user)."""

    usage = False

    def __init__(self, message: str, usage: bool | None = None) -> None:
        super().__init__(message, usage=usage)


@dataclass(frozen=True)
class Page:
    path: str  # relative to the folder, forward slashes
    body: bytes
    meeting: str | None = None  # listed on the index under this meeting
    kind: str = "page"  # agenda, minutes, feed, index
    label: str = ""  # the link text on the index (a language's name, "minutes", ...)
    lang: str = ""  # the page's language (HTML pages)


@dataclass(frozen=True)
class Entry:
    """One meeting as the index shows it: the occurrence that matters (next, or the only one)."""

    meeting_id: str
    convener: str
    meeting: Meeting
    start: dt.datetime  # aware UTC
    end: dt.datetime
    upcoming: bool
    recurring: bool
    languages: tuple[str, ...]  # agenda languages: the meeting's, then the participants' (with a catalog)


@dataclass
class Context:
    org: Organisation
    settings: ics.Settings
    today: dt.date
    lang: str  # the index's language
    base_url: str | None
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    members: bool = False  # organisation.toml [publish] members: name members, not only collectives


Producer = Callable[[Context], list[Page]]


# -- meetings ------------------------------------------------------------------------------------------


def _languages(org: Organisation, convener: str, meeting: Meeting) -> tuple[str, ...]:
    """The meeting's language, then each participant's (convener first), as `i18n.matches` serves them."""
    wanted = [
        meeting.language,
        *(tag for slug in dict.fromkeys([convener, *meeting.participants]) for tag in org.languages_of(slug)),
    ]
    return tuple(matches(wanted, available())) or (FALLBACK,)


def _agenda(org: Organisation, meeting_id: str, meeting: Meeting, lang: str, today: dt.date) -> Agenda:
    """The agenda for the next occurrence on or after today; for a series that has ended, its first.

    Without reports (`reports=False`): a public page shows none, so none are read for it."""
    try:
        return build_agenda(org, meeting_id, lang=lang, today=today, reports=False)
    except AgendaError:
        if meeting.recurrence is None:
            raise
        return build_agenda(org, meeting_id, lang=lang, today=today, on=meeting.start.date(), reports=False)


def entries(org: Organisation, today: dt.date) -> tuple[list[Entry], list[str]]:
    out: list[Entry] = []
    warnings: list[str] = []
    for mid, (convener, meeting) in org.meetings().items():
        langs = _languages(org, convener, meeting)
        try:
            a = _agenda(org, mid, meeting, langs[0], today)
        except AgendaError as e:
            warnings.append(f"meeting {mid}: left out of the site: {e}")
            continue
        upcoming = a.start.astimezone(zone(meeting.timezone)).date() >= today
        out.append(Entry(mid, convener, meeting, a.start, a.end, upcoming, meeting.recurrence is not None, langs))
    out.sort(key=lambda e: (e.start, e.meeting_id))
    return out, warnings


# -- producers -----------------------------------------------------------------------------------------


def agenda_path(meeting_id: str, lang: str) -> str:
    return f"{MEETINGS}/{meeting_id}/agenda.{lang}.html"


def agenda_pages(ctx: Context) -> list[Page]:
    """Each meeting's agenda as one self-contained HTML page per language: what an invite holds, no report.

    A published site may be public: the reports block (Red Flag sites, relationship figures, requests,
    who has not filed) stays in the repository, as it does for invites."""
    pages = []
    for entry in ctx.entries:
        for lang in entry.languages:
            a = _agenda(ctx.org, entry.meeting_id, entry.meeting, lang, ctx.today)
            label = Labels(lang).locale.get_display_name(lang) or lang
            pages.append(
                Page(
                    agenda_path(entry.meeting_id, lang),
                    render_html(a, public=True, nav=NAV, css=NAV_CSS).encode(),
                    entry.meeting_id,
                    "agenda",
                    label,
                    lang,
                )
            )
    return pages


def feed_path(collective: str | None) -> str:
    return f"{FEEDS}/{collective or 'all'}.ics"


def feed_pages(ctx: Context) -> list[Page]:
    """The organisation's feed and one per collective (what it convenes or joins); no attendees."""
    t = Labels(ctx.lang)
    pages = []
    events = ics.FeedEvents(ctx.org, ctx.settings)  # each meeting's events built and written once for all feeds
    for slug in [None, *sorted(ctx.org.collectives)]:
        c = ctx.org.collectives.get(slug or "")
        name = t("publish.all_meetings") if slug is None else t("publish.feed_of", name=ctx.org.name_of(slug))
        if slug is not None and (c is None or c.info is None):
            continue
        try:
            built = ics.feed(ctx.org, slug, ctx.settings, name, events)
        except ics.CalendarError as e:
            raise PublishError(str(e)) from e
        ctx.warnings += [w for w in built.warnings if w not in ctx.warnings]
        pages.append(Page(feed_path(slug), built.to_ical(), None, "feed", name))
    return pages


def minutes_pages(ctx: Context) -> list[Page]:
    """Each held meeting's minutes, once they exist, as one page in the index's language; the index links it.

    By collective (collectives_only) unless the organisation publishes its members."""
    from redflag_coord.minutes.build import build_minutes, collectives_only
    from redflag_coord.minutes.render import minutes_document, render_html

    pages = []
    for entry in ctx.entries:
        if entry.meeting_id not in ctx.org.collectives[entry.convener].minutes:
            continue
        view = build_minutes(ctx.org, entry.meeting_id, ctx.lang)
        view = view if ctx.members else collectives_only(view)
        body = render_html(minutes_document(view), nav=NAV, css=NAV_CSS).encode()
        label = Labels(ctx.lang)("minutes_doc.title")
        path = f"{MEETINGS}/{entry.meeting_id}/minutes.html"
        pages.append(Page(path, body, entry.meeting_id, "minutes", label, ctx.lang))
    return pages


def decisions_pages(ctx: Context) -> list[Page]:
    """Every decision and vote, by collective (a collective's own counts only with [publish] members), once the
    minutes record any: one page in the index's language."""
    from redflag_coord.minutes.decisions import build_decisions
    from redflag_coord.org.settings import settings_or_defaults

    found = build_decisions(ctx.org, settings_or_defaults(ctx.org.root).decisions, members=ctx.members)
    if not found:
        return []
    t = Labels(ctx.lang)
    return [Page(DECISIONS, render_decisions(found, t, ctx.lang).encode(), None, "decisions", t("reviews.title"))]


DECISIONS = "decisions.html"
CSP_META = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"


def render_decisions(found: list, t: Labels, lang: str) -> str:
    """The decisions page: each decision with its motion, rule, computed figures and each collective's part."""
    rows = []
    for d in found:
        head = f"{d.meeting} · {t.date(d.date, 'medium')} · {d.number}"
        lines = [f"<h2>{e(head)}</h2>", f"<p>{e(d.text)}</p>"]
        if d.motion_title:
            lines.append(f"<p>{e(t('reviews.motion', title=d.motion_title, mover=d.mover or ''))}</p>")
        if d.rule:
            lines.append(f'<p class="sub">{e(d.rule)}</p>')
        if d.tally is not None:
            lines.append(f"<p><strong>{e(d.recorded or '')}</strong> · {e(d.tally.figures())}</p>")
        if d.totals:
            lines.append("<p>{}</p>".format(e("for {}, against {}, abstain {}".format(*d.totals))))
        voices = []
        for v in d.voices:
            parts = [p for p in (v.stance, v.vote) if p]
            if v.counts:
                parts.append("{}/{}/{}".format(*v.counts))
            reason = f" — {v.reason}" if v.reason else ""
            voices.append(f"<li>{e(v.name)}: {e(', '.join(parts))}{e(reason)}</li>")
        if voices:
            lines.append("<ul>" + "".join(voices) + "</ul>")
        rows.append("<section>" + "\n".join(lines) + "</section>")
    return (
        "\n".join(
            [
                "<!doctype html>",
                f'<html lang="{e(lang)}">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                CSP_META,
                f"<title>{e(t('reviews.title'))}</title>",
                f"<style>{CSS}</style>",
                "</head>",
                "<body><main>",
                f'<p><a href="index.html">← {e(t("publish.title"))}</a></p>',
                f"<header><h1>{e(t('reviews.title'))}</h1></header>",
                *rows,
                "</main></body>",
                "</html>",
            ]
        )
        + "\n"
    )


PRODUCERS: list[Producer] = [agenda_pages, minutes_pages, feed_pages, decisions_pages]


def build_site(
    org: Organisation,
    settings: ics.Settings,
    today: dt.date,
    lang: str = "en",
    base_url: str | None = None,
    producers: list[Producer] | None = None,
    members: bool = False,
) -> tuple[list[Page], list[str]]:
    """Every file of the site, sorted by path, and warnings; checked (check_site) before it is handed back,
    so no caller can write a page that names a member (unless `members`) or holds a private value."""
    from redflag_coord.publish.check import check_site

    found, warnings = entries(org, today)
    ctx = Context(org, settings, today, lang, base_url, found, warnings, members=members)
    pages: list[Page] = []
    steps = PRODUCERS if producers is None else producers
    progress.begin("publishing", len(steps))
    for produce in steps:
        pages += produce(ctx)
        progress.advance()
    pages.append(Page("index.html", render_index(ctx, pages).encode(), None, "index", lang=ctx.lang))
    pages = [_with_nav(ctx, p, pages) for p in pages]
    paths = [p.path for p in pages]
    if len(set(paths)) != len(paths):
        raise PublishError(f"two pages want the same path: {sorted({p for p in paths if paths.count(p) > 1})}")
    refused = check_site(org, ((p.path, p.body) for p in pages), members)
    if refused:
        raise PublishError(refused)
    return sorted(pages, key=lambda p: p.path), ctx.warnings


# -- navigation ----------------------------------------------------------------------------------------

# A meeting's page is rendered with this mark where its navigation goes; build_site puts the links in
# once every page is known (the languages of its agenda, its minutes, its feed).
NAV = "<!--redflag-coord:nav-->"
NAV_CSS = """
nav.site { display: flex; flex-wrap: wrap; gap: 0 1.1rem; margin: 0 0 0.6rem; font-size: 0.95rem; }
nav.site > * { padding: 0.35rem 0; overflow-wrap: anywhere; }
nav.site a, nav.site [aria-current] { display: inline-block; min-height: 1.5rem; padding: 0.1rem 0; }
nav.site [aria-current] { font-weight: 600; }
"""


def _with_nav(ctx: Context, page: Page, pages: list[Page]) -> Page:
    if page.meeting is None or NAV.encode() not in page.body:
        return page
    return replace(page, body=page.body.replace(NAV.encode(), _nav(ctx, page, pages).encode(), 1))


def _nav(ctx: Context, here: Page, pages: list[Page]) -> str:
    """Links from a meeting's page: back to the index (at this meeting), to its agenda in every language,
    to its other pages (minutes), and to the calendar feed of the collective that convenes it."""
    t = Labels(here.lang or ctx.lang)
    folder = posixpath.dirname(here.path)

    def link(page: Page, text: str, attrs: str = "") -> str:
        if page.path == here.path:
            return f'<span aria-current="page"{attrs}>{e(text)}</span>'
        return f'<a href="{e(posixpath.relpath(page.path, folder))}"{attrs}>{e(text)}</a>'

    mine = [p for p in pages if p.meeting == here.meeting]
    index = posixpath.relpath("index.html", folder) + f"#{here.meeting}"
    parts = [f'<a href="{e(index)}">← {e(t("publish.title"))}</a>']
    agendas = [
        link(p, p.label, f' hreflang="{e(p.lang)}"{lang_attr(p.lang, t.lang)}') for p in mine if p.kind == "agenda"
    ]
    if agendas:
        parts.append(f'<span><span class="label">{e(t("publish.agenda"))}:</span> {" · ".join(agendas)}</span>')
    parts += [link(p, t("minutes_doc.title") if p.kind == "minutes" else p.label) for p in mine if p.kind != "agenda"]
    convener = next((x.convener for x in ctx.entries if x.meeting_id == here.meeting), None)
    feeds = {p.path: p for p in pages if p.kind == "feed"}
    feed = feeds.get(feed_path(convener)) or feeds.get(feed_path(None))
    if feed is not None:
        mine_feed = convener is not None and feed.path == feed_path(convener)
        name = t("publish.feed_of", name=ctx.org.name_of(convener)) if mine_feed and convener else None
        parts.append(link(feed, name or t("publish.all_meetings"), ' type="text/calendar"'))
    return f'<nav class="site" aria-label="{e(t("publish.title"))}">' + "".join(parts) + "</nav>"


# -- the index -----------------------------------------------------------------------------------------

INDEX_CSS = """
.meeting { border: 1px solid var(--line); border-left: 0.3rem solid var(--red); border-radius: 0.3rem;
  padding: 0.8rem 1rem; margin: 0 0 1rem; background: #fff; }
.meeting.cancelled { border-left-color: var(--muted); }
.meeting.cancelled h3 { text-decoration: line-through; }
.meeting p { margin: 0.3rem 0; overflow-wrap: anywhere; }
.status { color: var(--red); font-weight: 600; }
code { overflow-wrap: anywhere; font-size: 0.9em; }
ul.feeds li { margin: 0.3rem 0; overflow-wrap: anywhere; }
"""


def e(text: object) -> str:
    return escape(str(text), quote=True)


def _when(t: Labels, start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    s, f = start.astimezone(zone(zone_name)), end.astimezone(zone(zone_name))
    end_text = t.time(f) if f.date() == s.date() else f"{t.weekday(f)} {t.time(f)}"
    return f"{t.date(s)}, {t.time(s)} – {end_text}"


def _times_table(ctx: Context, entry: Entry, t: Labels) -> str:
    """Start and end in every collective's zone (and UTC), the day named where it differs."""
    home = entry.start.astimezone(zone(entry.meeting.timezone)).date()
    rows = []
    zones = [(ctx.org.name_of(slug), tz) for slug in sorted(ctx.org.collectives) if (tz := ctx.org.zone_of(slug))]
    for name, zone_name in [*zones, ("UTC", "UTC")]:
        s, f = entry.start.astimezone(zone(zone_name)), entry.end.astimezone(zone(zone_name))
        start = t.time(s) if s.date() == home else f"{t.weekday(s)} {t.time(s)}"
        end = t.time(f) if f.date() == home else f"{t.weekday(f)} {t.time(f)}"
        rows.append(
            f'<tr><td>{e(name)}</td><td class="zone">{e(zone_name)}</td><td class="num">{e(start)} – {e(end)}</td></tr>'
        )
    span = f"{t('publish.start')} – {t('publish.end')}"
    head = f'<th>{e(t("publish.collective"))}</th><th>{e(t("publish.zone"))}</th><th class="num">{e(span)}</th>'
    table = f'<table class="stack"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="scroll">{table}</div>'


def _meeting(ctx: Context, entry: Entry, pages: list[Page], t: Labels) -> str:
    m = entry.meeting
    status = ""
    if m.status.value == "cancelled":
        status = f' <span class="status">({e(t("publish.cancelled"))})</span>'
    elif m.status.value == "tentative":
        status = f' <span class="status">({e(t("publish.tentative"))})</span>'
    parts = [
        f'<article class="meeting{" cancelled" if m.status.value == "cancelled" else ""}" id="{e(entry.meeting_id)}">',
        f"<h3{lang_attr(m.language, ctx.lang)}>{e(m.title)}</h3>{status}",
        f'<p>{e(_when(t, entry.start, entry.end, m.timezone))} <span class="zone">({e(m.timezone)})</span></p>',
        f'<p class="sub">{e(ctx.org.name_of(entry.convener))} · {e(entry.meeting_id)}'
        + (f" · {e(t('publish.repeats'))}" if entry.recurring else "")
        + "</p>",
    ]
    mine = [p for p in pages if p.meeting == entry.meeting_id]
    agendas = [
        f'<a href="{e(p.path)}" hreflang="{e(p.lang)}"{lang_attr(p.lang, ctx.lang)}>{e(p.label)}</a>'
        for p in mine
        if p.kind == "agenda"
    ]
    if agendas:
        parts.append(f'<p><span class="label">{e(t("publish.agenda"))}:</span> {" · ".join(agendas)}</p>')
    others = [f'<a href="{e(p.path)}">{e(p.label or p.kind)}</a>' for p in mine if p.kind != "agenda"]
    if others:
        parts.append(f'<p><span class="label">{e(t("publish.pages"))}:</span> {" · ".join(others)}</p>')
    if entry.upcoming and m.status.value != "cancelled":
        parts.append(_times_table(ctx, entry, t))
    parts.append("</article>")
    return "\n".join(parts)


def _feeds(ctx: Context, pages: list[Page], t: Labels) -> str:
    items = []
    for p in pages:
        if p.kind != "feed":
            continue
        address = f" <code>{e(ctx.base_url + p.path)}</code>" if ctx.base_url else ""
        items.append(f'<li><a href="{e(p.path)}">{e(p.label)}</a>{address}</li>')
    note = f'<p class="note">{e(t("publish.subscribe_note"))}</p>'
    if not ctx.base_url:
        note += f'<p class="note">{e(t("publish.subscribe_where"))}</p>'
    return f'<ul class="feeds">{"".join(items)}</ul>{note}'


def render_index(ctx: Context, pages: list[Page]) -> str:
    t = Labels(ctx.lang)
    upcoming = [x for x in ctx.entries if x.upcoming]
    past = [x for x in reversed(ctx.entries) if not x.upcoming]  # the latest first
    none = f"<p>{e(t('publish.none'))}</p>"
    body = [
        "<!doctype html>",
        f'<html lang="{e(ctx.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{e(t('publish.title'))}</title>",
        f"<style>{CSS}{INDEX_CSS}</style>",
        "</head>",
        "<body><main>",
        f'<header><h1>{e(t("publish.title"))}</h1><p class="sub">{e(t("publish.intro"))}</p></header>',
        f"<section><h2>{e(t('publish.upcoming'))}</h2>",
        "\n".join(_meeting(ctx, x, pages, t) for x in upcoming) or none,
        "</section>",
        f"<section><h2>{e(t('publish.subscribe'))}</h2>{_feeds(ctx, pages, t)}</section>",
        f"<section><h2>{e(t('publish.past'))}</h2>",
        "\n".join(_meeting(ctx, x, pages, t) for x in past) or none,
        "</section>",
        *(
            f'<section><h2>{e(p.label)}</h2><p><a href="{e(p.path)}">{e(p.label)}</a></p></section>'
            for p in pages
            if p.kind == "decisions"
        ),
        "</main></body>",
        "</html>",
    ]
    return "\n".join(body) + "\n"
