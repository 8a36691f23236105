"""The one supported range of dates and instants: every reader checks a value here.

Years 1900 to 2200. Why these bounds:
- Python's datetime, zoneinfo and iCalendar (four-digit years) end at 9999, and an instant near either end
  overflows as soon as a zone's offset, a duration or a horizon is added (a meeting at 9999-12-31T23:00
  ends in year 10000). The range leaves every such step far from those edges: the longest series the
  model allows (COUNT 1000, every 52 months, about 4,333 years) started in 2200 still ends before 9999.
- Before 1900 every zone is in local mean time (offsets such as -07:52:58): no meeting, report or
  relationship of the organisation is dated then, so such a date is a typo.
- 2200 is as far as any plan reaches (a series `until` 2200 is "for ever") while zone rules after 2037
  are already an extrapolation of today's rules.
A date in a file outside the range is an error with its file, line and key (the data model's date types);
a date from git outside it is a warning and ignored (see org.reportstate).
"""

from __future__ import annotations

import datetime as dt

from pydantic_core import PydanticCustomError

FIRST_YEAR = 1900
LAST_YEAR = 2200
FIRST = dt.date(FIRST_YEAR, 1, 1)
LAST = dt.date(LAST_YEAR, 12, 31)
RANGE = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def in_range(value: dt.date | dt.datetime) -> bool:
    """Whether a date, a local wall time or an instant (its UTC date) is in the supported range."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC) if FIRST_YEAR < value.year < LAST_YEAR else value
    return FIRST <= _day(value) <= LAST


def out_of_range(value: dt.date | dt.datetime) -> str | None:
    """Why a value is outside the supported range, or None."""
    if in_range(value):
        return None
    return f"{_day(value).isoformat()} is outside the dates this tool supports ({RANGE}); check the year"


def check(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """The validator of every date and date-time type of the data model (pydantic error: file, line, key)."""
    problem = out_of_range(value)
    if problem:
        raise PydanticCustomError("date_range", "{problem}", {"problem": problem})
    return value


def clamp(day: dt.date) -> dt.date:
    """A date moved into the range (for horizons computed from the range's own dates)."""
    return min(max(day, FIRST), LAST)


def parse_day(text: str, what: str) -> dt.date:
    """The one reader of a date typed by a user (a date option, REDFLAG_TODAY): YYYY-MM-DD in the range,
    else a usage error naming `what`."""
    from redflag_coord.errors import UsageError

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-12-12") from None
    problem = out_of_range(day)
    if problem:
        raise UsageError(f"{what}: {problem}")
    return day
