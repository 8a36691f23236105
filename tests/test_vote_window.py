"""The closing instant of a vote between meetings, against a minute-by-minute walk through zoneinfo.

The reference below knows nothing of `slots`' per-period offsets and band intervals: it converts each
minute to the collective's wall time with zoneinfo and asks the collective's hours for that minute's band.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflag_coord.org.hours import ACCEPTABLE, hours_of
from redflag_coord.org.model import Availability
from redflag_coord.org.window import Voter, WindowError, may_close_early, voting_window

UTC = dt.UTC
ZONES = ["Asia/Kathmandu", "Pacific/Auckland", "America/Los_Angeles", "Pacific/Chatham", "Europe/London"]


def acceptable_minutes(voter: Voter, start: int, end: int) -> int:
    """Independent count: every minute's wall time through zoneinfo, its band from the collective's hours."""
    tz = ZoneInfo(voter.zone)
    count = 0
    for t in range(start, end, 60):
        local = dt.datetime.fromtimestamp(t, tz)
        if voter.hours.band(local.date(), local.hour * 60 + local.minute) >= ACCEPTABLE:
            count += 1
    return count


def voter(slug: str, zone: str, weekdays: list[str], weekend: list[str]) -> Voter:
    return Voter(slug, zone, hours_of(Availability(weekdays=weekdays, weekend=weekend)))


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


THREE = [
    voter("nepal", "Asia/Kathmandu", ["18:00-21:00"], ["10:00-13:00"]),
    voter("aotearoa", "Pacific/Auckland", ["19:00-21:00"], ["09:00-12:00"]),
    voter("los-angeles", "America/Los_Angeles", ["17:30-21:30"], []),
]


def test_three_zones_close_after_each_had_its_hours_and_not_a_minute_later() -> None:
    opens = at("2026-12-07T00:00:00+00:00")  # a Monday, 16:00 Sunday in Los Angeles
    w = voting_window(opens, THREE, need_hours=6, min_wait_hours=24)
    for v in THREE:
        assert acceptable_minutes(v, opens, w.closes) >= 6 * 60, v.slug
    # One minute earlier someone had not had their six hours (the wait of 24 h is not what binds here).
    assert w.closes - 60 >= opens + 24 * 3600
    assert any(acceptable_minutes(v, opens, w.closes - 60) < 6 * 60 for v in THREE)
    # Each collective is told the same instant in its own zone, with its offset.
    shown = {r.slug: r.closes_local for r in w.reaches}
    for v in THREE:
        expected = dt.datetime.fromtimestamp(w.closes, ZoneInfo(v.zone)).strftime("%Y-%m-%d %H:%M %z")
        assert shown[v.slug] == expected
    assert shown["nepal"].endswith("+0545")
    assert w.bound_by in {v.slug for v in THREE}


def test_the_minimum_wait_binds_when_everyone_is_quickly_served() -> None:
    always = voter("anywhere", "Europe/London", ["00:00-24:00"], ["00:00-24:00"])
    opens = at("2026-12-07T10:00:00+00:00")
    w = voting_window(opens, [always], need_hours=2, min_wait_hours=72)
    assert w.closes == opens + 72 * 3600
    assert w.bound_by is None


def test_a_collective_without_acceptable_hours_is_an_error_naming_it() -> None:
    never = voter("nowhere", "Asia/Kathmandu", [], [])
    with pytest.raises(WindowError, match=r"nowhere \(Asia/Kathmandu\).*availability"):
        voting_window(at("2026-12-07T00:00:00+00:00"), [never], need_hours=1, min_wait_hours=0)


def test_across_the_auckland_dst_start_an_hour_that_does_not_exist_is_not_counted() -> None:
    # 2026-09-27 02:00 NZST -> 03:00 NZDT: the hour 02:00-03:00 local does not exist that night.
    night = voter("aotearoa", "Pacific/Auckland", ["01:00-04:00"], ["01:00-04:00"])
    opens = at("2026-09-26T12:00:00+00:00")  # 00:00 on the 27th in Auckland (NZST, +12)
    w = voting_window(opens, [night], need_hours=3, min_wait_hours=0)
    # 01:00-02:00 and 03:00-04:00 that night are two hours; the third is 01:00-02:00 the next night.
    assert acceptable_minutes(night, opens, w.closes) == 180
    assert dt.datetime.fromtimestamp(w.closes, ZoneInfo("Pacific/Auckland")).strftime("%d %H:%M") == "28 02:00"


def test_an_early_close_needs_a_settled_result_and_the_minimum_wait() -> None:
    opens = at("2026-12-07T00:00:00+00:00")
    w = voting_window(opens, THREE, need_hours=6, min_wait_hours=24)
    assert not may_close_early(w, opens + 3600, settled=True)
    assert not may_close_early(w, opens + 25 * 3600, settled=False)
    assert may_close_early(w, opens + 24 * 3600, settled=True)


_hour = st.integers(0, 23)
_span = st.integers(1, 8)


@st.composite
def _voters(draw: st.DrawFn) -> list[Voter]:
    out = []
    for i, zone_name in enumerate(draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=3))):
        start = draw(_hour)
        end = min(24, start + draw(_span))
        hours = [f"{start:02d}:{draw(st.sampled_from([0, 15, 30, 45])):02d}-{end:02d}:00"]
        weekend = draw(st.sampled_from([hours, [], ["09:00-17:00"]]))
        out.append(voter(f"c{i}", zone_name, hours, weekend))
    return out


@settings(max_examples=40, deadline=None)
@given(
    voters=_voters(),
    opens=st.integers(at("2026-01-01T00:00:00+00:00"), at("2027-12-31T00:00:00+00:00")).map(lambda t: t - t % 60),
    need=st.integers(1, 6),
    wait=st.integers(0, 48),
)
def test_no_window_closes_before_every_collective_had_its_hours(
    voters: list[Voter], opens: int, need: int, wait: int
) -> None:
    w = voting_window(opens, voters, need_hours=need, min_wait_hours=wait)
    assert w.closes >= opens + wait * 3600
    for v in voters:
        assert acceptable_minutes(v, opens, w.closes) >= need * 60, (v.slug, v.zone)
    # The earliest such minute: one minute before, the wait or someone's hours were not yet complete.
    earlier = w.closes - 60
    assert earlier < opens + wait * 3600 or any(acceptable_minutes(v, opens, earlier) < need * 60 for v in voters)
    # The figure each collective is shown agrees with the walk.
    for r, v in zip(w.reaches, voters, strict=True):
        assert r.acceptable_seconds == acceptable_minutes(v, opens, w.closes) * 60
