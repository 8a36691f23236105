"""When a vote between meetings may close: only after every entitled collective has had its hours.

A window that closes "in 48 hours" is fair to the collective that is awake for most of them and not
to the one whose acceptable hours fall in the others' night (CNCF gitvote#676: "they may have been
given <24h"). So a window is given as *hours inside each collective's acceptable local hours* (the
availability bands `slots` ranks meetings by), plus a minimum wait: it closes at the first whole
minute at which every collective has had that many acceptable hours since it opened, and not before
the minimum wait. Local time comes from the same per-period UTC offsets as `slots` (zoneinfo), so DST
changes, 45-minute zones and the date line need no special case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from redflag_coord.errors import RedflagError
from redflag_coord.org.hours import ACCEPTABLE, DAY, Hours, band_intervals
from redflag_coord.tz.zones import UTC, zone

HORIZON_DAYS = 92  # a window that needs longer than a quarter is a mistake in the data, not a window
_CHUNK = 7 * DAY  # band intervals are computed a week at a time, only as far as a collective needs


class WindowError(RedflagError):
    """A collective that never reaches its hours within the horizon (no acceptable hours, dates avoided)."""


@dataclass(frozen=True)
class Voter:
    slug: str
    zone: str
    hours: Hours


@dataclass(frozen=True)
class Reach:
    """One collective's side of the window: when its hours were complete, and the close in its zone."""

    slug: str
    zone: str
    enough_at: int  # Unix seconds: the instant its acceptable hours reached the requirement
    acceptable_seconds: int  # acceptable seconds between the opening and the close
    closes_local: str  # the close as a wall time in its zone, with the offset, e.g. '2026-12-09 06:15 +0545'


@dataclass(frozen=True)
class VotingWindow:
    opens: int  # Unix seconds
    closes: int
    need_seconds: int
    min_wait_seconds: int
    reaches: tuple[Reach, ...]

    @property
    def bound_by(self) -> str | None:
        """The collective whose hours set the close (None when the minimum wait did)."""
        last = max(self.reaches, key=lambda r: r.enough_at, default=None)
        if last is None or last.enough_at <= self.opens + self.min_wait_seconds:
            return None
        return last.slug


def enough_at(voter: Voter, opens: int, need_seconds: int, horizon_days: int = HORIZON_DAYS) -> int:
    """The first instant at which `voter` has had `need_seconds` of acceptable (or good) local time since `opens`."""
    if need_seconds <= 0:
        return opens
    had = 0
    end = opens + horizon_days * DAY
    start = opens
    while start < end:
        stop = min(start + _CHUNK, end)
        for a, b, band in band_intervals(voter.hours, voter.zone, start, stop):
            if band < ACCEPTABLE:
                continue
            if had + (b - a) >= need_seconds:
                return a + (need_seconds - had)
            had += b - a
        start = stop
    raise WindowError(
        f"{voter.slug} ({voter.zone}) does not have {need_seconds // 3600} acceptable hours within "
        f"{horizon_days} days of the opening: give it acceptable hours in [availability] of its collective.toml, "
        "or ask for fewer hours"
    )


def acceptable_between(voter: Voter, start: int, end: int) -> int:
    """Acceptable (or good) seconds of `voter`'s local time in [start, end)."""
    return sum(b - a for a, b, band in band_intervals(voter.hours, voter.zone, start, end) if band >= ACCEPTABLE)


def voting_window(opens: int, voters: Sequence[Voter], *, need_hours: float, min_wait_hours: float) -> VotingWindow:
    """The window of a vote opened at `opens`: it closes at the first whole minute (UTC) at which every voter has
    had `need_hours` of acceptable local time and `min_wait_hours` have passed."""
    need = round(need_hours * 3600)
    wait = round(min_wait_hours * 3600)
    reached = {v.slug: enough_at(v, opens, need) for v in voters}
    latest = max([opens + wait, *reached.values()])
    closes = -(-latest // 60) * 60  # up to the whole minute: later, never earlier
    reaches = tuple(
        Reach(v.slug, v.zone, reached[v.slug], acceptable_between(v, opens, closes), local_text(closes, v.zone))
        for v in voters
    )
    return VotingWindow(opens, closes, need, wait, reaches)


def may_close_early(window: VotingWindow, now: int, *, settled: bool) -> bool:
    """An early close: only when the result can no longer change and the minimum wait has passed."""
    return settled and now >= window.opens + window.min_wait_seconds


def local_text(instant: int, zone_name: str) -> str:
    """A Unix instant as a wall time in a zone with its UTC offset: what each collective is shown."""
    moment = dt.datetime.fromtimestamp(instant, UTC).astimezone(zone(zone_name))
    return moment.strftime("%Y-%m-%d %H:%M %z")
