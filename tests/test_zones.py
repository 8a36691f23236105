"""Wall times against zoneinfo: gaps, overlaps, half-hour and 45-minute zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.tz.zones import check_zone_name, describe_offset, resolve

ZONES = [
    "America/Los_Angeles",
    "America/El_Salvador",
    "America/Mexico_City",
    "America/Tegucigalpa",
    "Africa/Johannesburg",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Manila",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Kiritimati",
    "UTC",
]

walls = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31))


@settings(max_examples=300, deadline=None)
@given(walls, st.sampled_from(ZONES))
def test_resolve_agrees_with_zoneinfo(wall, zone):
    tz = ZoneInfo(zone)
    result = resolve(wall, zone)
    early, late = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if result.kind == "gap":
        # no instant shows this wall time in the zone
        for cand in (early, late):
            assert cand.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != wall
    else:
        for instant in result.instants:
            assert instant.astimezone(tz).replace(tzinfo=None) == wall
        assert len(result.instants) == (2 if result.kind == "ambiguous" else 1)
        assert (result.kind == "ambiguous") == (early.utcoffset() != late.utcoffset())


def test_spring_forward_gap_and_fall_back_overlap_in_los_angeles():
    assert resolve(dt.datetime(2026, 3, 8, 2, 30), "America/Los_Angeles").kind == "gap"
    amb = resolve(dt.datetime(2026, 11, 1, 1, 30), "America/Los_Angeles")
    assert amb.kind == "ambiguous"
    assert [t.strftime("%H:%M") for t in amb.instants] == ["08:30", "09:30"]


def test_half_and_quarter_hour_zones():
    kolkata = resolve(dt.datetime(2026, 12, 13, 4, 30), "Asia/Kolkata").instant
    assert kolkata == dt.datetime(2026, 12, 12, 23, 0, tzinfo=dt.UTC)
    kathmandu = resolve(dt.datetime(2026, 12, 12, 20, 45), "Asia/Kathmandu").instant
    assert kathmandu == dt.datetime(2026, 12, 12, 15, 0, tzinfo=dt.UTC)
    assert describe_offset(kathmandu.astimezone(ZoneInfo("Asia/Kathmandu"))) == "UTC+05:45"
    assert describe_offset(kathmandu.astimezone(ZoneInfo("America/Los_Angeles"))) == "UTC-08:00"


def test_the_example_meeting_lands_on_the_same_instant_in_every_zone():
    instant = resolve(dt.datetime(2026, 12, 12, 7, 0), "America/Los_Angeles").instant
    local = {z: instant.astimezone(ZoneInfo(z)).strftime("%a %H:%M") for z in ZONES[:9]}
    assert local == {
        "America/Los_Angeles": "Sat 07:00",
        "America/El_Salvador": "Sat 09:00",
        "America/Mexico_City": "Sat 09:00",
        "America/Tegucigalpa": "Sat 09:00",
        "Africa/Johannesburg": "Sat 17:00",
        "Europe/Paris": "Sat 16:00",
        "Asia/Kolkata": "Sat 20:30",
        "Asia/Kathmandu": "Sat 20:45",
        "Asia/Manila": "Sat 23:00",
    }


@pytest.mark.parametrize("name", ["America/Los_Angeles", "Asia/Kathmandu", "UTC", "America/Argentina/Buenos_Aires"])
def test_accepted_zone_names(name):
    assert check_zone_name(name) == name


@pytest.mark.parametrize("name", ["PST", "EST5EDT", "GMT+2", "Etc/GMT-5", "", "America/Nowhere", "../../etc/passwd"])
def test_refused_zone_names(name):
    with pytest.raises(ValueError):
        check_zone_name(name)
