"""Today and now: the one clock every command reads, fixed by REDFLAG_TODAY or REDFLAG_NOW for runs that
must be reproduced (tests, docs examples, a secretary checking yesterday's output)."""

from __future__ import annotations

import datetime as dt
import os

from redflag_coord.tz import span


def today_default() -> dt.date:
    """Today, or REDFLAG_TODAY (YYYY-MM-DD) so that runs can be reproduced (else REDFLAG_NOW's UTC date)."""
    fixed = os.environ.get("REDFLAG_TODAY")
    if not fixed and os.environ.get("REDFLAG_NOW"):
        try:
            return now_default().date()
        except ValueError:  # reported by the commands that read the time (slots); here, today stands
            pass
    if not fixed:
        return dt.date.today()
    return span.parse_day(fixed, "REDFLAG_TODAY")


def now_default() -> dt.datetime:
    """Now (aware, UTC), or REDFLAG_NOW (ISO 8601 with an offset); under REDFLAG_TODAY alone, that day's noon UTC
    (still that date from UTC-11 to UTC+11, so "today" means the same day almost everywhere)."""
    fixed = os.environ.get("REDFLAG_NOW")
    if fixed:
        try:
            moment = dt.datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            example = "2026-11-27T11:06:00+00:00"
            raise ValueError(f"REDFLAG_NOW={fixed!r} is not a date and time; write e.g. {example}") from None
        if moment.tzinfo is None:
            raise ValueError(f"REDFLAG_NOW={fixed!r} has no offset; write e.g. 2026-11-27T11:06:00+00:00")
        problem = span.out_of_range(moment)
        if problem:
            raise ValueError(f"REDFLAG_NOW: {problem}")
        return moment.astimezone(dt.UTC)
    if os.environ.get("REDFLAG_TODAY"):
        return dt.datetime.combine(today_default(), dt.time(12), dt.UTC)
    return dt.datetime.now(dt.UTC)


def now_or_today() -> dt.datetime:
    """Now, for commands that only judge dates (overdue, due): a malformed REDFLAG_NOW falls back to today."""
    try:
        return now_default()
    except ValueError:
        return dt.datetime.combine(today_default(), dt.time(12), dt.UTC)
