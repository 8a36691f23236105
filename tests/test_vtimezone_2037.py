"""Every VTIMEZONE we write is true to 2037: read only the VTIMEZONE (icalendar expands its
observances itself), its offset equals zoneinfo's at every hour from the first event's year to
the end of 2037. Some readers register a file's VTIMEZONE by TZID and apply it to other events,
so a rule derived from the events' years alone (Auckland's "4th Sunday" in 2027 is the last
Sunday in 2029) would be wrong for them."""

from __future__ import annotations

import bisect
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from redflag_coord.tz.vtimezone import TRUE_UNTIL, vtimezone

EXAMPLE = Path(__file__).resolve().parent.parent / "collectives"
EXAMPLE_ZONES = sorted(
    {
        line.split('"')[1]
        for p in EXAMPLE.glob("*/**/*.toml")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.startswith("timezone =")
    }
)
NAMED = [
    "Pacific/Auckland",
    "America/Santiago",
    "Australia/Adelaide",
    "Asia/Tehran",
    "Africa/Casablanca",
    "Asia/Gaza",
    "Antarctica/Troll",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Europe/Dublin",
]
MORE = [
    "America/New_York",
    "America/Denver",
    "America/Phoenix",
    "America/Sao_Paulo",
    "America/Havana",
    "America/Asuncion",
    "America/St_Johns",
    "America/Nuuk",
    "America/Miquelon",
    "America/Scoresbysund",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Europe/Kyiv",
    "Europe/Chisinau",
    "Europe/Lisbon",
    "Atlantic/Azores",
    "Asia/Jerusalem",
    "Asia/Beirut",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Hobart",
    "Pacific/Norfolk",
    "Pacific/Easter",
    "Africa/Cairo",
    "Asia/Dhaka",
]
ZONES = sorted({*EXAMPLE_ZONES, *NAMED, *MORE})
FIRST_EVENT, LAST_EVENT = dt.date(2026, 11, 1), dt.date(2027, 6, 1)


def test_at_least_forty_zones_including_the_example():
    assert len(ZONES) >= 40 and len(EXAMPLE_ZONES) >= 5


@pytest.mark.slow
@pytest.mark.parametrize("zone_name", ZONES)
def test_vtimezone_gives_zoneinfo_offsets_every_hour_to_2037(zone_name):
    vtz = icalendar.Timezone.from_ical(vtimezone(zone_name, FIRST_EVENT, LAST_EVENT).to_ical())
    times, infos = vtz.get_transitions()  # computed from the VTIMEZONE's observances alone
    tz = ZoneInfo(zone_name)
    epoch = dt.datetime(1970, 1, 1)
    stamps = [int((t - epoch).total_seconds()) for t in times]
    offsets = [int(info[0].total_seconds()) for info in infos]
    start = int((dt.datetime(FIRST_EVENT.year, 1, 1) - epoch).total_seconds())
    end = int((dt.datetime(TRUE_UNTIL + 1, 1, 1) - epoch).total_seconds())
    assert stamps[0] <= start
    fromtimestamp, find = dt.datetime.fromtimestamp, bisect.bisect_right
    wrong = [
        ts
        for ts in range(start, end, 3600)
        if offsets[find(stamps, ts) - 1] != fromtimestamp(ts, tz).utcoffset().total_seconds()  # type: ignore[union-attr]
    ]
    shown = [f"{dt.datetime.fromtimestamp(ts, dt.UTC):%Y-%m-%d %H:%M} UTC" for ts in wrong[:3]]
    assert not wrong, f"{zone_name}: {len(wrong)} hours wrong, first at {shown}"
