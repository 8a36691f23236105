"""Readers we did not write (icalendar, vobject, recurring-ical-events, ical.js) give the UTC
instants zoneinfo gives for the meeting files: the example invite, the feed with the weekly
study group, and meetings in zones that share an abbreviation or have no DST."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
import recurring_ical_events
import vobject
from conftest import need
from test_calendar_support import (
    STAMP,
    UTC,
    add_meeting,
    iso,
    meeting_toml,
    node_ready,
    read_with_icaljs,
    utc,
    weekly_expected,
)

LA = "America/Los_Angeles"
STUDY = weekly_expected(
    dt.datetime(2026, 10, 1, 19),
    LA,
    dt.date(2027, 6, 24),
    {dt.date(2026, 11, 26), dt.date(2026, 12, 24), dt.date(2026, 12, 31)},
)
EXPECTED = {  # uid -> UTC starts, from zoneinfo
    "ic-2026-12@redflag-coord.invalid": [dt.datetime(2026, 12, 12, 15, tzinfo=UTC)],
    "ic-2026-06@redflag-coord.invalid": [dt.datetime(2026, 6, 13, 14, tzinfo=UTC)],
    "la-study-group@redflag-coord.invalid": STUDY,
}
WINDOW = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2028, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _stamp(monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)


@pytest.fixture
def feed_ics(run, example_root) -> bytes:
    result = run("calendar", "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    return result.stdout.encode()


def test_study_group_reference_crosses_dst():
    # The reference itself: 19:00 Thursdays is 02:00 UTC in October, 03:00 UTC after 1 November.
    assert STUDY[0] == dt.datetime(2026, 10, 2, 2, tzinfo=UTC)
    assert dt.datetime(2026, 11, 6, 3, tzinfo=UTC) in STUDY
    assert STUDY[-1] == dt.datetime(2027, 6, 25, 2, tzinfo=UTC)
    assert len(STUDY) == 39 - 3


def test_icalendar_round_trip(feed_ics):
    cal = icalendar.Calendar.from_ical(feed_ics)
    assert cal.to_ical() == feed_ics.replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")
    starts = {str(e["UID"]): utc(e.decoded("DTSTART")) for e in cal.walk("VEVENT")}
    assert starts == {uid: instants[0] for uid, instants in EXPECTED.items()}


def test_recurring_ical_events_expands_like_zoneinfo(feed_ics):
    cal = icalendar.Calendar.from_ical(feed_ics)
    got: dict[str, list[dt.datetime]] = {}
    for e in recurring_ical_events.of(cal).between(*WINDOW):
        got.setdefault(str(e["UID"]), []).append(utc(e["DTSTART"].dt))
    assert {k: sorted(v) for k, v in got.items()} == EXPECTED


def test_vobject_reads_the_vtimezone(feed_ics):
    cal = vobject.readOne(feed_ics.decode())
    got = {}
    for ev in cal.vevent_list:
        starts = list(ev.getrruleset(addRDate=True)) if hasattr(ev, "rrule") else [ev.dtstart.value]
        got[ev.uid.value] = sorted(utc(s) for s in starts)
    assert got == EXPECTED


def test_icaljs_registers_zones_and_agrees(feed_ics):
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    out = read_with_icaljs(feed_ics)
    assert out["method"] == "PUBLISH" and out["zones"] == [LA]
    got = {}
    for ev in out["events"]:
        assert not ev["floating"] and ev["zone"] == LA and ev["tzid"] == LA
        got[ev["uid"]] = ev["occurrences"]
    assert got == {uid: [iso(t) for t in instants] for uid, instants in EXPECTED.items()}


def _custom_tzids(data: bytes) -> bytes:
    """Rename the zone so that readers must use the file's VTIMEZONE, not their own tz database."""
    return data.replace(f"TZID={LA}".encode(), b"TZID=Custom-Zone").replace(f"TZID:{LA}".encode(), b"TZID:Custom-Zone")


def test_python_readers_apply_our_vtimezone_rules(feed_ics):
    custom = _custom_tzids(feed_ics)
    assert b"TZID=" + LA.encode() not in custom and b"TZID:" + LA.encode() not in custom
    cal = icalendar.Calendar.from_ical(custom)
    got: dict[str, list[dt.datetime]] = {}
    for e in recurring_ical_events.of(cal).between(*WINDOW):
        got.setdefault(str(e["UID"]), []).append(utc(e["DTSTART"].dt))
    assert {k: sorted(v) for k, v in got.items()} == EXPECTED
    vcal = vobject.readOne(custom.decode())
    assert sorted(utc(s) for s in vcal.vevent_list[1].getrruleset(addRDate=True)) == STUDY


ZONES = {  # meeting id -> (zone, local start); Manila and Los Angeles both write TZNAME "PST"
    "manila": ("Asia/Manila", "2026-12-12T23:00:00"),
    "la": ("America/Los_Angeles", "2026-12-12T07:00:00"),
    "la-summer": ("America/Los_Angeles", "2027-07-10T07:00:00"),
    "paris": ("Europe/Paris", "2027-03-28T16:00:00"),
    "kolkata": ("Asia/Kolkata", "2026-12-12T20:30:00"),
    "johannesburg": ("Africa/Johannesburg", "2026-12-12T17:00:00"),
    "mexico": ("America/Mexico_City", "2027-04-10T09:00:00"),
    "sydney": ("Australia/Sydney", "2027-04-04T10:00:00"),
    "casablanca": ("Africa/Casablanca", "2027-02-20T16:00:00"),
    "san-salvador": ("America/El_Salvador", "2026-12-12T09:00:00"),
}


@pytest.fixture
def zones_ics(run, org_copy) -> bytes:
    for mid, (zone, start) in ZONES.items():
        add_meeting(org_copy, "international-committee", f"z-{mid}", meeting_toml(f"Meeting {mid}", start, zone))
    result = run("calendar", "international-committee", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    return result.stdout.encode()


def _zoneinfo_expected() -> dict[str, str]:
    from zoneinfo import ZoneInfo

    return {
        f"z-{mid}@redflag-coord.invalid": iso(dt.datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(zone)))
        for mid, (zone, start) in ZONES.items()
    }


def test_shared_abbreviations_and_many_zones_every_reader(zones_ics):
    text = zones_ics.decode()
    assert "TZNAME:PST" in text.split("TZID:Asia/Manila", 1)[1].split("END:VTIMEZONE", 1)[0]
    assert not re.search(r"TZID=[A-Z]{2,5}[:;]", text), "a TZID must be an IANA name, never an abbreviation"
    expected = _zoneinfo_expected()
    cal = icalendar.Calendar.from_ical(zones_ics)
    ours = {str(e["UID"]): iso(e.decoded("DTSTART")) for e in cal.walk("VEVENT") if str(e["UID"]).startswith("z-")}
    assert ours == expected
    vcal = vobject.readOne(text)
    assert {ev.uid.value: iso(ev.dtstart.value) for ev in vcal.vevent_list if ev.uid.value.startswith("z-")} == expected
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    out = read_with_icaljs(zones_ics)
    js = {ev["uid"]: ev["start"] for ev in out["events"] if ev["uid"].startswith("z-")}
    assert all(not ev["floating"] for ev in out["events"])
    assert js == expected
    assert expected["z-manila@redflag-coord.invalid"] == "2026-12-12T15:00:00Z"
    assert expected["z-la@redflag-coord.invalid"] == "2026-12-12T15:00:00Z"


def test_invite_readers_agree(run, example_root):
    result = run("invite", "ic-2026-12", "--method", "request", "--root", str(example_root))
    data = result.stdout.encode()
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    assert utc(event.decoded("DTSTART")) == dt.datetime(2026, 12, 12, 15, tzinfo=UTC)
    assert utc(event.decoded("DTEND")) == dt.datetime(2026, 12, 12, 18, tzinfo=UTC)
    assert utc(vobject.readOne(data.decode()).vevent.dtstart.value) == dt.datetime(2026, 12, 12, 15, tzinfo=UTC)
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    (ev,) = read_with_icaljs(data)["events"]
    assert (ev["start"], ev["end"], ev["floating"]) == ("2026-12-12T15:00:00Z", "2026-12-12T18:00:00Z", False)
