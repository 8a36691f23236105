"""The calendar feed's fast paths decide what the slow paths decide (issue 22).

Each fast path is compared with the computation it replaces: the fold over UTF-8 bytes with
icalendar's own fold (and an independent unfolding), the calendar writer with `Calendar.to_ical`,
the remembered Babel results with Babel, the one-line wrap with textwrap, the per-year zone scan
with the scan over the whole span, the invite-only agenda with the full one, and the feeds that
share their events with feeds built alone.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_decimal
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, vCalAddress
from icalendar.parser import Contentline

from redflag_coord.agenda.build import build_agenda
from redflag_coord.agenda.html import render_html
from redflag_coord.agenda.text import _BREAKABLE, _wrap, render_invite_text, render_series_text, width
from redflag_coord.calendar import ics
from redflag_coord.i18n.labels import Labels, available
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Status
from redflag_coord.tz import vtimezone as vtz

UTC = dt.UTC
ZONES = [
    "America/Los_Angeles",
    "Europe/Paris",
    "Europe/Dublin",
    "Asia/Kolkata",
    "Asia/Manila",
    "America/Santiago",
    "Africa/Casablanca",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/Mexico_City",
    "UTC",
]
# Text as it reaches a content line: escapes, carets, every width of UTF-8, but no newline (escaped before).
line_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('\\^;,:"= aé€😀\u202f\t')),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
    ),
    max_size=400,
)


# -- folding and writing -------------------------------------------------------------------


def _unfold(data: bytes) -> str:
    """RFC 5545 §3.1, independently of icalendar: a CRLF followed by one space or tab is removed."""
    return re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8")


@given(line_text)
@settings(max_examples=400)
def test_fold_is_icalendars_fold(line):
    folded = ics.fold(line)
    assert folded == Contentline(line).to_ical()
    assert _unfold(folded) == line
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))


@pytest.mark.parametrize("n", [73, 74, 75, 76, 148, 149, 150])
@pytest.mark.parametrize("tail", ["\\", "^", "é", "😀", "\\n", "a"])
def test_fold_at_the_boundaries(n, tail):
    for line in ("x" * (n - len(tail)) + tail + "yz", "é" * (n // 2) + tail, "x" * n):
        assert ics.fold(line) == Contentline(line).to_ical()


def _event(summary: str, description: str, location: str, cn: str) -> Event:
    e = Event()
    e.add("UID", "m@example.org")
    e.add("DTSTAMP", dt.datetime(2026, 11, 27, 12, tzinfo=UTC))
    e.add("DTSTART", dt.datetime(2026, 12, 1, 15, tzinfo=ZoneInfo("Europe/Paris")))
    e.add("SUMMARY", ics.Text(ics.clean_text(summary)))
    e.add("DESCRIPTION", ics.Text(ics.clean_text(description)))
    e.add("LOCATION", ics.Text(ics.clean_text(location)))
    organizer = vCalAddress("mailto:ic@example.org")
    organizer.params["CN"] = ics._param(cn)
    e.add("ORGANIZER", organizer)
    e.add_component(ics._alarm(summary, 60))
    return e


@given(line_text, st.text(max_size=600), line_text, line_text)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_writer_writes_what_icalendar_writes(summary, description, location, cn):
    cal = ics._calendar("publish", [], "A feed")
    cal.add_component(_event(summary, description, location, cn))
    assert ics.Writer().calendar(cal) == cal.to_ical()
    assert ics.serialize(cal) == cal.to_ical()


def test_writer_on_the_examples_feed_and_invites(example_root):
    org = load_organisation(example_root)
    settings_ = ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=UTC))
    built = ics.feed(org, None, settings_)
    assert built.to_ical() == built.calendar.to_ical()
    for mid in org.meetings():
        one = ics.invite(org, mid, "request", ics.Settings(stamp=settings_.stamp, attendees=True))
        assert one.to_ical() == one.calendar.to_ical()


def test_writer_refuses_floating_times():
    cal = Calendar()
    e = Event()
    e.add("DTSTART", dt.datetime(2026, 12, 1, 15))
    cal.add_component(e)
    with pytest.raises(ValueError, match="floating"):
        ics.Writer().calendar(cal)
    writer, fine = ics.Writer(), ics._calendar("publish", [], "A feed")
    fine.add_component(_event("a", "b", "c", "d"))
    writer.calendar(fine)
    fine.add_component(e)  # a floating event joins a calendar whose other events were written already
    with pytest.raises(ValueError, match="floating"):
        writer.calendar(fine)


# -- feeds that share their events -----------------------------------------------------------


def test_feeds_sharing_events_equal_feeds_built_alone(example_root):
    org = load_organisation(example_root)
    settings_ = ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=UTC))
    shared = ics.FeedEvents(org, settings_)
    for slug in [None, *sorted(org.collectives)]:
        together = ics.feed(org, slug, settings_, "Feed", shared)
        alone = ics.feed(org, slug, settings_, "Feed")
        assert together.to_ical() == alone.to_ical()
        assert together.warnings == alone.warnings


def test_shared_events_follow_a_changed_meeting(example_root):
    """A meeting replaced after its events were built (invite --bump does) is built again."""
    org = load_organisation(example_root)
    settings_ = ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=UTC))
    shared = ics.FeedEvents(org, settings_)
    ics.feed(org, None, settings_, "Feed", shared)
    slug, meeting = org.meetings()["ic-2026-12"]
    org.collectives[slug].meetings["ic-2026-12"] = meeting.model_copy(update={"sequence": meeting.sequence + 1})
    assert ics.feed(org, None, settings_, "Feed", shared).to_ical() == ics.feed(org, None, settings_, "Feed").to_ical()


# -- the invite's agenda --------------------------------------------------------------------


def test_invite_agenda_without_reports_reads_the_same(example_root):
    """DESCRIPTION is built without reports, git or commitments: the text is the full agenda's."""
    org = load_organisation(example_root)
    for mid, (_, m) in org.meetings().items():
        for lang in available():
            for on in [None, m.start.date()]:
                try:
                    full = build_agenda(org, mid, lang=lang, on=on)
                except Exception:  # a series that has ended has no next occurrence: `on` covers it
                    continue
                head = build_agenda(org, mid, lang=lang, on=on, reports=False)
                assert head.reports == () and head.commitments == () and head.missing == ()
                assert render_invite_text(head) == render_invite_text(full)
                words = ("Repeats", "weekly")
                assert render_series_text(head, words) == render_series_text(full, words)
                assert render_html(head, public=True) == render_html(full, public=True)  # publish's pages


def test_filed_dates_source_asked_of_git_once_per_organisation(tmp_path, monkeypatch):
    """summary and network judge every meeting's reports: git is asked once per loaded organisation,
    and an organisation loaded after `git init` gets the new answer."""
    from git_helpers import example_repo

    from redflag_coord.org.reportstate import dates_source
    from redflag_coord.repo import gitinfo

    monkeypatch.delenv("REDFLAG_FILED_DATES", raising=False)
    repo = example_repo(tmp_path)
    (repo.root / ".git").rename(repo.root / "git-moved")
    asked: list[tuple] = []
    real = gitinfo.git
    monkeypatch.setattr(gitinfo, "git", lambda root, *args: asked.append(args) or real(root, *args))
    outside = load_organisation(repo.root)
    assert [dates_source(outside) for _ in range(5)] == ["file"] * 5
    assert len(asked) == 1
    (repo.root / "git-moved").rename(repo.root / ".git")
    assert dates_source(outside) == "file"  # the same run keeps its one answer
    inside = load_organisation(repo.root)
    assert [dates_source(inside) for _ in range(5)] == ["git"] * 5
    assert len(asked) == 1 + 1  # one git process answers the three questions (gitinfo.history_usable)


# -- Babel, remembered -----------------------------------------------------------------------

moments = st.builds(
    lambda naive, zone_name, fold: naive.replace(tzinfo=ZoneInfo(zone_name), fold=fold),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 12, 31)),
    st.sampled_from(ZONES),
    st.integers(0, 1),
)


@given(st.lists(moments, min_size=1, max_size=6), st.sampled_from(sorted(available())))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_remembered_dates_and_times_are_babels(instants, lang):
    t = Labels(lang)
    locale = t.locale
    for moment in [*instants, *instants]:  # the second round answers from memory
        other_day = moment + dt.timedelta(days=3)  # the same wall time on another day shares the key
        for m in (moment, other_day):
            assert t.time(m) == format_time(m, "short", tzinfo=m.tzinfo, locale=locale)
            assert t.zone_name(m) == get_timezone_name(m, "long", locale=locale)
            assert t.date(m) == format_date(m, "full", locale=locale)
            assert t.date(m.date(), "medium") == format_date(m.date(), "medium", locale=locale)
            assert t.date(m, "EEEE") == format_date(m, "EEEE", locale=locale)  # remembered by weekday
            assert t.weekday(m) == format_date(m, "EEE", locale=locale)


@given(st.lists(st.integers(-(10**7), 10**7), max_size=8), st.sampled_from(sorted(available())))
def test_remembered_numbers_are_babels(numbers, lang):
    t = Labels(lang)
    for n in [*numbers, *numbers]:
        assert t.number(n) == format_decimal(n, locale=t.locale)


# -- wrapping and widths ---------------------------------------------------------------------


def _wrap_before(text: str, columns: int) -> list[str]:
    words = " ".join(w for w in _BREAKABLE.split(text) if w)
    return textwrap.wrap(words, columns, break_on_hyphens=False) if words.strip() else []


@given(st.text(alphabet=st.sampled_from(list("ab -\t\n")), max_size=60), st.integers(1, 70))
@settings(max_examples=500)
def test_one_line_wrap_is_textwraps(text, columns):
    """In ASCII, where a character is a cell and a cluster, wrapping by display width is textwrap's,
    as long as every word fits a line (a longer word starts a line of its own: tests/test_width.py)."""
    assume(all(len(w) <= columns for w in _BREAKABLE.split(text)))
    assert _wrap(text, columns) == _wrap_before(text, columns)


@given(
    st.text(alphabet=st.sampled_from(list("ab -\t\n\xa0é\u202f中\u0301")), max_size=40) | st.text(max_size=30),
    st.integers(1, 50),
)
@settings(max_examples=400)
def test_a_table_cell_that_fits_is_the_wrapped_cell(text, columns):
    from redflag_coord.agenda.text import _cell_lines

    assert _cell_lines(text, width(text), columns) == (_wrap(text, columns) or [""])


@given(
    st.text(alphabet=st.sampled_from(list("ab -\t\n\xa0é\u202f\u2003")), max_size=80) | st.text(max_size=40),
    st.integers(0, 30),
)
@settings(max_examples=500)
def test_word_filling_is_the_measuring_wrap(text, columns):
    from redflag_coord.i18n.width import wrap

    assert _wrap(text, columns) == wrap(" ".join(w for w in _BREAKABLE.split(text) if w), columns)


@given(st.text(max_size=40))
def test_remembered_width_is_the_width(text):
    import wcwidth

    expected = (
        len(text) if text.isascii() and text.isprintable() else max(0, wcwidth.width(text, control_codes="ignore"))
    )
    assert width(text) == width(text) == expected


# -- VTIMEZONE: a year at a time ---------------------------------------------------------------


def _scan_before(zone_name: str, first_year: int, last_year: int) -> tuple[vtz.Transition, ...]:
    """The scan before it was cut into years: six-hour steps over the whole span."""
    tz = ZoneInfo(zone_name)

    def state(instant: dt.datetime) -> tuple:
        local = instant.astimezone(tz)
        return local.utcoffset() or dt.timedelta(0), local.dst() or dt.timedelta(0), local.tzname() or ""

    t = dt.datetime(first_year, 1, 1, tzinfo=UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=UTC)
    out = []
    before = state(t)
    while t < end:
        nxt = t + vtz._STEP
        after = state(nxt)
        if after != before:
            lo, hi = t, nxt
            while hi - lo > dt.timedelta(seconds=1):
                mid = (lo + (hi - lo) / 2).replace(microsecond=0)
                lo, hi = (mid, hi) if state(mid) == before else (lo, mid)
            out.append(vtz.Transition(hi, before[0], after[0], False, after[2]))
        t, before = nxt, after
    return tuple(vtz._label_daylight(out))


@given(st.sampled_from(ZONES), st.integers(1995, 2040), st.integers(0, 3))
@settings(max_examples=30, deadline=None)
def test_year_by_year_scan_is_the_whole_scan(zone_name, first_year, years):
    assert vtz._transitions(zone_name, first_year, first_year + years) == _scan_before(
        zone_name, first_year, first_year + years
    )


def test_state_of_an_instant_in_another_zone():
    """_state takes any aware instant, as it did (it was astimezone)."""
    tz = ZoneInfo("Europe/Paris")
    instant = dt.datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    local = instant.astimezone(tz)
    assert vtz._state(tz, instant) == (local.utcoffset(), local.dst(), local.tzname())


def test_descriptions_on_two_cores_are_describes(tmp_path, monkeypatch):
    """Forked workers describe a share of the meetings each: the texts are describe()'s own."""
    from bench_helpers import generator

    gen = generator()
    gen.generate(tmp_path, gen.Plan(collectives=6, meetings=60, participants=2, reports=False), seed=1)
    org = load_organisation(tmp_path)
    meetings = [(mid, m) for mid, (_, m) in org.meetings().items()]
    monkeypatch.setenv("REDFLAG_WORKERS", "2")
    texts = ics.descriptions(org, meetings)
    assert texts == {mid: ics.describe(org, mid, m) for mid, m in meetings}
    monkeypatch.setenv("REDFLAG_WORKERS", "1")
    assert ics.descriptions(org, meetings) == {}  # one process: each meeting is described as its event is built
    monkeypatch.delenv("REDFLAG_WORKERS")
    assert len(meetings) < ics.DESCRIBE_PARALLEL_FROM
    assert ics.descriptions(org, meetings) == {}  # by default, fewer meetings than that are described here


# -- one-off meetings written without icalendar objects ----------------------------------------


def _one_offs_agree(org, settings_: ics.Settings) -> int:
    """Each one-off meeting's written VEVENT is the bytes of build_event's Event; returns how many."""
    events, n = ics.FeedEvents(org, settings_), 0
    for mid, (slug, m) in org.meetings().items():
        entry = events.entry(mid, slug, m)
        if entry.data is None:
            continue
        event, _ = ics.build_event(org, slug, mid, m, events.settings)
        assert entry.data == ics.Writer().component(event) == event.to_ical()
        assert [e.to_ical() for e in entry.events] == [entry.data]
        n += 1
    return n


def test_one_off_events_are_icalendars_events(example_root, tmp_path):
    """The example (cancelled, tentative, links, places, every language) and a generated organisation,
    with the file's reminders, others and none; and the whole feed is icalendar's Calendar.to_ical."""
    from bench_helpers import generator

    gen = generator()
    gen.generate(tmp_path, gen.Plan(collectives=6, meetings=40, participants=3, reports=False), seed=3)
    stamp = dt.datetime(2026, 11, 27, 12, tzinfo=UTC)
    for root in (example_root, tmp_path):
        org = load_organisation(root)
        for reminders in (None, (), (15, 60, 15)):
            settings_ = ics.Settings(domain="cal.example.org", stamp=stamp, reminders=reminders)
            assert _one_offs_agree(org, settings_) > 0
            for slug in [None, *sorted(org.collectives)[:3]]:
                built = ics.feed(org, slug, settings_)
                assert built.to_ical() == built.calendar.to_ical()


@given(
    line_text,
    line_text,
    st.sampled_from(ZONES),
    st.sampled_from(["confirmed", "tentative", "cancelled"]),
    st.sampled_from([None, "https://meet.example.org/r?a=1&b=2,c;d", "https://example.org/ü/" + "x" * 80]),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
def test_one_off_event_with_any_text_is_icalendars(example_root, title, location, zone_name, status, url):
    org = load_organisation(example_root)
    mid, (slug, m) = next((k, v) for k, v in org.meetings().items() if v[1].recurrence is None)
    changed = m.model_copy(
        update={
            "title": title.strip() or "x",
            "location": location or None,
            "timezone": zone_name,
            "status": Status(status),
            "url": url,
        }
    )
    org.collectives[slug].meetings[mid] = changed
    settings_ = ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=UTC))
    try:
        event, _ = ics.build_event(org, slug, mid, changed, settings_)
    except ics.CalendarError:  # a start in a gap of that zone: the fast path refuses it alike
        with pytest.raises(ics.CalendarError):
            ics.FeedEvents(org, settings_).entry(mid, slug, changed)
        return
    assert ics.FeedEvents(org, settings_).entry(mid, slug, changed).data == event.to_ical()


def test_feed_refuses_a_floating_event_it_did_not_write(example_root):
    """The events of a series go through the feed's writer with Writer.calendar's check for floating times."""
    org = load_organisation(example_root)
    events = ics.FeedEvents(org, ics.Settings(stamp=dt.datetime(2026, 11, 27, 12, tzinfo=UTC)))
    mid, (slug, m) = next(iter(org.meetings().items()))
    floating_event = Event()
    floating_event.add("DTSTART", dt.datetime(2026, 12, 1, 15))
    entry = ics.FeedEntry(dt.datetime(2026, 12, 1, tzinfo=UTC), mid, slug, m, (), lambda: (floating_event,))
    with pytest.raises(ValueError, match="floating"):
        events.data(entry)


def test_shared_labels_follow_the_catalogs():
    """One Labels a language serves every agenda of a run, until the catalogs are read again."""
    from redflag_coord.i18n import labels

    first = labels.shared("fr")
    assert labels.shared("fr") is first and first.current()
    assert first.count("minutes", 20) == labels.Labels("fr").count("minutes", 20) == first.count("minutes", 20)
    labels._catalog.cache_clear()  # an organisation's own catalogs read again
    assert not first.current()
    again = labels.shared("fr")
    assert again is not first and again.current() and again("agenda") == labels.Labels("fr")("agenda")
