"""slots: bands, zones, ranking (against a brute-force reference), fairness and lengths."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflag_coord.org.hours import ACCEPTABLE, GOOD, POOR, UNACCEPTABLE, hours_of, offset_periods, transitions
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Availability, BandHours
from redflag_coord.slots.find import (
    Grid,
    Participant,
    Request,
    find_slots,
    format_length,
    parse_length,
    past_burden,
    rank,
    score_keys,
)

UTC = dt.UTC
TRICKY = [
    "America/Los_Angeles",
    "Europe/Paris",
    "Pacific/Auckland",
    "America/Santiago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Africa/Casablanca",
    "Asia/Manila",
    "America/Mexico_City",
    "Pacific/Apia",
    "UTC",
]
# Days with clock changes in the zones above (and the turn of the year across the date line).
ANCHORS = [
    dt.date(2026, m, d) for m, d in [(3, 8), (3, 29), (4, 5), (9, 6), (9, 27), (10, 4), (10, 25), (11, 1), (12, 31)]
] + [dt.date(2027, 3, 14)]


def ts(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=UTC).timestamp())


# -- the brute-force reference: every minute of every candidate through astimezone ----------------


def brute_bands(p: Participant, grid: Grid) -> list[int]:
    tz = ZoneInfo(p.zone)
    first = dt.datetime.fromtimestamp(grid.first, UTC)
    total = (grid.count - 1) * grid.step + grid.length
    minute = []
    for m in range(total):
        local = (first + dt.timedelta(minutes=m)).astimezone(tz)
        minute.append(p.hours.band(local.date(), local.hour * 60 + local.minute))
    return [min(minute[k * grid.step : k * grid.step + grid.length]) for k in range(grid.count)]


def brute_rank(participants: list[Participant], grid: Grid) -> list[int]:
    bands = [brute_bands(p, grid) for p in participants]
    keys = []
    for k in range(grid.count):
        unacceptable = sum(p.members for p, b in zip(participants, bands) if b[k] == UNACCEPTABLE)
        poor = sum(p.members for p, b in zip(participants, bands) if b[k] == POOR)
        not_good = sum(p.members for p, b in zip(participants, bands) if b[k] != GOOD)
        fairness = sum(p.burden for p, b in zip(participants, bands) if b[k] <= POOR)
        keys.append((unacceptable, poor, not_good, fairness, k))
    return [key[-1] for key in sorted(keys)]


def hours_text(start: int, length: int) -> str:
    end = min(start + length, 1440)
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


ranges = st.lists(st.builds(hours_text, st.integers(0, 1425), st.integers(15, 600)), max_size=2)
band_hours = st.builds(BandHours, weekdays=ranges, saturday=ranges, sunday=ranges)


@st.composite
def scenarios(draw):
    day = draw(st.sampled_from(ANCHORS)) + dt.timedelta(days=draw(st.integers(-1, 0)))
    grid = Grid(
        ts(day.year, day.month, day.day),
        draw(st.integers(1, 120)),
        draw(st.sampled_from([15, 30, 45, 60, 7])),
        draw(st.integers(1, 300)),
    )
    people = []
    for i in range(draw(st.integers(1, 4))):
        availability = draw(
            st.none()
            | st.builds(
                Availability,
                weekdays=ranges,
                saturday=ranges,
                sunday=ranges,
                avoid=st.lists(st.sampled_from([day, day + dt.timedelta(days=1)]), max_size=1),
                good=st.none() | band_hours,
                poor=st.none() | band_hours,
            )
        )
        people.append(
            Participant(
                f"c{i}",
                draw(st.sampled_from(TRICKY)),
                draw(st.integers(1, 5)),
                hours_of(availability),
                draw(st.integers(0, 3)),
            )
        )
    return people, grid


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_ranking_matches_brute_force(scenario):
    participants, grid = scenario
    _, bands = score_keys(participants, grid)
    for p, fast in zip(participants, bands):
        assert list(fast) == brute_bands(p, grid), p.zone
    assert rank(participants, grid) == brute_rank(participants, grid)


# -- zones ------------------------------------------------------------------------------------


def test_transitions_are_exact():
    paris = transitions("Europe/Paris", ts(2026, 1, 1), ts(2027, 1, 1))
    assert paris == [(ts(2026, 3, 29, 1), 3600, 7200), (ts(2026, 10, 25, 1), 7200, 3600)]
    la = transitions("America/Los_Angeles", ts(2026, 10, 1), ts(2026, 12, 1))
    assert la == [(ts(2026, 11, 1, 9), -7 * 3600, -8 * 3600)]
    lord_howe = {off for _, _, off in offset_periods("Australia/Lord_Howe", ts(2026, 1, 1), ts(2027, 1, 1))}
    assert lord_howe == {10 * 3600 + 1800, 11 * 3600}  # a half-hour DST shift
    assert transitions("Asia/Kolkata", ts(2026, 1, 1), ts(2027, 1, 1)) == []


def participant(zone: str, availability: Availability | None = None, members: int = 1, burden: int = 0):
    return Participant(zone.lower(), zone, members, hours_of(availability), burden)


def test_weekday_across_the_date_line():
    noon = ts(2026, 12, 12, 12)  # Saturday noon UTC
    grid = Grid(noon, 1, 15, 60)
    sunday_only = Availability(sunday=["01:00-04:00"])
    saturday_only = Availability(saturday=["00:00-03:00"])
    # Kiritimati (UTC+14) is at Sunday 02:00, Pago Pago (UTC-11) at Saturday 01:00.
    assert score_keys([participant("Pacific/Kiritimati", sunday_only)], grid)[1][0][0] == ACCEPTABLE
    assert score_keys([participant("Pacific/Kiritimati", saturday_only)], grid)[1][0][0] == UNACCEPTABLE
    assert score_keys([participant("Pacific/Pago_Pago", saturday_only)], grid)[1][0][0] == ACCEPTABLE


def test_45_minute_zones_and_a_dst_change_inside_the_range():
    kathmandu = Availability(weekdays=["17:45-18:45"])  # 12:00 UTC is 17:45 in Kathmandu (UTC+05:45)
    grid = Grid(ts(2026, 12, 14, 11, 45), 3, 15, 60)
    assert list(score_keys([participant("Asia/Kathmandu", kathmandu)], grid)[1][0]) == [POOR, ACCEPTABLE, POOR]
    # 18:00 in Los Angeles is 01:00 UTC before 1 November 2026 and 02:00 UTC after.
    evenings = Availability(weekdays=["18:00-19:00"], saturday=["18:00-19:00"], sunday=["18:00-19:00"])
    before, after = Grid(ts(2026, 10, 30, 1), 2, 60, 60), Grid(ts(2026, 11, 3, 1), 2, 60, 60)
    la = participant("America/Los_Angeles", evenings)
    assert list(score_keys([la], before)[1][0]) == [ACCEPTABLE, POOR]
    assert list(score_keys([la], after)[1][0]) == [POOR, ACCEPTABLE]


# -- bands --------------------------------------------------------------------------------------


def test_default_hours_and_bands():
    default = hours_of(None)
    monday, saturday = dt.date(2026, 12, 14), dt.date(2026, 12, 12)
    assert default.default
    assert default.band(monday, 18 * 60) == ACCEPTABLE
    assert default.band(monday, 12 * 60) == POOR  # waking hours
    assert default.band(monday, 23 * 60) == UNACCEPTABLE  # night
    assert default.band(saturday, 9 * 60) == ACCEPTABLE
    hours = hours_of(
        Availability(
            weekdays=["18:00-22:00"],
            avoid=[monday],
            good=BandHours(weekdays=["19:00-20:00"]),
            poor=BandHours(weekdays=["22:00-23:30"]),
        )
    )
    tuesday = monday + dt.timedelta(days=1)
    assert [hours.band(tuesday, h * 60) for h in (12, 18, 19, 22, 23)] == [UNACCEPTABLE, ACCEPTABLE, GOOD, POOR, POOR]
    assert hours.band(monday, 19 * 60) == UNACCEPTABLE  # an avoided date
    assert hours.band(tuesday, 23 * 60 + 30) == UNACCEPTABLE


def test_the_whole_span_counts():
    evening = Availability(weekdays=["18:00-22:00"])
    grid = Grid(ts(2026, 12, 14, 20), 3, 60, 120)  # Monday 20:00, 21:00, 22:00 UTC
    assert list(score_keys([participant("UTC", evening)], grid)[1][0]) == [ACCEPTABLE, POOR, UNACCEPTABLE]


# -- fairness -------------------------------------------------------------------------------------


def test_fairness_rotates_the_poor_slot():
    a = Availability(weekdays=["09:00-12:00"])
    b = Availability(weekdays=["11:00-14:00"])
    grid = Grid(ts(2026, 12, 14, 9), 5, 60, 60)  # 09:00 ... 13:00 UTC on a Monday
    assert rank([participant("UTC", a, burden=1), participant("UTC", b)], grid) == [2, 0, 1, 3, 4]
    assert rank([participant("UTC", a), participant("UTC", b, burden=1)], grid) == [2, 3, 4, 0, 1]


def test_past_burden_of_the_example(example_root):
    org = load_organisation(example_root)
    people = [
        Participant(s, org.collectives[s].info.timezone, 1, hours_of(org.collectives[s].info.availability))
        for s in ("south-africa", "el-salvador", "india", "los-angeles", "mexico")
    ]
    burden = past_burden(org, people, ts(2026, 12, 1), exclude="ic-2026-12")
    # ic-2026-06 started 07:00 in Los Angeles: 08:00 in San Salvador and Mexico City, before their Saturday hours.
    assert burden == {
        "south-africa": [],
        "el-salvador": ["ic-2026-06"],
        "india": [],
        "los-angeles": ["ic-2026-06"],
        "mexico": ["ic-2026-06"],
    }
    assert past_burden(org, people, ts(2026, 6, 1))["los-angeles"] == []


def test_find_slots_example(example_root):
    org = load_organisation(example_root)
    req = Request(("los-angeles", "india", "france"), dt.date(2026, 10, 20), dt.date(2026, 11, 5), 90, top=3)
    r = find_slots(org, req)
    assert r.considered == 17 * 96
    assert [c.rank for c in r.candidates] == [1, 2, 3]
    starts = [dt.datetime.fromisoformat(c.start_utc) for c in r.candidates]
    assert all(abs(x - y) >= dt.timedelta(minutes=90) for i, x in enumerate(starts) for y in starts[:i])
    for c in r.candidates:
        for s in c.local:  # the local times shown are the UTC time in that zone
            start = dt.datetime.fromisoformat(c.start_utc).astimezone(ZoneInfo(s.zone))
            assert s.start == start.strftime("%Y-%m-%dT%H:%M") and s.weekday == start.strftime("%A")
        start, week = dt.datetime.fromisoformat(c.start_utc), dt.timedelta(days=7)
        near = any(
            start - week <= t <= start + dt.timedelta(minutes=90) + week
            for t in (dt.datetime(2026, 10, 25, 1, tzinfo=UTC), dt.datetime(2026, 11, 1, 9, tzinfo=UTC))
        )
        assert bool(c.warnings) == near


# -- lengths ----------------------------------------------------------------------------------------


@given(st.integers(1, 1440))
def test_length_round_trip(minutes):
    assert parse_length(format_length(minutes)) == minutes
    assert parse_length(str(minutes)) == minutes
    assert parse_length(f"{minutes}m") == minutes


@given(st.text(alphabet="0123456789hmHM .-+:s", max_size=10))
def test_length_parser_never_crashes(text):
    try:
        minutes = parse_length(text)
    except ValueError as e:
        assert "duration" in str(e)
    else:
        assert 1 <= minutes <= 1440


@pytest.mark.parametrize(
    "text", ["", " ", "0", "h", "m", "2h60m", "2h30", "-5", "1.5h", "1441", "25h", "2 h", "90s", "2h30m5"]
)
def test_length_rejects(text):
    with pytest.raises(ValueError):
        parse_length(text)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("2h", 120), ("2h30m", 150), ("1h05m", 65), ("45m", 45), ("24h", 1440), (" 3H ", 180)],
)
def test_length_accepts(text, minutes):
    assert parse_length(text) == minutes
