"""The agenda's time arithmetic checked with hypothesis against zoneinfo.

Zones include DST changes (Los Angeles, Paris, Chatham's 45-minute offset,
Lord Howe's half-hour DST), half- and quarter-hour zones (Kolkata, Kathmandu)
and the far edges of the date line (Kiritimati +14, Pago Pago -11). Wall times
are drawn near each zone's DST changes as well as anywhere in 2026-2027.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflag_coord.agenda.as_json import to_dict
from redflag_coord.agenda.build import AgendaError, build_agenda
from redflag_coord.org.load import CollectiveData, Organisation
from redflag_coord.org.model import WEEKDAYS, Collective, Meeting
from redflag_coord.org.occurrences import local_dates

UTC = dt.UTC
ZONES = [
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Europe/Paris",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Pago_Pago",
    "Africa/Johannesburg",
]
STEP = dt.timedelta(minutes=15)  # every offset of these zones is a multiple of 15 minutes
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def transitions(zone: str) -> tuple[dt.datetime, ...]:
    """Local wall times just before each offset change in 2026-2027 (found hourly, from zoneinfo)."""
    tz = ZoneInfo(zone)
    out = []
    at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    prev = at.astimezone(tz).utcoffset()
    while at.year < 2028:
        nxt = at + dt.timedelta(hours=1)
        off = nxt.astimezone(tz).utcoffset()
        if off != prev:
            out.append(at.astimezone(tz).replace(tzinfo=None))
            prev = off
        at = nxt
    return tuple(out)


def oracle(wall: dt.datetime, zone: str) -> list[dt.datetime]:
    """Every UTC instant whose wall clock in `zone` reads `wall`: found by search, not by fold."""
    tz = ZoneInfo(zone)
    guess = wall.replace(tzinfo=UTC)
    found = []
    for k in range(-15 * 4, 15 * 4 + 1):
        u = guess + k * STEP
        if u.astimezone(tz).replace(tzinfo=None) == wall:
            found.append(u)
    return found


@st.composite
def walls(draw, zone: str) -> dt.datetime:
    near = transitions(zone)
    if near and draw(st.booleans()):
        base = draw(st.sampled_from(near))
        return base + draw(st.integers(-12, 12)) * STEP
    minutes = draw(st.integers(0, 2 * 365 * 24 * 4)) * 15
    return dt.datetime(2026, 1, 1) + dt.timedelta(minutes=minutes)


def org_with(zone: str, wall: dt.datetime, minutes: list[int], zones: list[str]) -> Organisation:
    org = Organisation(root=Path("."))
    slugs = [f"c{i}" for i in range(len(zones))]
    for slug, z in zip(slugs, zones):
        org.collectives[slug] = CollectiveData(slug, info=Collective(name=slug.upper(), timezone=z, languages=["en"]))
    meeting = Meeting.model_validate(
        {
            "title": "T",
            "start": wall,
            "timezone": zone,
            "duration_minutes": max(1, min(sum(minutes), 24 * 60)),
            "participants": slugs,
            "item": [{"topic": f"item {i}", "duration_minutes": m} for i, m in enumerate(minutes)],
        }
    )
    org.collectives["host"] = CollectiveData(
        "host", info=Collective(name="Host", timezone=zone, languages=["en"]), meetings={"m": meeting}
    )
    return org


@SETTINGS
@given(
    data=st.data(),
    zone=st.sampled_from(ZONES),
    minutes=st.lists(st.integers(1, 240), min_size=1, max_size=8),
    others=st.lists(st.sampled_from(ZONES), min_size=1, max_size=5),
)
def test_start_items_and_zone_table_match_zoneinfo(data, zone, minutes, others):
    wall = data.draw(walls(zone))
    org = org_with(zone, wall, minutes, others)
    instants = oracle(wall, zone)
    try:
        a = build_agenda(org, "m", today=dt.date(2026, 1, 1))
    except AgendaError as e:
        assert not instants, f"{wall} in {zone} exists but was refused: {e}"
        assert "does not exist" in str(e)
        return
    assert instants, f"{wall} does not exist in {zone} but got {a.start}"
    assert a.start == min(instants)  # the earlier of an ambiguous pair, and said so
    assert bool(a.warnings) == (len(instants) == 2)

    elapsed = 0
    for item, m in zip(a.items, minutes):
        assert item.start == a.start + dt.timedelta(minutes=elapsed)  # real minutes, across DST changes too
        local = item.start.astimezone(ZoneInfo(zone))
        if local.utcoffset() == a.start.astimezone(ZoneInfo(zone)).utcoffset():
            assert local.replace(tzinfo=None) == wall + dt.timedelta(minutes=elapsed)
        elapsed += m

    for row in a.zones:
        tz = ZoneInfo(row.zone)
        # (compare timestamps: PEP 495 makes == False across zones for a wall time that occurs twice)
        assert (
            row.start.timestamp() == a.start.timestamp() and row.start.utcoffset() == a.start.astimezone(tz).utcoffset()
        )
        assert row.start_day_differs == (a.start.astimezone(tz).date() != wall.date())
        assert row.end_day_differs == (a.end.astimezone(tz).date() != wall.date())

    data_json = to_dict(a)
    assert dt.datetime.fromisoformat(data_json["start"]).replace(tzinfo=None) == wall
    for z in data_json["zones"]:
        assert dt.datetime.fromisoformat(z["start"]) == a.start
        assert (
            dt.datetime.fromisoformat(z["start"]).utcoffset() == a.start.astimezone(ZoneInfo(z["timezone"])).utcoffset()
        )


def test_weekday_differs_kolkata_kathmandu(example_root):
    from redflag_coord.org.load import load_organisation

    org = load_organisation(example_root)
    a = build_agenda(org, "ic-2026-12", today=dt.date(2026, 11, 27))
    assert [(z.start.strftime("%H:%M"), z.start_day_differs) for z in a.zones if z.zone == "Asia/Kolkata"] == [
        ("20:30", False)
    ]
    org = org_with("America/Los_Angeles", dt.datetime(2026, 12, 12, 15, 0), [60], ["Asia/Kolkata", "Asia/Kathmandu"])
    rows = {z.zone: z for z in build_agenda(org, "m", today=dt.date(2026, 1, 1)).zones}
    assert rows["Asia/Kolkata"].start.strftime("%a %H:%M") == "Sun 04:30" and rows["Asia/Kolkata"].start_day_differs
    assert rows["Asia/Kathmandu"].start.strftime("%a %H:%M") == "Sun 04:45"


@settings(max_examples=150, deadline=None)
@given(
    first=st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    days=st.sets(st.sampled_from(WEEKDAYS), max_size=3),
    interval=st.integers(1, 4),
    count=st.one_of(st.none(), st.integers(1, 30)),
    skip=st.sets(st.integers(0, 120), max_size=5),
)
def test_weekly_occurrences_match_a_day_by_day_walk(first, days, interval, count, skip):
    exceptions = sorted(first + dt.timedelta(days=d) for d in skip)
    meeting = Meeting.model_validate(
        {
            "title": "T",
            "start": dt.datetime.combine(first, dt.time(19)),
            "timezone": "UTC",
            "duration_minutes": 60,
            "recurrence": {
                "frequency": "weekly",
                "interval": interval,
                "weekdays": sorted(days),
                "count": count,
                "exceptions": exceptions,
            },
        }
    )
    got = []
    for d in local_dates(meeting):
        if d > first + dt.timedelta(days=200):
            break
        got.append(d)
    wanted_days = {WEEKDAYS.index(w) for w in days} or {first.weekday()}
    monday = first - dt.timedelta(days=first.weekday())
    expected, n = [], 0
    for k in range(201):
        d = first + dt.timedelta(days=k)
        if d.weekday() in wanted_days and ((d - monday).days // 7) % interval == 0:
            n += 1
            if count is not None and n > count:
                break
            if d not in exceptions:
                expected.append(d)
    assert got == expected


def _series(start: dt.datetime, **recurrence) -> list[dt.date]:
    meeting = Meeting.model_validate(
        {"title": "T", "start": start, "timezone": "UTC", "duration_minutes": 60, "recurrence": recurrence}
    )
    return list(local_dates(meeting))


def test_monthly_daily_count_and_until():
    # monthly on the 31st skips months without one (as RFC 5545 does); count counts before exceptions
    assert _series(dt.datetime(2026, 1, 31, 18), frequency="monthly", count=4, exceptions=[dt.date(2026, 3, 31)]) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 5, 31),
        dt.date(2026, 7, 31),
    ]
    assert _series(dt.datetime(2026, 11, 30, 8), frequency="monthly", interval=3, until=dt.date(2027, 9, 1)) == [
        dt.date(2026, 11, 30),
        dt.date(2027, 5, 30),
        dt.date(2027, 8, 30),
    ]
    assert _series(dt.datetime(2026, 12, 30, 8), frequency="daily", interval=2, until=dt.date(2027, 1, 5)) == [
        dt.date(2026, 12, 30),
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 3),
        dt.date(2027, 1, 5),
    ]
