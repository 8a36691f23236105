"""The one recurrence engine: RFC 5545 RRULE expansion on plain values.

A `Rule` is what an RRULE says (FREQ DAILY/WEEKLY/MONTHLY, INTERVAL, BYDAY with
optional ordinals such as 1SU or -1SU, BYMONTHDAY, COUNT, UNTIL as a local date)
plus the first date (DTSTART) and the skipped dates (EXDATE). `dates` yields the
local dates RFC 5545 gives; `parts` gives the RRULE the calendar writes, so what
a calendar app expands and what every command uses come from the same object.
Weeks start on Monday (WKST=MO, the RFC default).
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from redflag_coord.tz import span

Frequency = Literal["daily", "weekly", "monthly"]
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PERIODS = 100_000  # a safety stop: periods (days, weeks, months) scanned without finding a date


@dataclass(frozen=True)
class Rule:
    """A recurrence. `weekdays` are 0 = Monday; `ordinal` (1..5, -1..-5) applies to them in a monthly rule
    (the nth / nth-last weekday of the month). A monthly rule without weekdays repeats on `start.day`
    and, as RFC 5545 says, skips months that have no such day. `count` counts dates before `exdates`
    are removed; `until` is the last local date that can occur."""

    frequency: Frequency
    start: dt.date
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    ordinal: int | None = None
    count: int | None = None
    until: dt.date | None = None
    exdates: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if any(not 0 <= d <= 6 for d in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if self.ordinal is not None and (self.ordinal == 0 or not -5 <= self.ordinal <= 5):
            raise ValueError("ordinal is 1..5 or -1..-5")

    @property
    def bounded(self) -> bool:
        return self.count is not None or self.until is not None

    def parts(self) -> dict:
        """RRULE parts (FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT) for icalendar; UNTIL is the caller's
        (it is an instant in UTC and needs the zone)."""
        out: dict = {"FREQ": self.frequency.upper()}
        if self.interval > 1:
            out["INTERVAL"] = self.interval
        days = sorted(set(self.weekdays))
        if days:
            prefix = str(self.ordinal) if self.frequency == "monthly" and self.ordinal else ""
            out["BYDAY"] = [f"{prefix}{DAY_CODES[d]}" for d in days]
        elif self.frequency == "monthly":
            out["BYMONTHDAY"] = [self.start.day]
        if self.count is not None:
            out["COUNT"] = self.count
        return out

    def problem(self) -> str | None:
        """Why the rule is unsafe to publish: the first date must itself be a date of the rule, since
        readers disagree on whether a DTSTART outside the rule happens."""
        if self.start not in self._period_dates(self.start, 0):
            name = DAY_NAMES[self.start.weekday()]
            return f"the first meeting ({self.start}, a {name}) is not a date the rule gives"
        return None

    def raw(self) -> Iterator[dt.date]:
        """Dates of the rule in order, exdates included, COUNT and UNTIL applied, none after tz.span's LAST.
        A generator: callers take only as many as they need (a daily series until 2200 is 63,000 dates)."""
        n = 0
        empty = 0
        for period in range(MAX_PERIODS * 10):
            found = [d for d in self._period_dates(self.start, period) if d >= self.start]
            empty = 0 if found else empty + 1
            if empty > MAX_PERIODS:
                return
            for day in found:
                if (self.until is not None and day > self.until) or day > span.LAST:
                    return  # past the supported range (tz.span): no reader holds those dates
                n += 1
                if self.count is not None and n > self.count:
                    return
                yield day

    def raw_through(self, last: dt.date) -> Iterator[dt.date]:
        """`raw` dates up to `last` (for checking whether a date is one of the rule's)."""
        for day in self.raw():
            if day > last:
                return
            yield day

    def dates(self, through: dt.date | None = None) -> Iterator[dt.date]:
        """The dates it occurs on, exdates removed; an open-ended rule stops after `through`."""
        for day in self.raw():
            if through is not None and day > through:
                return
            if day not in self.exdates:
                yield day

    def _period_dates(self, first: dt.date, period: int) -> list[dt.date]:
        """The candidate dates of the `period`-th period (day, week or month) after the first's."""
        step = period * self.interval
        try:
            if self.frequency == "daily":
                day = first + dt.timedelta(days=step)
                return [day] if not self.weekdays or day.weekday() in self.weekdays else []
            if self.frequency == "weekly":
                monday = first - dt.timedelta(days=first.weekday()) + dt.timedelta(weeks=step)
                return [monday + dt.timedelta(days=d) for d in sorted(set(self.weekdays or (first.weekday(),)))]
        except OverflowError:
            return []
        month0 = first.month - 1 + step
        year, month = first.year + month0 // 12, month0 % 12 + 1
        if year > dt.MAXYEAR:
            return []
        length = _stdcal.monthrange(year, month)[1]
        if not self.weekdays:
            return [dt.date(year, month, first.day)] if first.day <= length else []
        out = []
        for wd in set(self.weekdays):
            all_days = [d for d in range(1, length + 1) if dt.date(year, month, d).weekday() == wd]
            if self.ordinal is None:
                out += all_days
            elif -len(all_days) <= self.ordinal <= len(all_days):
                out.append(all_days[self.ordinal - 1 if self.ordinal > 0 else self.ordinal])
        return [dt.date(year, month, d) for d in sorted(out)]


def month_ordinal(day: dt.date) -> int:
    """The ordinal that names `day` among its month's same weekdays: 1..4, or -1 for a fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth
