"""Where to look for a meeting's time: around its current date, never before now, after reports are due."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from redflag_coord.errors import UsageError
from redflag_coord.org.model import Meeting
from redflag_coord.org.occurrences import OccurrenceError, pick
from redflag_coord.tz.zones import UTC, resolve, zone

MAX_WINDOW = 180  # days either side: the range stays under find.MAX_DAYS


@dataclass(frozen=True)
class Window:
    date_from: dt.date  # UTC dates, included
    date_to: dt.date
    not_before: int  # Unix seconds
    note: str | None  # how the range was chosen, for the reader (None: as the user gave it)


def current_start(m: Meeting, today: dt.date) -> int | None:
    """The meeting's current start (its next occurrence for a series) as Unix seconds; None in a DST gap."""
    try:
        day = pick(m, today).date
    except OccurrenceError:  # a series that has ended: its first date stands for it
        day = m.start.date()
    local = resolve(dt.datetime.combine(day, m.start.time()), m.timezone)
    return int(local.instants[0].timestamp()) if local.instants else None


def first_second(now: dt.datetime) -> int:
    """The first whole second (Unix) a slot may start at: now rounded up, since a start within the
    second already begun is in the past."""
    return math.ceil(now.timestamp())


def around_meeting(m: Meeting, current: int | None, now: dt.datetime, window: int) -> Window:
    """Its date +- `window` days, from the later of now and the day after reports are due (in its zone)."""
    centre = dt.datetime.fromtimestamp(current, UTC).date() if current is not None else m.start.date()
    not_before = now.astimezone(UTC)
    why = f"from now ({not_before:%Y-%m-%d %H:%M} UTC)"
    if m.reports_due is not None:
        after_due = dt.datetime.combine(m.reports_due + dt.timedelta(days=1), dt.time(), zone(m.timezone))
        if after_due > not_before:
            not_before = after_due.astimezone(UTC)
            why = f"from the day after reports are due ({m.reports_due}, {m.timezone})"
    start = max(centre - dt.timedelta(days=window), not_before.date())
    end = centre + dt.timedelta(days=window)
    note = f"around the meeting's date {centre} (±{window} days), {why}"
    if end < start:  # the meeting is past, or due after its date: look ahead from the first allowed day
        days = 2 * window or 1
        end = start + dt.timedelta(days=days - 1)
        note = f"the meeting's date {centre} is past or before reports are due: {days} days {why}"
    return Window(start, end, first_second(not_before), note)


def date_range(
    date_from: dt.date | None,
    date_to: dt.date | None,
    days: int | None,
    today: dt.date,
    max_days: int,
    default_days: int,
) -> tuple[dt.date, dt.date]:
    """The days to search, from --from/--to/--days (first and last included): --to or --days, not both;
    from today by default, `default_days` long; between the years 1900 and 9000; at most `max_days`."""
    if date_to is not None and days is not None:
        raise UsageError("give --to or --days, not both")
    if days is not None and days > max_days:
        raise UsageError(f"--days {days}: look at most {max_days} days at a time")
    start = date_from if date_from is not None else today
    if date_to is not None:
        end = date_to
    elif start.year > 9000:
        raise UsageError(f"--from {start}: choose a date before the year 9000")
    else:
        end = start + dt.timedelta(days=(days or default_days) - 1)
    if not (start.year >= 1900 and end.year <= 9000):
        raise UsageError("choose dates between the years 1900 and 9000")
    if end < start:
        raise UsageError(f"the range is reversed: --to {end} is before --from {start}")
    if (end - start).days + 1 > max_days:
        raise UsageError(f"the range is {(end - start).days + 1} days; look at most {max_days} days at a time")
    return start, end


def search_window(
    m: Meeting | None,
    current: int | None,
    dates: tuple[dt.date | None, dt.date | None, int | None],
    now: dt.datetime,
    window: int,
    max_days: int,
    default_days: int,
) -> Window:
    """The days `slots` searches: for a meeting without --from/--to/--days, around its date
    (`around_meeting`); else the range given (`date_range`), from now on."""
    date_from, date_to, days = dates
    if m is not None and date_from is None and date_to is None and days is None:
        return around_meeting(m, current, now, window)
    start, end = date_range(date_from, date_to, days, now.date(), max_days, default_days)
    return Window(start, end, first_second(now), None)
