"""Which occurrence of a meeting an agenda is for.

A one-off meeting has one occurrence. A recurring one ([recurrence]) is expanded
as RFC 5545 does (the first meeting is `start`; `count` counts occurrences
before `exceptions` are removed; `until` is an inclusive local date), lazily,
so only the dates up to the one asked for are computed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from redflag_coord.org.model import WEEKDAYS, Meeting, Recurrence

MAX_STEPS = 200_000  # a safety stop for rules that produce no date for a very long time


class OccurrenceError(ValueError):
    """No occurrence matches what was asked (e.g. --on a date the meeting does not meet)."""


@dataclass(frozen=True)
class Occurrence:
    date: dt.date
    index: int  # 1 for the first meeting of the series
    recurring: bool
    chosen: str  # "single", "next" (first on/after today) or "on" (a date asked for)


def local_dates(meeting: Meeting) -> Iterator[dt.date]:
    """Local dates of the meeting, in order, exceptions removed."""
    r = meeting.recurrence
    first = meeting.start.date()
    if r is None:
        yield first
        return
    skip = set(r.exceptions)
    for n, day in enumerate(_rule_dates(r, first), start=1):
        if r.count is not None and n > r.count:
            return
        if r.until is not None and day > r.until:
            return
        if day not in skip:
            yield day


def _rule_dates(r: Recurrence, first: dt.date) -> Iterator[dt.date]:
    if r.frequency == "daily":
        for step in range(MAX_STEPS):
            yield first + dt.timedelta(days=step * r.interval)
    elif r.frequency == "weekly":
        days = sorted({WEEKDAYS.index(w) for w in r.weekdays} or {first.weekday()})
        monday = first - dt.timedelta(days=first.weekday())
        for step in range(MAX_STEPS):
            week = monday + dt.timedelta(weeks=step * r.interval)
            for wd in days:
                day = week + dt.timedelta(days=wd)
                if day >= first:
                    yield day
    else:
        for step in range(MAX_STEPS):
            month = first.month - 1 + step * r.interval
            year, month = first.year + month // 12, month % 12 + 1
            if year > dt.MAXYEAR:
                return
            if first.day <= calendar.monthrange(year, month)[1]:
                yield dt.date(year, month, first.day)


def pick(meeting: Meeting, today: dt.date, on: dt.date | None = None) -> Occurrence:
    """The occurrence on `on`, else the next on/after today (a one-off meeting is itself)."""
    recurring = meeting.recurrence is not None
    if not recurring and on is None:
        return Occurrence(meeting.start.date(), 1, False, "single")
    target = on or today
    last: dt.date | None = None
    for index, day in enumerate(local_dates(meeting), start=1):
        if day == target or (on is None and day > target):
            return Occurrence(day, index, recurring, "on" if on else "next")
        if day > target:
            raise OccurrenceError(_not_on(on, last, day))
        last = day
    if on is not None:
        raise OccurrenceError(_not_on(on, last, None))
    raise OccurrenceError(f"the series ended on {last}: no meeting on or after {today}; give a date with --on")


def _not_on(on: dt.date | None, before: dt.date | None, after: dt.date | None) -> str:
    near = [f"{label} {d.isoformat()}" for label, d in (("the one before is", before), ("the next is", after)) if d]
    hint = f" ({'; '.join(near)})" if near else ""
    return f"the meeting does not take place on {on}{hint}"


def reports_due(meeting: Meeting, occurrence: Occurrence) -> dt.date | None:
    """The date reports to this occurrence are due (a local date in the meeting's calendar)."""
    return meeting.reports_due
