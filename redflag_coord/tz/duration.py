"""The one syntax of a span of time typed by a user, for every option that takes one (--length, --step,
--duration, --reminder): minutes or hours and minutes.

    90      a bare number is minutes
    90m     minutes
    2h      hours
    1h30m   hours and minutes (minutes under 60); also "1h 30m"

Case and surrounding blanks do not matter. Data files keep whole minutes under a key that names the
unit (duration_minutes = 90, reminders_minutes = [15]): TOML has no duration type, and a number under
such a key cannot be misread. Pure text arithmetic; imports nothing of redflag_coord.

How long data is kept (organisation.toml's [retention]) is a *period* in the same syntax with calendar
units: 30d, 6w, 6mo, 2y, 1y6mo, or "never". "m" is minutes here too, so a period refuses "6m" (write 6mo).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

MINUTES_PER_DAY = 1440

# hours, then minutes; a blank may separate the two parts but not a number from its unit ("2 h" is
# more likely a typo than a duration).
_DURATION = re.compile(r"(?:(?P<h>\d{1,4})h)?\s*(?:(?P<m>\d{1,6})(?P<unit>m?))?")

EXAMPLES = "90 (minutes), 90m, 2h or 1h30m"


def parse_duration(text: str, *, least: int = 1, most: int = MINUTES_PER_DAY) -> int:
    """Whole minutes from `text` in the one duration syntax, between `least` and `most`; ValueError
    with the syntax and an example otherwise (callers name their option in front of it)."""
    clean = text.strip().lower()
    m = _DURATION.fullmatch(clean)
    if not clean or m is None or (m["h"] is None and m["m"] is None):
        raise ValueError(f"{text!r} is not a duration; write {EXAMPLES}")
    if m["h"] is not None and m["m"] is not None and (int(m["m"]) >= 60 or not m["unit"]):
        raise ValueError(f"{text!r} is not a duration; after hours give minutes under 60 ending in m, e.g. 1h30m")
    total = int(m["h"] or 0) * 60 + int(m["m"] or 0)
    if not least <= total <= most:
        raise ValueError(f"{text!r}: give a duration from {format_duration(least)} to {format_duration(most)}")
    return total


def format_duration(minutes: int) -> str:
    """The canonical spelling, which parse_duration reads back: 45m, 2h, 1h05m (0m for none)."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"


# -- periods: how long data is kept -----------------------------------------------------------------------
# The same syntax, with the calendar units a retention period needs: days, weeks, months, years. "m" stays
# minutes everywhere (a period refuses it and says to write "mo"), so "6m" never means two things.

_PERIOD = re.compile(r"(?:(?P<y>\d{1,3})y)?\s*(?:(?P<mo>\d{1,4})mo)?\s*(?:(?P<w>\d{1,4})w)?\s*(?:(?P<d>\d{1,5})d)?")
PERIOD_EXAMPLES = "30d, 6w, 6mo, 2y or 1y6mo"
NEVER = "never"


class Period:
    """A span of calendar time: whole months (years are 12) and days (weeks are 7). Months are added first,
    a day past the month's end falling back to its last day (31 January + 1mo = 28 or 29 February)."""

    __slots__ = ("days", "months")

    def __init__(self, months: int = 0, days: int = 0) -> None:
        self.months = months
        self.days = days

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Period) and (self.months, self.days) == (other.months, other.days)

    def __hash__(self) -> int:
        return hash((self.months, self.days))

    def __repr__(self) -> str:
        return f"Period({format_period(self)!r})"

    def after(self, day: dt.date) -> dt.date:
        """The date this period after `day` (OverflowError past year 9999)."""
        month0 = day.month - 1 + self.months
        year, month = day.year + month0 // 12, month0 % 12 + 1
        if year > dt.MAXYEAR:
            raise OverflowError("date out of range")
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=self.days)

    def before(self, day: dt.date) -> dt.date:
        """The date this period before `day`: `after` undone (days first, then months, clamped like `after`)."""
        day -= dt.timedelta(days=self.days)
        month0 = day.month - 1 - self.months
        year, month = day.year + month0 // 12, month0 % 12 + 1
        if year < dt.MINYEAR:
            raise OverflowError("date out of range")
        return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_period(text: str) -> Period | None:
    """A Period from `text` (years y, months mo, weeks w, days d, in that order), or None for "never";
    ValueError with the syntax and an example otherwise."""
    clean = text.strip().lower()
    if clean == NEVER:
        return None
    m = _PERIOD.fullmatch(clean)
    if not clean or m is None or not any(m.groupdict().values()):
        if re.fullmatch(r"\d+\s*m", clean):
            raise ValueError(f"{text!r}: 'm' is minutes; for months write {clean.rstrip('m ').strip()}mo")
        raise ValueError(f"{text!r} is not a period; write {PERIOD_EXAMPLES}, or {NEVER}")
    months = int(m["y"] or 0) * 12 + int(m["mo"] or 0)
    days = int(m["w"] or 0) * 7 + int(m["d"] or 0)
    return Period(months, days)


def format_period(period: Period | None) -> str:
    """The canonical spelling, which parse_period reads back: 2y, 1y6mo, 6mo, 30d, 0d (never for None)."""
    if period is None:
        return NEVER
    years, months = divmod(period.months, 12)
    parts = ((years, "y"), (months, "mo"), (period.days, "d"))
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0d"
