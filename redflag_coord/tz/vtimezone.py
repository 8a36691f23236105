"""VTIMEZONE components derived from the tz database, in the form every calendar app reads.

Google and Apple write one STANDARD and one DAYLIGHT block, each with a yearly
RRULE; Outlook has been reported to shift events past a DST change when a zone
comes as a list of RDATE transitions (icalendar's `add_missing_timezones`). So
the rule is derived from zoneinfo's own transitions over the years the events
need, and the transition list is written only when a zone has no regular
yearly rule there. The TZID is always the IANA name, never an abbreviation:
TZNAME ("PST") is only a label, and several zones share one (Asia/Manila and
America/Los_Angeles).
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from redflag_coord.tz.zones import check_zone_name, zone

UTC = dt.UTC
_STEP = dt.timedelta(hours=6)  # tz transitions are months apart; no zone changes twice in six hours
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TRUE_UNTIL = 2037  # every VTIMEZONE gives zoneinfo's offsets at least to the end of this year

Form = Literal["rrule", "transitions", "fixed"]


@dataclass(frozen=True)
class Transition:
    utc: dt.datetime  # the instant the new offset starts
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    dst: bool  # the new observance is daylight saving time
    name: str  # TZNAME of the new observance

    @property
    def local_onset(self) -> dt.datetime:
        """The onset as a naive wall time in the old offset (DTSTART of an observance)."""
        return (self.utc + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class YearlyRule:
    month: int
    nth: int  # 1..4, or -1 for the last; 0: the first `weekday` on or after day `after`
    weekday: int  # 0 = Monday
    time: dt.time
    after: int = 0  # with nth 0: e.g. Chile's "first Sunday on or after 2 April"

    @property
    def rrule(self) -> dict:
        if self.nth == 0:
            days = list(range(self.after, self.after + 7))
            return {"FREQ": "YEARLY", "BYMONTH": [self.month], "BYDAY": [_DAYS[self.weekday]], "BYMONTHDAY": days}
        return {"FREQ": "YEARLY", "BYMONTH": [self.month], "BYDAY": [f"{self.nth}{_DAYS[self.weekday]}"]}


def _state(tz, instant: dt.datetime) -> tuple[dt.timedelta, dt.timedelta, str]:
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    local = tz.fromutc(instant.replace(tzinfo=tz))  # what astimezone does with a UTC instant, in one call
    return local.utcoffset() or dt.timedelta(0), local.dst() or dt.timedelta(0), local.tzname() or ""


def transitions(zone_name: str, first_year: int, last_year: int) -> list[Transition]:
    """Every change of offset or name in the zone between 1 Jan first_year and 31 Dec last_year (UTC)."""
    return list(_transitions(zone_name, first_year, last_year))


@lru_cache(maxsize=256)
def _transitions(zone_name: str, first_year: int, last_year: int) -> tuple[Transition, ...]:
    """Cached: every VTIMEZONE now scans to 2037, and a feed asks for the same zones again."""
    return tuple(_label_daylight([c for year in range(first_year, last_year + 1) for c in _year(zone_name, year)]))


@lru_cache(maxsize=4096)
def _year(zone_name: str, year: int) -> tuple[Transition, ...]:
    """The changes in one UTC year (not yet labelled daylight), by six-hour steps from 1 January: the
    steps of a scan over several years, so joining years gives that scan's changes. Cached by year:
    feeds with different spans (publish writes one per collective) share the years they have in common."""
    tz = zone(zone_name)
    # `_state` of each step, inlined: the UTC fields labelled with the zone once (adding hours to an aware
    # datetime only moves its fields), and the zone asked directly. About 1,500 steps a year per zone.
    fromutc, offset, dst, name = tz.fromutc, tz.utcoffset, tz.dst, tz.tzname
    zero = dt.timedelta(0)
    t = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    out: list[Transition] = []
    local = fromutc(t)
    before = (offset(local) or zero, dst(local) or zero, name(local) or "")
    while t < end:
        nxt = t + _STEP
        local = fromutc(nxt)
        after = (offset(local) or zero, dst(local) or zero, name(local) or "")
        if after != before:
            at = _bisect(tz, t.replace(tzinfo=UTC), nxt.replace(tzinfo=UTC), before)
            out.append(Transition(at, before[0], after[0], False, after[2]))
        t, before = nxt, after
    return tuple(out)


def _label_daylight(changes: list[Transition]) -> list[Transition]:
    """DAYLIGHT is the higher offset. The tz database marks some winter or Ramadan periods as
    "negative DST" (Europe/Dublin, Africa/Casablanca); readers that derive dst() from the
    STANDARD offset (dateutil) then convert wrongly near a transition."""
    if not changes:
        return changes
    base = min([changes[0].offset_from, *(c.offset_to for c in changes)])
    return [Transition(c.utc, c.offset_from, c.offset_to, c.offset_to > base, c.name) for c in changes]


def _bisect(tz, lo: dt.datetime, hi: dt.datetime, before: tuple) -> dt.datetime:
    """The first second in (lo, hi] whose state differs from `before`."""
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if _state(tz, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _candidates(onset: dt.datetime) -> set[YearlyRule]:
    nth = (onset.day - 1) // 7 + 1
    rules = {YearlyRule(onset.month, nth, onset.weekday(), onset.time())} if nth <= 4 else set()
    if onset.day + 7 > _stdcal.monthrange(onset.year, onset.month)[1]:
        rules.add(YearlyRule(onset.month, -1, onset.weekday(), onset.time()))
    for after in range(max(2, onset.day - 6), min(onset.day, 22) + 1):  # 2..22: the week stays in the month
        rules.add(YearlyRule(onset.month, 0, onset.weekday(), onset.time(), after))
    return rules


def yearly_rule(changes: list[Transition]) -> YearlyRule | None:
    """The one rule 'nth weekday of a month at a wall time' that gives every change, if any."""
    if not changes:
        return None
    shape = {(c.offset_from, c.offset_to, c.name) for c in changes}
    if len(shape) != 1:
        return None
    rules = _candidates(changes[0].local_onset)
    for c in changes[1:]:
        rules &= _candidates(c.local_onset)
    return min(rules, key=lambda r: (r.nth == 0, r.nth < 0, r.nth, r.after)) if rules else None


def classify(zone_name: str, first_year: int, last_year: int) -> tuple[Form, list[Transition]]:
    """Which form the zone takes over those years, with its transitions."""
    changes = transitions(zone_name, first_year, last_year)
    if not changes:
        return "fixed", changes
    years = range(first_year, last_year + 1)
    to_dst = [c for c in changes if c.dst]
    to_std = [c for c in changes if not c.dst]
    regular = (
        all(sum(c.utc.year == y and c.dst for c in changes) == 1 for y in years)
        and all(sum(c.utc.year == y and not c.dst for c in changes) == 1 for y in years)
        and yearly_rule(to_dst) is not None
        and yearly_rule(to_std) is not None
    )
    return ("rrule" if regular else "transitions"), changes


def years(first: dt.date, last: dt.date) -> tuple[int, int]:
    """The first and last year a VTIMEZONE for events between `first` and `last` covers: besides the
    zone, all that decides it (feeds with different events can share one)."""
    return first.year - 1, max(last.year + 1, TRUE_UNTIL)


def vtimezone(zone_name: str, first: dt.date, last: dt.date) -> Timezone:
    """The VTIMEZONE for events between `first` and `last` (dates, any zone).

    It is true at every instant from the year before `first` to the end of TRUE_UNTIL (or later
    events): some readers register a file's VTIMEZONE by TZID and apply it to other events, so a
    yearly rule is written only when it holds for every one of those years, else the transitions."""
    check_zone_name(zone_name)
    first_year, last_year = years(first, last)
    form, changes = classify(zone_name, first_year, last_year)
    tz = Timezone()
    tz.add("TZID", zone_name)
    tz.add("X-LIC-LOCATION", zone_name)
    if form == "fixed":
        start = dt.datetime(first_year, 1, 1)
        offset, _, name = _state(zone(zone_name), start.replace(tzinfo=UTC))
        tz.add_component(_observance(False, start, offset, offset, name))
    elif form == "rrule":
        for is_dst in (False, True):
            group = [c for c in changes if c.dst == is_dst]
            first_change = group[0]
            obs = _observance(
                is_dst, first_change.local_onset, first_change.offset_from, first_change.offset_to, first_change.name
            )
            rule = yearly_rule(group)
            assert rule is not None
            obs.add("RRULE", rule.rrule)
            tz.add_component(obs)
    else:
        tz.add_component(_initial(zone_name, first_year, changes[0]))
        for c in changes:
            tz.add_component(_observance(c.dst, c.local_onset, c.offset_from, c.offset_to, c.name))
    return tz


def _initial(zone_name: str, year: int, first_change: Transition) -> TimezoneStandard | TimezoneDaylight:
    """The observance in force at the start of the window, before its first transition."""
    start = dt.datetime(year, 1, 1)
    offset, _, name = _state(zone(zone_name), start.replace(tzinfo=UTC))
    return _observance(
        offset != first_change.offset_from or offset > first_change.offset_to, start, offset, offset, name
    )


def _observance(
    is_dst: bool, start: dt.datetime, offset_from: dt.timedelta, offset_to: dt.timedelta, name: str
) -> TimezoneStandard | TimezoneDaylight:
    obs = TimezoneDaylight() if is_dst else TimezoneStandard()
    if start.tzinfo is not None:
        raise ValueError("an observance starts at a local wall time")
    obs.add("DTSTART", start)
    obs.add("TZOFFSETFROM", offset_from)
    obs.add("TZOFFSETTO", offset_to)
    if name:
        obs.add("TZNAME", name)
    return obs
