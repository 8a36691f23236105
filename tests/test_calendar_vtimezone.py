"""VTIMEZONE: the RRULE form for zones with a yearly rule, a single STANDARD without DST,
the transition list otherwise; each gives zoneinfo's offset at every instant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.tz.vtimezone import classify, vtimezone
from redflag_coord.tz.zones import resolve

UTC = dt.UTC
FIRST, LAST = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
CASES = {
    "America/Los_Angeles": "rrule",
    "Europe/Paris": "rrule",  # last Sunday
    "Australia/Sydney": "rrule",  # southern hemisphere: DAYLIGHT starts in October
    "Asia/Manila": "fixed",
    "Asia/Kolkata": "fixed",
    "Africa/Johannesburg": "fixed",
    "America/El_Salvador": "fixed",
    "America/Mexico_City": "fixed",  # no DST since 2022
    "Africa/Casablanca": "transitions",  # moves with Ramadan: no yearly rule
}


def _parsed(zone: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    return icalendar.Timezone.from_ical(vtimezone(zone, first, last).to_ical())


def _observances(tz: icalendar.Timezone) -> list[str]:
    return [c.name for c in tz.subcomponents]


@pytest.mark.parametrize("zone,form", CASES.items())
def test_form(zone, form):
    assert classify(zone, FIRST.year - 1, LAST.year + 1)[0] == form
    tz = _parsed(zone, FIRST, LAST)
    assert str(tz["TZID"]) == zone
    kinds = _observances(tz)
    if form == "rrule":
        assert sorted(kinds) == ["DAYLIGHT", "STANDARD"]
        assert all("RRULE" in c and "RDATE" not in c for c in tz.subcomponents)
        assert all(c["RRULE"]["FREQ"] == ["YEARLY"] for c in tz.subcomponents)
    elif form == "fixed":
        assert kinds == ["STANDARD"]
        (std,) = tz.subcomponents
        assert std["TZOFFSETFROM"].td == std["TZOFFSETTO"].td
    else:
        assert len(kinds) > 2 and not any("RRULE" in c for c in tz.subcomponents)


def test_los_angeles_rule_is_derived():
    tz = _parsed("America/Los_Angeles", FIRST, LAST)
    by_kind = {c.name: c for c in tz.subcomponents}
    assert by_kind["DAYLIGHT"]["RRULE"]["BYDAY"] == ["2SU"] and by_kind["DAYLIGHT"]["RRULE"]["BYMONTH"] == [3]
    assert by_kind["STANDARD"]["RRULE"]["BYDAY"] == ["1SU"] and by_kind["STANDARD"]["RRULE"]["BYMONTH"] == [11]
    assert by_kind["STANDARD"]["TZOFFSETTO"].td == dt.timedelta(hours=-8)
    assert by_kind["DAYLIGHT"].decoded("DTSTART") == dt.datetime(2025, 3, 9, 2, 0)


def test_mexico_city_while_it_still_had_dst_is_a_transition_list():
    tz = _parsed("America/Mexico_City", dt.date(2022, 6, 1), dt.date(2023, 6, 1))
    assert not any("RRULE" in c for c in tz.subcomponents)
    assert "DAYLIGHT" in _observances(tz)


def _as_tzinfo(zone: str, first: dt.date, last: dt.date):
    """Our VTIMEZONE under another TZID (one per zone: icalendar caches by TZID), as icalendar reads it."""
    text = (
        vtimezone(zone, first, last)
        .to_ical()
        .replace(f"TZID:{zone}".encode(), b"TZID:Under-Test-" + zone.replace("/", "-").encode())
    )
    return icalendar.Timezone.from_ical(text).to_tz()


_TZINFOS = {zone: _as_tzinfo(zone, FIRST, LAST) for zone in CASES}


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(sorted(CASES)),
    instant=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59)),
)
def test_every_form_gives_zoneinfo_offsets(zone, instant):
    _same_offset(zone, instant.replace(tzinfo=UTC))


def _same_offset(zone: str, at: dt.datetime) -> None:
    """icalendar's tzinfo (dateutil) has no `fold`: in the repeated hour it may give either offset."""
    ours = at.astimezone(_TZINFOS[zone]).utcoffset()
    local = at.astimezone(ZoneInfo(zone))
    wall = resolve(local.replace(tzinfo=None), zone)
    if wall.kind == "ambiguous":
        assert ours in {t.astimezone(ZoneInfo(zone)).utcoffset() for t in wall.instants}
    else:
        assert ours == local.utcoffset(), (zone, at)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Paris", "Australia/Sydney", "Africa/Casablanca"])
def test_offsets_right_around_each_transition(zone):
    from redflag_coord.tz.vtimezone import transitions

    for t in transitions(zone, FIRST.year, LAST.year):
        for delta in (dt.timedelta(seconds=-1), dt.timedelta(0), dt.timedelta(minutes=30)):
            _same_offset(zone, t.utc + delta)
