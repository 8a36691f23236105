"""Meetings as iCalendar data: one invite (VCALENDAR with one VEVENT) or a feed of all of them.

Every date-time is written with the IANA TZID of the meeting's zone and the
matching VTIMEZONE (`vtimezone`), or in UTC; a naive datetime would be written
as floating time and is refused. The UID comes from the meeting id and a
domain, so every run on every machine names the same event; SEQUENCE is the
meeting file's `sequence`. Email addresses appear only for members who opted in
(`invite = true`), and only when attendees are asked for.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from icalendar import Alarm, Calendar, Component, Event, Timezone, vCalAddress, vDDDTypes, vInt, vText, vUri
from icalendar.parser import Contentline

from redflag_coord import progress
from redflag_coord.errors import DataWarning, RedflagError
from redflag_coord.org.load import Organisation
from redflag_coord.org.model import CalendarSettings, DecisionRule, Meeting, Status
from redflag_coord.org.occurrences import rule as occurrence_rule
from redflag_coord.tz import span
from redflag_coord.tz.recurrence import DAY_CODES, DAY_NAMES
from redflag_coord.tz.vtimezone import vtimezone
from redflag_coord.tz.vtimezone import years as zone_years
from redflag_coord.tz.zones import UTC, resolve, zone

# "none": a calendar object resource for a CalDAV server, which RFC 4791 §4.1 forbids to carry METHOD.
Method = Literal["publish", "request", "cancel", "none"]
PRODID = "-//redflag-coord//redflag-coord//EN"
DEFAULT_DOMAIN = "redflag-coord.invalid"
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_DAYS = dict(zip(DAY_NAMES, DAY_CODES, strict=True))  # "monday" -> "MO": the names are the model's (tz.recurrence)
_WEEKDAY_INDEX = {name: i for i, name in enumerate(_DAYS)}
_UNBOUNDED_YEARS = 10  # how far ahead a recurrence without an end must have a correct VTIMEZONE


class CalendarError(RedflagError):
    """The data cannot be written as a correct calendar (a message for the user)."""


@dataclass(frozen=True)
class Settings:
    domain: str = DEFAULT_DOMAIN
    stamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(UTC).replace(microsecond=0))
    attendees: bool = False
    reminders: tuple[int, ...] | None = None  # None: the meeting file's reminders_minutes
    organisers: dict[str, str] = field(default_factory=dict)  # convener slug (or "" for all) -> address


class Built:
    """A calendar and its warnings. A feed comes as `make` (its icalendar objects, built only when asked
    for) and `write` (its bytes, written without them: `FeedEvents`); an invite as the Calendar itself."""

    def __init__(
        self,
        calendar: Calendar | None,
        warnings: list[str] | None = None,
        writer: Writer | None = None,  # shared by feeds that share events
        *,
        make: Callable[[], Calendar] | None = None,
        write: Callable[[], bytes] | None = None,
    ) -> None:
        self._calendar, self._make, self._write = calendar, make, write
        self.warnings = warnings if warnings is not None else []
        self.writer = writer

    @property
    def calendar(self) -> Calendar:
        if self._calendar is None:
            assert self._make is not None
            self._calendar = self._make()
        return self._calendar

    def to_ical(self) -> bytes:
        if self._write is not None:
            return self._write()
        return (self.writer or Writer()).calendar(self.calendar)


# -- settings from the environment -------------------------------------------------


def check_domain(domain: str) -> str:
    d = domain.strip().lower()
    if not _DOMAIN.fullmatch(d):
        raise CalendarError(
            f"{domain!r} is not a domain name (e.g. 'calendar.example.org'); "
            "it makes event UIDs unique: use one the organisation controls, or the default"
        )
    return d


def domain_default() -> str:
    return check_domain(os.environ.get("REDFLAG_DOMAIN") or DEFAULT_DOMAIN)


def settings_for(
    cal: CalendarSettings,
    domain: str | None,
    stamp: dt.datetime,
    *,
    reminders: tuple[int, ...] | None = None,
    attendees: bool = False,
) -> Settings:
    """The one calendar-settings recipe of invite, calendar and publish (the same UIDs and organisers):
    the domain from --domain, else organisation.toml [calendar] domain, else REDFLAG_DOMAIN or the
    default; organisers from [calendar] (`organiser` for every convener, `organisers` per convener)."""
    chosen = domain or cal.domain
    return Settings(
        domain=check_domain(chosen) if chosen else domain_default(),
        stamp=stamp,
        attendees=attendees,
        reminders=reminders,
        organisers={**({"": cal.organiser} if cal.organiser else {}), **cal.organisers},
    )


def reminders_option(minutes: list[int] | None, none: bool) -> tuple[int, ...] | None:
    """--reminder (repeatable) and --no-reminders: () for none, None for the meeting file's own."""
    return () if none else (tuple(minutes) if minutes else None)


def stamp_default() -> dt.datetime:
    """DTSTAMP: REDFLAG_DTSTAMP (ISO 8601 with offset) or SOURCE_DATE_EPOCH, else now."""
    fixed = os.environ.get("REDFLAG_DTSTAMP")
    if fixed:
        try:
            value = dt.datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise CalendarError(f"REDFLAG_DTSTAMP={fixed!r} is not a date-time such as 2026-11-27T12:00:00Z") from None
        if value.tzinfo is None:
            raise CalendarError(f"REDFLAG_DTSTAMP={fixed!r} has no offset; end it with Z (UTC)")
        return value.astimezone(UTC).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise CalendarError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    return dt.datetime.now(UTC).replace(microsecond=0)


def stamp_from_history(root: Path | str) -> tuple[dt.datetime, bool]:
    """DTSTAMP for outputs that must be the same bytes for the same data: REDFLAG_DTSTAMP or
    SOURCE_DATE_EPOCH, else the last commit that touched collectives/; now only outside git.
    Returns the stamp and whether it is reproducible."""
    from redflag_coord.repo.gitinfo import last_commit_time

    if os.environ.get("REDFLAG_DTSTAMP") or os.environ.get("SOURCE_DATE_EPOCH"):
        return stamp_default(), True
    committed = last_commit_time(root, "collectives")
    if committed is not None and span.in_range(committed):
        return committed.astimezone(UTC), True
    if committed is not None:  # a date git holds but the supported range does not
        warnings.warn(
            f"the last commit's date is outside {span.RANGE}: DTSTAMP is now (set SOURCE_DATE_EPOCH for the "
            "same bytes each run)",
            DataWarning,
            stacklevel=2,
        )
        return stamp_default(), True  # said once, here; not again as "not in a git repository"
    return stamp_default(), False


def event_uid(meeting_id: str, domain: str) -> str:
    return f"{meeting_id}@{domain}"


# -- text -------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")  # C0 but tab and newline, DEL, surrogates


def clean_text(text: str) -> str:
    """Text as iCalendar can hold it: one kind of newline, no other control characters."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class Text(vText):
    """TEXT escaped as RFC 5545 says. icalendar's own escaping first turns a literal
    backslash-N into a newline, so "C:\\New" would not survive the round trip."""

    def to_ical(self) -> bytes:
        return escape_text(str(self)).encode("utf-8")


def escape_text(text: str) -> str:
    """TEXT escaped as `Text` writes it (the feed's writer escapes without making a Text)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(text: str) -> str:
    """A parameter value (CN=...): one line, no double quotes (RFC 5545 forbids them there)."""
    return " ".join(clean_text(text).replace('"', "'").split())


# -- times ------------------------------------------------------------------------


@dataclass(frozen=True)
class Times:
    start: dt.datetime  # aware, in the meeting zone
    end: dt.datetime  # aware, in the meeting zone (or UTC when its wall time is ambiguous)
    warnings: tuple[str, ...] = ()


def meeting_times(meeting: Meeting, where: str = "the meeting") -> Times:
    """Start and end as aware datetimes; a start in a DST gap is refused, an ambiguous one warned about."""
    local = resolve(meeting.start, meeting.timezone)
    wall = meeting.start.isoformat(timespec="minutes")
    tz = zone(meeting.timezone)
    warnings: list[str] = []
    if local.kind == "gap":
        raise CalendarError(
            f"{where}: start {wall} does not exist in {meeting.timezone} (the clocks skip "
            "that hour for daylight saving time); move the meeting out of the gap"
        )
    if local.kind == "ambiguous":
        warnings.append(
            f"{where}: start {wall} occurs twice in {meeting.timezone}; calendar apps take the "
            "first, and so does this invite: move the meeting to be unambiguous"
        )
    start_utc = local.instants[0]
    start = start_utc.astimezone(tz)
    end_utc = start_utc + dt.timedelta(minutes=meeting.duration_minutes)
    end = end_utc.astimezone(tz)
    if resolve(end.replace(tzinfo=None), meeting.timezone).instants[:1] != (end_utc,):
        end = end_utc  # the end's wall time is ambiguous and means the later one: write it in UTC
    return Times(start, end, tuple(warnings))


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("refusing a naive datetime: icalendar would write it as floating time")
    return value


def rrule(meeting: Meeting, start: dt.datetime) -> dict:
    """The RRULE of a recurring meeting, from the recurrence engine's rule (the same object every
    command expands); UNTIL is the last second of the until date, local, in UTC."""
    rl = occurrence_rule(meeting)
    assert rl is not None
    problem = rl.problem()
    if problem:
        raise CalendarError(
            f"recurrence: {problem}; calendar apps disagree on whether it happens: move 'start' to a meeting day"
        )
    rule = rl.parts()
    if rl.until is not None:
        rule["UNTIL"] = until_utc(rl.until, meeting.timezone)
    return rule


def until_utc(until: dt.date, zone_name: str) -> dt.datetime:
    """The last second of `until` in the zone, as a UTC instant (RFC 5545: UNTIL is UTC with a TZID DTSTART)."""
    next_midnight = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
    return next_midnight.replace(tzinfo=zone(zone_name), fold=0).astimezone(UTC) - dt.timedelta(seconds=1)


def exdates(meeting: Meeting, where: str) -> tuple[list[dt.datetime], list[str]]:
    """EXDATEs (same wall time as the start, same zone) for exceptions and cancelled occurrences,
    and warnings for dates that are no meeting day of the rule."""
    rl = occurrence_rule(meeting)
    assert rl is not None
    tz = zone(meeting.timezone)
    out, warnings = [], []
    latest = max(rl.exdates, default=rl.start)
    days = set(rl.raw_through(latest))
    for day in sorted(rl.exdates):
        if day not in days:
            warnings.append(f"{where}: exception {day} is not a meeting day of the recurrence; left out")
            continue
        out.append(dt.datetime.combine(day, meeting.start.time()).replace(tzinfo=tz))
    return out, warnings


def moved(meeting: Meeting, where: str) -> tuple[list[tuple[dt.datetime, Times]], list[str]]:
    """Moved occurrences: (RECURRENCE-ID, new times) for each, and warnings for moves of no meeting day."""
    rl = occurrence_rule(meeting)
    if rl is None:
        ignored = f"{where}: [[occurrence]] entries apply to recurring meetings only; left out"
        return [], [ignored] if meeting.occurrences else []
    tz = zone(meeting.timezone)
    changes = [c for c in meeting.occurrences if not c.cancelled and c.start is not None]
    days = set(rl.raw_through(max((c.date for c in changes), default=rl.start)))
    out, warnings = [], []
    for c in sorted(changes, key=lambda c: c.date):
        assert c.start is not None
        if c.date not in days or c.date in rl.exdates:
            warnings.append(f"{where}: occurrence {c.date} is not a meeting day of the recurrence; left out")
            continue
        original = resolve(dt.datetime.combine(c.date, meeting.start.time()), meeting.timezone)
        rid = original.instants[0].astimezone(tz) if original.instants else None
        if rid is None:
            rid = dt.datetime.combine(c.date, meeting.start.time()).replace(tzinfo=tz)
        times = meeting_times(meeting.model_copy(update={"start": c.start}), f"{where}, occurrence {c.date}")
        out.append((rid, times))
    return out, warnings


def last_day(meeting: Meeting) -> dt.date:
    """The last date an event needs zone rules for."""
    end = meeting.start + dt.timedelta(minutes=meeting.duration_minutes)
    moves = [c.start.date() + dt.timedelta(days=1) for c in meeting.occurrences if c.start is not None]
    rl = occurrence_rule(meeting)
    if rl is None:
        return max([end.date(), *moves])
    if rl.until is not None:  # no need to expand the series: its last date is at most `until`
        return max([end.date(), *moves, min(rl.until, span.LAST) + dt.timedelta(days=2)])
    if rl.bounded:  # COUNT: at most 1,000 dates
        dates = list(rl.raw())
        return max([end.date(), *moves, *(d + dt.timedelta(days=2) for d in dates[-1:])])
    return max([end.date().replace(year=end.year + _UNBOUNDED_YEARS, day=min(end.day, 28)), *moves])


# -- the plain-text description -----------------------------------------------------


def describe(org: Organisation, meeting_id: str, meeting: Meeting, on: dt.date | None = None) -> str:
    """The plain-text agenda in the meeting's language, zone stated, for DESCRIPTION.

    The agenda's own text renderer, without the reports block (see render_invite_text).
    A recurring series is described by its rule in words and its local time (the same text is
    shown for every occurrence); `on` describes one occurrence (a moved one's override).
    """
    from redflag_coord.agenda.build import build_agenda
    from redflag_coord.agenda.text import render_invite_text, render_series_text
    from redflag_coord.i18n.labels import Labels
    from redflag_coord.org.occurrences import horizon, occurrences

    if meeting.recurrence is None or on is not None:
        agenda = build_agenda(org, meeting_id, lang=meeting.language, on=on, reports=False)
        if on is not None and meeting.recurrence is not None:  # only an override asks: a moved occurrence
            agenda = replace(agenda, occurrence=replace(agenda.occurrence, chosen="moved"))
        return render_invite_text(agenda)
    held = occurrences(meeting, horizon(meeting, meeting.start.date()))  # the first one is all it needs
    first = next((o.date for o in held if not o.moved), held[0].date if held else meeting.start.date())
    agenda = build_agenda(org, meeting_id, lang=meeting.language, on=first, reports=False)
    t = Labels(agenda.lang)
    return render_series_text(agenda, (t("repeats"), _recurrence_words(meeting, t)))


def _recurrence_words(meeting: Meeting, t) -> str:
    from babel.dates import get_day_names

    r = meeting.recurrence
    assert r is not None
    text = t(f"recurrence_{r.frequency}")
    if r.weekdays:
        names = get_day_names("wide", locale=t.locale)
        text += " (" + ", ".join(names[_WEEKDAY_INDEX[d]] for d in r.weekdays) + ")"
    if r.interval > 1:
        text += ", " + t("recurrence_interval", n=r.interval)
    if r.until:
        text += ", " + t("recurrence_until", date=t.date(r.until, "long"))
    if r.count:
        text += ", " + t.count("recurrence_count", r.count)
    if r.exceptions:
        text += "; " + t("recurrence_except", dates=", ".join(t.date(d, "medium") for d in sorted(r.exceptions)))
    # cancelled with [[occurrence]] (cancelled = true): skipped as exceptions are, and said so
    cancelled = sorted({c.date for c in meeting.occurrences if c.cancelled} - set(r.exceptions))
    if cancelled:
        text += "; " + t("recurrence_cancelled", dates=", ".join(t.date(d, "medium") for d in cancelled))
    return text


def _convener(org: Organisation, meeting_id: str) -> str | None:
    found = org.find_meeting(meeting_id)
    return found[0] if found else None


# -- events and calendars --------------------------------------------------------------


def organiser_address(slug: str, settings: Settings) -> str:
    """Where replies go: organisation.toml's address for the convener (or for all), else CONVENER@domain."""
    return settings.organisers.get(slug) or settings.organisers.get("") or f"{slug}@{settings.domain}"


def organizer(org: Organisation, slug: str, settings: Settings) -> vCalAddress:
    """The convening collective, at a role address (not anyone's private email): invites, feeds and the
    commitments' tasks all name it so."""
    address = vCalAddress(f"mailto:{organiser_address(slug, settings)}")
    address.params["CN"] = _param(org.name_of(slug))
    return address


def attendees(org: Organisation, convener: str, meeting: Meeting) -> list[vCalAddress]:
    """Members of the convening and participating collectives who opted in and gave an email."""
    out: dict[str, vCalAddress] = {}
    for slug in dict.fromkeys([convener, *meeting.participants]):
        c = org.collectives.get(slug)
        if c is None or c.members is None:
            continue
        for m in c.members.members:
            if not (m.invite and m.email) or m.email.lower() in out:
                continue
            a = vCalAddress(f"mailto:{m.email}")
            a.params.update(
                {
                    "CN": _param(m.handle),
                    "CUTYPE": "INDIVIDUAL",
                    "ROLE": "REQ-PARTICIPANT",
                    "PARTSTAT": "NEEDS-ACTION",
                    "RSVP": "TRUE",
                }
            )
            out[m.email.lower()] = a
    return sorted(out.values(), key=lambda a: str(a.params["CN"]))


def build_event(
    org: Organisation,
    convener: str,
    meeting_id: str,
    meeting: Meeting,
    settings: Settings,
    method: Method = "publish",
    description: str | None = None,  # describe()'s text when already known (`descriptions`)
) -> tuple[Event, list[str]]:
    where = f"meeting {meeting_id}"
    times = meeting_times(meeting, where)
    warnings = list(times.warnings)
    e = Event()
    e.add("UID", event_uid(meeting_id, settings.domain))
    e.add("DTSTAMP", _aware(settings.stamp).astimezone(UTC))
    sequence, status = meeting.sequence, meeting.status.value.upper()
    if method == "cancel":
        status = "CANCELLED"
        if meeting.status is not Status.cancelled:
            sequence += 1  # RFC 5546: a change of STATUS raises SEQUENCE
            warnings.append(
                f"{where}: status in the file is still {meeting.status.value!r}; the cancellation "
                f"carries SEQUENCE {sequence}. Record it with 'invite {meeting_id} --method cancel "
                "--bump' so later runs agree"
            )
    e.add("SEQUENCE", sequence)
    e.add("DTSTART", _aware(times.start))
    e.add("DTEND", _aware(times.end))
    if meeting.recurrence is not None:
        e.add("RRULE", rrule(meeting, times.start))
        skipped, more = exdates(meeting, where)
        warnings += more
        if skipped:
            e.add("EXDATE", [_aware(d) for d in skipped])
    _texts(e, org, meeting_id, meeting, settings, convener, description)
    e.add("STATUS", status)
    e.add("TRANSP", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    if settings.attendees:
        for a in attendees(org, convener, meeting):
            e.add("ATTENDEE", a)
    if status != "CANCELLED":
        reminders = meeting.reminders_minutes if settings.reminders is None else settings.reminders
        for minutes in sorted(set(reminders), reverse=True):
            e.add_component(_alarm(meeting.title, minutes))
    return e, warnings


def overrides(org: Organisation, meeting_id: str, meeting: Meeting, main: Event) -> tuple[list[Event], list[str]]:
    """One VEVENT per moved occurrence: the series' UID, SEQUENCE, status and people, RECURRENCE-ID the
    original start, its own times and its own agenda as DESCRIPTION."""
    found, warnings = moved(meeting, f"meeting {meeting_id}")
    out = []
    for rid, times in found:
        e = Event()
        for name, value in main.property_items(recursive=False, sorted=False):
            if name not in ("BEGIN", "END", "DTSTART", "DTEND", "RRULE", "EXDATE", "DESCRIPTION"):
                e.add(name, value) if name == "ATTENDEE" else e.__setitem__(name, value)
        e.add("RECURRENCE-ID", _aware(rid))
        e.add("DTSTART", _aware(times.start))
        e.add("DTEND", _aware(times.end))
        warnings += times.warnings
        e.add("DESCRIPTION", Text(clean_text(describe(org, meeting_id, meeting, on=times.start.date()))))
        for alarm in main.subcomponents:
            e.add_component(alarm)
        out.append(e)
    return out, warnings


def _texts(
    e: Event,
    org: Organisation,
    meeting_id: str,
    meeting: Meeting,
    settings: Settings,
    convener: str,
    description: str | None = None,
) -> None:
    e.add("SUMMARY", Text(clean_text(meeting.title)))
    text = describe(org, meeting_id, meeting) if description is None else description
    e.add("DESCRIPTION", Text(clean_text(text)))
    if meeting.location:
        e.add("LOCATION", Text(clean_text(meeting.location)))
    if meeting.url:
        e.add("URL", meeting.url)
    e.add("ORGANIZER", organizer(org, convener, settings))


def _alarm(title: str, minutes: int) -> Alarm:
    a = Alarm()
    a.add("ACTION", "DISPLAY")
    a.add("DESCRIPTION", Text(clean_text(title)))
    a.add("TRIGGER", dt.timedelta(minutes=-minutes))
    return a


def _calendar(
    method: Method,
    events: list[tuple[Event, Meeting]],
    name: str | None = None,
    zones: dict[tuple[str, int, int], Timezone] | None = None,  # VTIMEZONEs made for other feeds of this run
) -> Calendar:
    cal = _calendar_head(method, [m for _, m in events], name, zones)
    for e, _ in events:
        cal.add_component(e)
    return cal


def _calendar_head(
    method: Method,
    meetings: list[Meeting],
    name: str | None = None,
    zones: dict[tuple[str, int, int], Timezone] | None = None,
) -> Calendar:
    """The calendar's own properties and the VTIMEZONEs its meetings need, without their events."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    if method != "none":
        cal.add("METHOD", method.upper())
    if name:
        cal.add("X-WR-CALNAME", Text(clean_text(name)))
        cal.add("NAME", Text(clean_text(name)))
        cal.add("REFRESH-INTERVAL", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
        cal.add("X-PUBLISHED-TTL", "PT12H")
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for m in {id(m): m for m in meetings}.values():  # a series and its moved occurrences: one meeting
        lo, hi = m.start.date(), last_day(m)
        old = spans.get(m.timezone)
        spans[m.timezone] = (min(lo, old[0]), max(hi, old[1])) if old else (lo, hi)
    for zone_name in sorted(spans):
        key = (zone_name, *zone_years(*spans[zone_name]))
        made = zones.get(key) if zones is not None else None
        if made is None:
            made = vtimezone(zone_name, *spans[zone_name])
            if zones is not None:
                zones[key] = made
        cal.add_component(made)
    return cal


def invite(org: Organisation, meeting_id: str, method: Method, settings: Settings) -> Built:
    """One VCALENDAR holding the meeting's VEVENT and its VTIMEZONE."""
    convener, meeting = org.meeting(meeting_id)
    event, warnings = build_event(org, convener, meeting_id, meeting, settings, method)
    extra, more = overrides(org, meeting_id, meeting, event)
    warnings += more
    if method in ("request", "cancel") and not settings.attendees:
        warnings.append(
            f"a {method.upper()} without attendees: pass --attendees to address the opted-in "
            "members (mail clients need to find the recipient among them)"
        )
    return Built(_calendar(method, [(event, meeting), *((e, meeting) for e in extra)]), warnings)


@dataclass
class FeedEntry:
    """One meeting in feeds: its VEVENTs (the series, then its moved occurrences) and their warnings.

    A one-off meeting comes as `data`, its VEVENT written by `_EventWriter`; its icalendar Event is made
    (`make`) only when someone asks for `events` (the Calendar of `Built.calendar`)."""

    first: dt.datetime  # the start in UTC: feeds are sorted by it, then by meeting id
    meeting_id: str
    convener: str
    meeting: Meeting
    warnings: tuple[str, ...]
    make: Callable[[], tuple[Event, ...]] = field(repr=False)
    data: bytes | None = field(default=None, repr=False)
    _events: tuple[Event, ...] | None = field(default=None, repr=False)

    @property
    def events(self) -> tuple[Event, ...]:
        if self._events is None:
            self._events = self.make()
        return self._events


class FeedEvents:
    """Every meeting's feed events, built once and written once (`Writer`), for as many feeds as are asked:
    `publish` writes the organisation's feed and one per collective from the same events."""

    def __init__(self, org: Organisation, settings: Settings) -> None:
        self.org = org
        self.settings = Settings(settings.domain, settings.stamp, attendees=False, reminders=settings.reminders)
        self.writer = Writer()
        self.lines = _EventWriter(org, self.settings)
        self._entries: dict[str, FeedEntry] = {}
        self._texts: dict[str, tuple[Meeting, str]] = {}
        self.zones: dict[tuple[str, int, int], Timezone] = {}

    def describe_ahead(self, meetings: list[tuple[str, Meeting]]) -> None:
        """Describe the meetings not built yet, on every core when they are many (`descriptions`)."""
        todo = [(mid, m) for mid, m in meetings if not self._built(mid, m) and self._text(mid, m) is None]
        meeting_of = dict(todo)
        for mid, text in descriptions(self.org, todo).items():
            self._texts[mid] = (meeting_of[mid], text)

    def _built(self, meeting_id: str, meeting: Meeting) -> bool:
        found = self._entries.get(meeting_id)
        return found is not None and found.meeting is meeting

    def _text(self, meeting_id: str, meeting: Meeting) -> str | None:
        known = self._texts.get(meeting_id)
        return known[1] if known is not None and known[0] is meeting else None

    def entry(self, meeting_id: str, convener: str, meeting: Meeting) -> FeedEntry:
        found = self._entries.get(meeting_id)
        if found is None or found.meeting is not meeting:
            found = self._entry(meeting_id, convener, meeting, self._text(meeting_id, meeting))
            self._entries[meeting_id] = found
        return found

    def _entry(self, meeting_id: str, convener: str, meeting: Meeting, text: str | None) -> FeedEntry:
        org, settings = self.org, self.settings
        if meeting.recurrence is None and not meeting.occurrences:  # one VEVENT: written without icalendar
            times = meeting_times(meeting, f"meeting {meeting_id}")  # build_event's checks, in its order
            text = describe(org, meeting_id, meeting) if text is None else text

            def make() -> tuple[Event, ...]:
                return (build_event(org, convener, meeting_id, meeting, settings, description=text)[0],)

            data = self.lines.event(convener, meeting_id, meeting, times, text)
            return FeedEntry(times.start.astimezone(UTC), meeting_id, convener, meeting, times.warnings, make, data)
        event, more = build_event(org, convener, meeting_id, meeting, settings, description=text)
        extra, moves = overrides(org, meeting_id, meeting, event)
        first = meeting_times(meeting, meeting_id).start.astimezone(UTC)
        events = (event, *extra)
        return FeedEntry(first, meeting_id, convener, meeting, tuple(more + moves), lambda: events, None, events)

    def data(self, entry: FeedEntry) -> bytes:
        """The entry's VEVENTs as bytes."""
        if entry.data is not None:
            return entry.data
        problems = [p for e in entry.events if not self.writer.written(e) for p in floating(e)]  # as Writer.calendar
        if problems:
            raise ValueError(f"refusing to write floating times: {', '.join(problems)}")
        return b"".join(self.writer.component(e) for e in entry.events)


class _EventWriter:
    """A one-off meeting's feed VEVENT as bytes: what `Writer` writes for `build_event`'s Event (publish,
    no attendees), without making the Event. Each property is written as icalendar writes it: its value
    by icalendar's value types (or `Text`), a line with parameters (TZID, CN) by icalendar once per zone
    or convener; tests/test_calendar_speed.py holds it to the Event's bytes."""

    def __init__(self, org: Organisation, settings: Settings) -> None:
        self.org, self.settings = org, settings
        self._stamp = _line("DTSTAMP", vDDDTypes(_aware(settings.stamp).astimezone(UTC)))
        self._organizers: dict[str, bytes] = {}
        self._prefixes: dict[tuple[str, dt.tzinfo | None], tuple[str, str]] = {}
        self._same: dict[tuple[str, object], bytes] = {}  # lines a feed repeats: SEQUENCE:0, STATUS, TRIGGER

    def event(self, convener: str, meeting_id: str, meeting: Meeting, times: Times, description: str) -> bytes:
        status = meeting.status.value.upper()
        title = escape_text(clean_text(meeting.title))
        out = [
            b"BEGIN:VEVENT\r\n",
            _text_line("SUMMARY", title),  # Event.canonical_order, then the other names alphabetically
            self._datetime("DTSTART", _aware(times.start)),
            self._datetime("DTEND", _aware(times.end)),
            self._stamp,
            _line("UID", vText(event_uid(meeting_id, self.settings.domain))),
            self._repeated("SEQUENCE", meeting.sequence, vInt),
            _text_line("DESCRIPTION", escape_text(clean_text(description))),
        ]
        if meeting.location:
            out.append(_text_line("LOCATION", escape_text(clean_text(meeting.location))))
        out.append(self._organizer(convener))
        out.append(self._repeated("STATUS", status, vText))
        out.append(self._repeated("TRANSP", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE", vText))
        if meeting.url:
            out.append(_line("URL", vUri(meeting.url)))
        if status != "CANCELLED":
            reminders = meeting.reminders_minutes if self.settings.reminders is None else self.settings.reminders
            for minutes in sorted(set(reminders), reverse=True):
                out += [
                    b"BEGIN:VALARM\r\nACTION:DISPLAY\r\n",
                    _text_line("DESCRIPTION", title),
                    self._repeated("TRIGGER", dt.timedelta(minutes=-minutes), vDDDTypes),
                    b"END:VALARM\r\n",
                ]
        out.append(b"END:VEVENT\r\n")
        return b"".join(out)

    def _datetime(self, name: str, value: dt.datetime) -> bytes:
        """DTSTART;TZID=Europe/Paris:20261201T150000 or DTEND:20261201T170000Z: the parameters and the Z
        as icalendar writes them for the zone (asked once a zone), the digits as vDatetime writes them."""
        known = self._prefixes.get((name, value.tzinfo))
        if known is None:
            v = vDDDTypes(value)
            text = v.to_ical().decode("utf-8")
            whole = str(Component().content_line(name, v, sorted=True)) if v.params else f"{name}:{text}"
            known = self._prefixes[(name, value.tzinfo)] = (whole[: -len(text)], "Z" if text.endswith("Z") else "")
            assert whole == known[0] + _digits(value) + known[1]
        return fold(known[0] + _digits(value) + known[1]) + b"\r\n"

    def _repeated(self, name: str, value: object, kind: Callable) -> bytes:
        """`_line(name, kind(value))`, written once for each value."""
        line = self._same.get((name, value))
        if line is None:
            line = self._same[(name, value)] = _line(name, kind(value))
        return line

    def _organizer(self, convener: str) -> bytes:
        line = self._organizers.get(convener)
        if line is None:
            value = organizer(self.org, convener, self.settings)
            line = self._organizers[convener] = fold(Component().content_line("ORGANIZER", value)) + b"\r\n"
        return line


def _digits(d: dt.datetime) -> str:
    return f"{d.year:04}{d.month:02}{d.day:02}T{d.hour:02}{d.minute:02}{d.second:02}"


def _text_line(name: str, escaped: str) -> bytes:
    return fold(f"{name}:{escaped}") + b"\r\n"


def _line(name: str, value) -> bytes:
    """A content line of a value without parameters, as `_content_line` writes it, folded, with its CRLF."""
    return fold(f"{name}:{value.to_ical().decode('utf-8')}") + b"\r\n"


def feed_title(org: Organisation, collective: str | None, name: str | None = None) -> str:
    """The calendar's name apps show: `name`, else the collective's meetings or all of them."""
    return name or (f"{org.name_of(collective)}: meetings" if collective else "All meetings")


def feed(
    org: Organisation,
    collective: str | None,
    settings: Settings,
    name: str | None = None,
    events: FeedEvents | None = None,
) -> Built:
    """METHOD:PUBLISH feed of every meeting of the organisation, or those a collective convenes or joins.

    `events` (built for the same organisation and settings) lets several feeds share their meetings' events."""
    if collective is not None:
        org.collective(collective)  # did you mean
    events = events if events is not None and events.org is org else FeedEvents(org, settings)
    wanted = [
        (mid, slug, m)
        for mid, (slug, m) in org.meetings().items()
        if collective is None or slug == collective or collective in m.participants
    ]
    events.describe_ahead([(mid, m) for mid, _, m in wanted])
    progress.begin("meetings", len(wanted))
    chosen = []
    for mid, slug, m in wanted:
        chosen.append(events.entry(mid, slug, m))
        progress.advance()
    warnings = [w for entry in chosen for w in entry.warnings]
    chosen.sort(key=lambda b: (b.first, b.meeting_id))  # stable: a series' overrides stay after it
    title = feed_title(org, collective, name)
    head = _calendar_head("publish", [entry.meeting for entry in chosen], title, events.zones)
    todos = _votes(org, collective, events.settings)

    def make() -> Calendar:  # the same calendar, as icalendar objects (for who asks for `calendar`)
        cal = _calendar_head("publish", [entry.meeting for entry in chosen], title, events.zones)
        for component in [e for entry in chosen for e in entry.events] + todos:
            cal.add_component(component)
        return cal

    def write() -> bytes:  # what Writer.calendar(make()) writes: the head, the events, the tasks, the end
        end = b"END:VCALENDAR\r\n"
        top = events.writer.calendar(head)
        assert top.endswith(end)
        parts = [top[: -len(end)], *(events.data(entry) for entry in chosen)]
        return b"".join([*parts, *(events.writer.component(t) for t in todos), end])

    return Built(None, warnings, events.writer, make=make, write=write)


def _votes(org: Organisation, collective: str | None, settings: Settings) -> list[Component]:
    """Each opened vote between meetings as a task of the collective entitled to it, in that collective's feed."""
    if collective is None or not any(
        m.between and m.opened for c in org.collectives.values() for m in c.motions.values()
    ):
        return []
    from redflag_coord.org.settings import settings_or_defaults

    return vote_todos(org, collective, settings, settings_or_defaults(org.root).decisions)


# Meetings from which forked workers describe them by default (REDFLAG_WORKERS decides when set): a
# description takes about 0.2 ms, and at 1,000 meetings forking cost 0.1 s of CPU for no shorter run on 2 cores.
DESCRIBE_PARALLEL_FROM = 4000
_DESCRIBING: list[tuple[str, Meeting]] = []  # what forked workers describe (they inherit it, and the organisation)
_DESCRIBING_ORG: list[Organisation] = []


def descriptions(org: Organisation, meetings: list[tuple[str, Meeting]]) -> dict[str, str]:
    """`describe` of each meeting (the series' text), by meeting id. For many meetings (DESCRIBE_PARALLEL_FROM,
    then org.pool's rule; or REDFLAG_WORKERS) forked copies of this process describe a share each: the same
    function on the same data gives the same strings. Nothing is returned for a meeting that fails: the
    caller's own describe then raises the error, in order, as it would have."""
    from redflag_coord.org.pool import workers_for

    if len(meetings) < DESCRIBE_PARALLEL_FROM and not os.environ.get("REDFLAG_WORKERS", "").strip():
        return {}
    n = workers_for(len(meetings))
    if n <= 1:
        return {}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    bounds = [len(meetings) * i // n for i in range(n + 1)]
    progress.begin("describing", len(meetings))
    _DESCRIBING[:], _DESCRIBING_ORG[:] = meetings, [org]
    try:
        with ProcessPoolExecutor(n - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = [pool.submit(_describe_range, bounds[i], bounds[i + 1]) for i in range(1, n)]
            texts = _describe_range(bounds[0], bounds[1])
            for part in parts:
                texts += part.result()
    except Exception:  # a meeting that cannot be described, or a worker lost: describe in order instead
        return {}
    finally:
        _DESCRIBING.clear()
        _DESCRIBING_ORG.clear()
    return {mid: text for (mid, _), text in zip(meetings, texts, strict=True)}


def _describe_range(start: int, stop: int) -> list[str]:
    org = _DESCRIBING_ORG[0]
    share = max(1, len(_DESCRIBING) // max(1, stop - start))  # the workers describe as many meanwhile
    out = []
    for mid, m in _DESCRIBING[start:stop]:
        out.append(describe(org, mid, m))
        progress.advance(share)  # this process only: a worker's ticks go nowhere
    return out


# -- output ------------------------------------------------------------------------

_DATETIME_PROPS = ("DTSTART", "DTEND", "EXDATE", "RDATE", "RECURRENCE-ID", "DUE")


def floating(cal: Component) -> list[str]:
    """Date-time properties of events written without a zone or UTC (should be none)."""
    out = []
    for component in cal.walk("VEVENT"):
        for name in _DATETIME_PROPS:
            values = component.get(name)
            for value in values if isinstance(values, list) else [values]:
                if value is None:
                    continue
                for d in getattr(value, "dts", [value]):
                    inner = getattr(d, "dt", d)
                    if isinstance(inner, dt.datetime) and inner.tzinfo is None:
                        out.append(f"{component.get('UID')}: {name}")
    return out


def serialize(cal: Calendar) -> bytes:
    return Writer().calendar(cal)


class Writer:
    """Calendars as bytes, the same bytes as icalendar's `Calendar.to_ical()`, each subcomponent written once.

    icalendar folds a line character by character (most of a feed's time); `fold` cuts the UTF-8 bytes
    at the same places. A component written once is reused while it is held (feeds that share events)."""

    def __init__(self) -> None:
        self._done: dict[int, tuple[Component, bytes]] = {}

    def calendar(self, cal: Calendar) -> bytes:
        # what `floating(cal)` finds, without walking again the components written already (they had none)
        problems = (
            floating(cal)
            if cal.name == "VEVENT"
            else [p for c in cal.subcomponents if not self.written(c) for p in floating(c)]
        )
        if problems:
            raise ValueError(f"refusing to write floating times: {', '.join(problems)}")
        head = _lines(cal, recursive=False)
        end = head.pop()  # END:VCALENDAR, after the subcomponents
        return b"".join([*head, *(self.component(c) for c in cal.subcomponents), end])

    def written(self, c: Component) -> bool:
        """Whether `c` was written already (and checked for floating times then)."""
        done = self._done.get(id(c))
        return done is not None and done[0] is c

    def component(self, c: Component) -> bytes:
        done = self._done.get(id(c))
        if done is None or done[0] is not c:
            done = (c, b"".join(_lines(c)))
            self._done[id(c)] = done
        return done[1]


def _lines(c: Component, recursive: bool = True) -> list[bytes]:
    """Each content line of the component, folded, with its CRLF (what `Component.to_ical` joins)."""
    out = []
    for name, value in c.property_items(recursive=recursive, sorted=True):
        line = _content_line(c, name, value)
        if line:
            out.append(fold(line) + b"\r\n")
    return out


def _content_line(c: Component, name: str, value: object) -> str:
    """`c.content_line(name, value)` as a plain string. Most properties carry no parameters: for them it is
    NAME:VALUE, written here without the empty Parameters that `content_line` makes for every line (a
    third of a feed's writing); the others go to icalendar."""
    if getattr(value, "params", None):
        return c.content_line(name, value, sorted=True)
    ical = value.to_ical() if hasattr(value, "to_ical") else vText(value).to_ical()  # type: ignore[arg-type]
    text = ical.decode("utf-8") if isinstance(ical, bytes) else str(ical)  # public API only: to_ical's bytes
    return f"{name}:{text}"


_FOLD_AT = 75  # octets: a line is cut before the character that would make it 75 long
_ESCAPES = b"\\^"  # a backslash (TEXT) or caret (RFC 6868) escape stays with what it escapes


def fold(line: str) -> bytes:
    """A content line folded as icalendar folds it (RFC 5545 §3.1): at most 74 octets a line, never
    inside a character, and an escape character not left at the end of a line; CRLF and a space between."""
    if "\n" in line:
        return Contentline(line).to_ical()  # icalendar refuses it; let it say so
    data = line.encode("utf-8")
    if len(data) < _FOLD_AT:
        return data
    parts = []
    start, n = 0, len(data)
    while n - start >= _FOLD_AT:
        cut = start + _FOLD_AT - 1
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character
            cut -= 1
        if cut - start > 1 and data[cut - 1] in _ESCAPES:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


# -- votes between meetings as tasks (the doc of _votes): one VTODO per entitled collective -----------
# DUE is the close (UTC); the UID is stable per motion and collective; SEQUENCE is twice the motion's
# `sequence` (raised when the close moved later) plus one once the task is settled (voted, or closed without).


def vote_uid(motion_id: str, collective: str, domain: str) -> str:
    return f"vote-{motion_id}-{collective}@{domain}"


def vote_todos(org: Organisation, collective: str | None, settings: Settings, default: DecisionRule) -> list:
    """The tasks of every opened vote for `collective` (None: every collective's)."""
    from redflag_coord.org import ballot

    out = []
    for c in sorted(org.collectives.values(), key=lambda c: c.slug):
        for mid, motion in sorted(c.motions.items()):
            if not (motion.between and motion.opened and motion.closes):
                continue
            who = ballot.entitled(org, ballot.rule_for(default, motion))
            voted = {b.collective for b in ballot.counted(motion.ballots, who)}
            for slug in who:
                if collective is None or slug == collective:
                    out.append(_todo(org, mid, motion, slug, slug in voted, settings))
    return out


def _todo(org: Organisation, mid: str, motion, slug: str, voted: bool, settings: Settings) -> Component:
    zone_name = org.zone_of(slug) or "UTC"
    status = "COMPLETED" if voted else ("CANCELLED" if motion.closed else "NEEDS-ACTION")
    from icalendar import Todo

    from redflag_coord.org import ballot
    from redflag_coord.org.window import local_text

    todo = Todo()
    todo.add("UID", vote_uid(mid, slug, settings.domain))
    todo.add("DTSTAMP", settings.stamp.astimezone(UTC))
    todo.add("SEQUENCE", 2 * motion.sequence + (status != "NEEDS-ACTION"))
    todo.add("SUMMARY", Text(clean_text(f"{org.name_of(slug)}: vote on “{motion.title}”")))
    closes_there = local_text(ballot.unix(motion.closes), zone_name)
    todo.add("DESCRIPTION", Text(clean_text(f"motion {mid}: the vote closes {closes_there} ({zone_name})")))
    todo.add("CATEGORIES", [slug])
    todo.add("DTSTART", motion.opened.astimezone(UTC))
    todo.add("DUE", motion.closes.astimezone(UTC))
    todo.add("STATUS", status)
    if voted:
        todo.add("PERCENT-COMPLETE", 100)
        todo.add("COMPLETED", min(motion.closes, _cast(motion, slug)).astimezone(UTC))
    return todo


def _cast(motion, slug: str) -> dt.datetime:
    b = next(b for b in motion.ballots if b.collective == slug)
    if isinstance(b.cast, dt.datetime):
        return b.cast
    return max(motion.opened, dt.datetime.combine(b.cast, dt.time(), UTC))
