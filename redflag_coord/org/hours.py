"""A collective's hours as bands of its local time, and the UTC intervals they cover: the one reading of
`[availability]` that `slots` (meeting times), the rota (a holder's local hour) and a vote between meetings
(each collective's acceptable hours) share.

Local times come from zoneinfo: each zone's UTC offset is found once per constant-offset period of the range
(its transitions), and each collective's hours are turned into UTC intervals per period, so DST changes,
half-hour and 45-minute zones and the date line need no special case and no per-instant conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from redflag_coord.org.model import DEFAULT_AVAILABILITY, Availability, hours_minutes
from redflag_coord.tz.zones import zone

UNACCEPTABLE, POOR, ACCEPTABLE, GOOD = 0, 1, 2, 3
BANDS = ("unacceptable", "poor", "acceptable", "good")  # index = band value
DAY = 86_400
MINUTES_PER_DAY = 1440
WAKING = ("07:00-23:00",)  # poor when a collective names no poor hours
_EPOCH = dt.date(1970, 1, 1)
_SAMPLE = 6 * 3600  # zone offsets are sampled this often, then transitions found by bisection


# -- a collective's hours ------------------------------------------------------------------

Segment = tuple[int, int, int]  # start minute, end minute (excluded), band


@dataclass(frozen=True)
class Hours:
    """A collective's band for every local minute of each day of the week, and its dates to avoid."""

    profiles: tuple[tuple[Segment, ...], ...]  # by weekday (0 = Monday): a cover of [0, 1440)
    minute_bands: tuple[bytes, ...]
    avoid: frozenset[dt.date] = frozenset()
    default: bool = False

    def band(self, day: dt.date, minute: int) -> int:
        """The band of one local minute on one local date."""
        if day in self.avoid:
            return UNACCEPTABLE
        return self.minute_bands[day.weekday()][minute]

    def segments(self, day: dt.date) -> tuple[Segment, ...]:
        if day in self.avoid:
            return ((0, MINUTES_PER_DAY, UNACCEPTABLE),)
        return self.profiles[day.weekday()]


def hours_of(availability: Availability | None) -> Hours:
    """Bands from [availability] (a named day overrides weekdays/weekend); the default when a collective gives none."""
    a = availability or DEFAULT_AVAILABILITY
    bands: list[bytes] = []
    profiles: list[tuple[Segment, ...]] = []
    for weekday in range(7):
        minutes = bytearray(MINUTES_PER_DAY)  # UNACCEPTABLE
        poor = a.poor.on(weekday) if a.poor is not None else WAKING
        for band, ranges in (
            (POOR, poor),
            (ACCEPTABLE, a.on(weekday)),
            (GOOD, a.good.on(weekday) if a.good is not None else ()),
        ):
            for hours in ranges:
                start, end = hours_minutes(hours)
                end = min(end, MINUTES_PER_DAY)
                if start < end:
                    minutes[start:end] = bytes((band,)) * (end - start)
        bands.append(bytes(minutes))
        profiles.append(_runs(minutes))
    return Hours(tuple(profiles), tuple(bands), frozenset(a.avoid), availability is None)


def _runs(minutes: Sequence[int]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    start = 0
    for i in range(1, len(minutes) + 1):
        if i == len(minutes) or minutes[i] != minutes[start]:
            out.append((start, i, minutes[start]))
            start = i
    return tuple(out)


# -- zones: constant-offset periods ----------------------------------------------------------


def _offset(zone_name: str, ts: int) -> int:
    return int(dt.datetime.fromtimestamp(ts, zone(zone_name)).utcoffset().total_seconds())  # type: ignore[union-attr]


@lru_cache(maxsize=1024)
def offset_periods(zone_name: str, start: int, end: int) -> tuple[tuple[int, int, int], ...]:
    """(from, to, offset) in Unix seconds covering [start, end): the zone's UTC offset per period."""
    out: list[tuple[int, int, int]] = []
    here = t = start
    off = _offset(zone_name, start)
    while (nxt := min(t + _SAMPLE, end - 1)) > t:
        if _offset(zone_name, nxt) == off:
            t = nxt
            continue
        lo, hi = t, nxt  # offset(lo) == off != offset(hi): bisect to the first second of the new offset
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if _offset(zone_name, mid) == off else (lo, mid)
        out.append((here, hi, off))
        here = t = hi
        off = _offset(zone_name, hi)
    out.append((here, max(end, start), off))
    return tuple(out)


def transitions(zone_name: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(instant, offset before, offset after) for every clock change in [start, end)."""
    periods = offset_periods(zone_name, start, end)
    return [(b[0], a[2], b[2]) for a, b in pairwise(periods)]


def band_intervals(hours: Hours, zone_name: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(from, to, band) in Unix seconds covering [start, end), by the collective's local time."""
    out: list[tuple[int, int, int]] = []
    for a, b, off in offset_periods(zone_name, start, end):
        la, lb = a + off, b + off  # local seconds
        for day_index in range(la // DAY, (lb - 1) // DAY + 1):
            base = day_index * DAY
            for sm, em, band in hours.segments(_EPOCH + dt.timedelta(days=day_index)):
                x, y = max(base + sm * 60, la), min(base + em * 60, lb)
                if x < y:
                    out.append((x - off, y - off, band))
    return out


def worst_band(intervals: Iterable[tuple[int, int, int]], start: int, end: int) -> int:
    """The worst band met in [start, end)."""
    return min((band for x, y, band in intervals if x < end and y > start), default=GOOD)
