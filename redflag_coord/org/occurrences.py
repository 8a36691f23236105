"""A meeting's occurrences: the one place every command asks when a meeting takes place.

A one-off meeting has one occurrence. A recurring one ([recurrence]) is expanded by
the recurrence engine (`tz.recurrence`, RFC 5545: the first meeting is `start`;
`count` counts occurrences before `exceptions` are removed; `until` is an inclusive
local date; a monthly rule with weekdays means the same weekday of the same week
of the month as `start`, e.g. the first Sunday, or the last when `start` is a fifth).
[[occurrence]] entries then move one occurrence (a new `start`) or cancel it.
A series is expanded lazily, only as far as a command asks (`through`): an open-ended one, or
one whose `until` lies far ahead, up to a horizon: HORIZON_YEARS after the later of its first
meeting and today. validate's DST checks stop there too, never at `until` itself (`daily` until
2200-12-31 would be 63,000 occurrences); an [[occurrence]] moved to a new start is checked
wherever it lies. No date after tz.span's last supported date is ever expanded.

API used by other packages (keep stable):
- `occurrences(meeting, through)`: every occurrence held, in order of start.
- `pick(meeting, today, on=None)`: the occurrence on a date, else the next one.
- `reports_due(meeting, occurrence)`: the due date of reports for that occurrence, None when the
  meeting takes no reports (`takes_reports`) or the occurrence is cancelled.
- `is_cancelled(meeting, occurrence)` and `accepts_reports(meeting, occurrence)`: the one rule every
  command asks: a cancelled meeting (status = "cancelled") or cancelled occurrence of a series
  ([[occurrence]] cancelled = true) takes no reports and gets no reminders.
- `time_problems(meeting, today)`: occurrences whose local start is in a DST gap or overlap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from redflag_coord.errors import RedflagError
from redflag_coord.org.model import WEEKDAYS, Meeting, Status
from redflag_coord.tz.recurrence import Rule, month_ordinal
from redflag_coord.tz.zones import gap_edges, resolve

HORIZON_YEARS = 2


class OccurrenceError(RedflagError, ValueError):
    """No occurrence matches what was asked (e.g. --on a date the meeting does not meet)."""

    usage = True


@dataclass(frozen=True)
class Occurrence:
    date: dt.date  # the local date it takes place (after a move)
    index: int  # 1 for the first meeting of the series held
    recurring: bool
    chosen: str  # "single", "next" (first on/after today), "on" (a date asked for) or "all"
    start: dt.datetime | None = None  # local wall start in the meeting's zone (None: meeting.start's time)
    original: dt.date | None = None  # the date the series gives for it (differs when moved)
    cancelled: bool = False  # a date of the series cancelled by an [[occurrence]] entry (pick(..., cancelled=True))
    shifted: bool = False  # an [[occurrence]] entry gives it its own start (another time, or another day)

    @property
    def moved(self) -> bool:
        """Held at another date or time than the series gives (every occurrence carries its start, so
        `start` alone cannot say)."""
        return self.shifted or (self.original is not None and self.original != self.date)

    def wall(self, meeting: Meeting) -> dt.datetime:
        """The local wall start of this occurrence."""
        return self.start or dt.datetime.combine(self.date, meeting.start.time())


def rule(meeting: Meeting) -> Rule | None:
    """The meeting's recurrence as an engine rule (None for a one-off); cancelled occurrences are exdates."""
    r = meeting.recurrence
    if r is None:
        return None
    first = meeting.start.date()
    days = tuple(sorted({WEEKDAYS.index(w) for w in r.weekdays}))
    cancelled = {c.date for c in meeting.occurrences if c.cancelled}
    return Rule(
        frequency=r.frequency,
        start=first,
        interval=r.interval,
        weekdays=days,
        ordinal=month_ordinal(first) if r.frequency == "monthly" and days else None,
        count=r.count,
        until=r.until,
        exdates=frozenset(r.exceptions) | frozenset(cancelled),
    )


def horizon(meeting: Meeting, today: dt.date) -> dt.date:
    """How far an open-ended series is expanded."""
    base = max(today, meeting.start.date())
    return base.replace(year=base.year + HORIZON_YEARS, day=min(base.day, 28))


def occurrences(meeting: Meeting, through: dt.date | None = None) -> list[Occurrence]:
    """Every occurrence held, moves applied, in order of start, up to `through` (the series' dates up to it;
    required for an open-ended series: pass `horizon(meeting, today)` when no other bound is wanted).
    Without `through`, a bounded series is expanded in full."""
    rl = rule(meeting)
    if rl is None:
        return [Occurrence(meeting.start.date(), 1, False, "single", meeting.start, meeting.start.date())]
    if through is None and not rl.bounded:
        raise ValueError("an open-ended series needs a date to stop at")
    moves = {c.date: c for c in meeting.occurrences if not c.cancelled and c.start is not None}
    found = []
    for day in rl.dates(through):
        move = moves.get(day)
        wall = (
            move.start
            if move is not None and move.start is not None
            else dt.datetime.combine(day, meeting.start.time())
        )
        found.append((wall, day))
    found.sort()
    return [
        Occurrence(wall.date(), n, True, "all", wall, day, shifted=day in moves)
        for n, (wall, day) in enumerate(found, start=1)
    ]


def local_dates(meeting: Meeting, through: dt.date | None = None) -> Iterator[dt.date]:
    """Local dates the meeting takes place on, in order (an open-ended series up to `through`, else
    HORIZON_YEARS after its first meeting)."""
    stop = through or horizon(meeting, meeting.start.date())
    for occ in occurrences(meeting, stop):
        yield occ.date


def pick(meeting: Meeting, today: dt.date, on: dt.date | None = None, *, cancelled: bool = False) -> Occurrence:
    """The occurrence on `on`, else the next on/after today (a one-off meeting is itself).

    `cancelled`: a date of the series cancelled by an [[occurrence]] entry is returned, marked cancelled,
    instead of refused (the report commands say it takes no reports rather than fail)."""
    recurring = meeting.recurrence is not None
    if not recurring and on is None:
        return Occurrence(meeting.start.date(), 1, False, "single", meeting.start, meeting.start.date())
    target = on or today
    stop = max(target, horizon(meeting, today)) + dt.timedelta(days=400)
    held = occurrences(meeting, stop)
    if on is not None:
        for occ in held:
            if occ.date == on:
                return replace(occ, chosen="on")
        before = [o.date for o in held if o.date < on]
        after = [o.date for o in held if o.date > on]
        moved = [o for o in held if o.original == on and o.date != on]
        if moved:
            raise OccurrenceError(f"the meeting of {on} was moved to {moved[0].date}; use --on {moved[0].date}")
        if any(c.date == on and c.cancelled for c in meeting.occurrences):
            if cancelled:
                return Occurrence(on, 0, recurring, "on", None, on, cancelled=True)
            raise OccurrenceError(f"the meeting of {on} is cancelled")
        raise OccurrenceError(_not_on(on, before[-1] if before else None, after[0] if after else None))
    for occ in held:
        if occ.date >= target:
            return replace(occ, chosen="next")
    last = held[-1].date if held else None
    raise OccurrenceError(f"the series ended on {last}: no meeting on or after {today}; give a date with --on")


def next_or_last(meeting: Meeting, today: dt.date) -> Occurrence:
    """The next occurrence on/after today, or the last one when the series is over (for summaries)."""
    try:
        return pick(meeting, today)
    except OccurrenceError:
        held = occurrences(meeting, horizon(meeting, today))
        if not held:
            return Occurrence(meeting.start.date(), 1, meeting.recurrence is not None, "single", meeting.start)
        return held[-1]


def takes_reports(meeting: Meeting) -> bool:
    """Whether collectives report on it: `reports` in the file, else one-off yes, recurring no."""
    return meeting.reports if meeting.reports is not None else meeting.recurrence is None


def is_cancelled(meeting: Meeting, occurrence: Occurrence | None = None) -> bool:
    """The meeting does not take place: its file says status = "cancelled", or this occurrence of its
    series is cancelled ([[occurrence]] cancelled = true)."""
    return meeting.status is Status.cancelled or (occurrence is not None and occurrence.cancelled)


def accepts_reports(meeting: Meeting, occurrence: Occurrence | None = None) -> bool:
    """Whether reports are due for this occurrence: the meeting takes reports (`takes_reports`) and is
    not cancelled. Every command asks this one rule: no report status "missing", no reminder, no
    `report new`, no count in `summary` for a meeting or occurrence that does not."""
    return takes_reports(meeting) and not is_cancelled(meeting, occurrence)


def reports_due(meeting: Meeting, occurrence: Occurrence) -> dt.date | None:
    """The due date of reports for one occurrence: `reports_due` is stated for the first meeting and
    keeps its distance for later ones. Without it, a meeting that says `reports = true` has reports
    due on the day, a one-off meeting that says nothing has no due date. None: no due date (always
    so for a meeting that takes no reports or is cancelled, see `accepts_reports`)."""
    if not accepts_reports(meeting, occurrence):
        return None
    if meeting.reports_due is None:
        return occurrence.date if meeting.reports else None
    return occurrence.date - (meeting.start.date() - meeting.reports_due)


@dataclass(frozen=True)
class TimeProblem:
    occurrence: Occurrence
    kind: Literal["gap", "ambiguous"]
    message: str


def time_problems(meeting: Meeting, today: dt.date) -> list[TimeProblem]:
    """Occurrences (up to the horizon for an open-ended series) whose local start does not exist or
    occurs twice in the meeting's zone."""
    out = []
    held = occurrences(meeting, horizon(meeting, today))
    seen = {o.original for o in held}
    later = [  # moves past the horizon: each names its start, so each is checked (they are few)
        Occurrence(c.start.date(), 0, True, "all", c.start, c.date, shifted=True)
        for c in meeting.occurrences
        if c.start is not None and not c.cancelled and c.date not in seen
    ]
    for occ in [*held, *later]:
        wall = occ.wall(meeting)
        local = resolve(wall, meeting.timezone)
        shown = wall.isoformat(timespec="minutes")
        if local.kind == "gap":
            before, after = gap_edges(wall, meeting.timezone)
            out.append(
                TimeProblem(
                    occ,
                    "gap",
                    f"the meeting on {occ.date} would start at {shown}, which does not exist in "
                    f"{meeting.timezone}: the clocks jump from {before:%H:%M} to {after:%H:%M} that day; "
                    f"move it with an [[occurrence]] entry, add {occ.date} to the exceptions, or change the time",
                )
            )
        elif local.kind == "ambiguous":
            a, b = (t.strftime("%H:%M UTC") for t in local.instants)
            out.append(
                TimeProblem(
                    occ,
                    "ambiguous",
                    f"the meeting on {occ.date} starts at {shown}, which occurs twice in {meeting.timezone} "
                    f"(at {a} and at {b}) as the clocks go back; the earlier is used",
                )
            )
    return out


def _not_on(on: dt.date | None, before: dt.date | None, after: dt.date | None) -> str:
    near = [f"{label} {d.isoformat()}" for label, d in (("the one before is", before), ("the next is", after)) if d]
    hint = f" ({'; '.join(near)})" if near else ""
    return f"the meeting does not take place on {on}{hint}"
