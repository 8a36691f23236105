"""`redflag-coord invite` and `redflag-coord calendar` from the command line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import icalendar
import pytest
from conftest import seal_private, unseal_private
from test_calendar_support import STAMP, add_meeting, meeting_toml

GOLDEN = Path(__file__).resolve().parent / "golden" / "calendar"


@pytest.fixture(autouse=True)
def _stamp(monkeypatch):
    monkeypatch.setenv("REDFLAG_DTSTAMP", STAMP)
    monkeypatch.delenv("REDFLAG_DOMAIN", raising=False)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize(
    "args,name",
    [
        (("invite", "ic-2026-12"), "ic-2026-12.ics"),
        (("invite", "ic-2026-12", "--method", "cancel"), "ic-2026-12-cancel.ics"),
        (("calendar",), "feed.ics"),
        (("calendar", "los-angeles"), "feed-los-angeles.ics"),
    ],
)
def test_golden(run, example_root, args, name):
    result = run(*args, "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    _golden(name, result.stdout)


def _event(text: str) -> icalendar.Event:
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    return event


def test_invite_fields(run, example_root):
    result = run("invite", "ic-2026-12", "--root", str(example_root))
    cal = icalendar.Calendar.from_ical(result.stdout)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    e = _event(result.stdout)
    assert str(e["UID"]) == "ic-2026-12@redflag-coord.invalid"
    assert e["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert e["DTEND"].params["TZID"] == "America/Los_Angeles"
    assert e.decoded("DTSTAMP").isoformat() == "2026-11-27T12:00:00+00:00"
    assert e["SEQUENCE"] == 0 and str(e["STATUS"]) == "CONFIRMED"
    assert "America/Los_Angeles" in str(e["DESCRIPTION"]) and "3:00\u202fPM – 6:00\u202fPM UTC" in str(e["DESCRIPTION"])
    assert str(e["ORGANIZER"]) == "mailto:international-committee@redflag-coord.invalid"
    assert e["ORGANIZER"].params["CN"] == "International Committee"
    assert [a.decoded("TRIGGER").total_seconds() for a in e.walk("VALARM")] == [-86400, -3600]


def test_uid_is_the_same_every_run_and_follows_the_domain(run, example_root, monkeypatch):
    a = run("invite", "ic-2026-12", "--root", str(example_root)).stdout
    monkeypatch.delenv("REDFLAG_DTSTAMP")
    b = run("invite", "ic-2026-12", "--root", str(example_root)).stdout
    assert str(_event(a)["UID"]) == str(_event(b)["UID"])
    c = run("invite", "ic-2026-12", "--domain", "Calendar.Example.org", "--root", str(example_root)).stdout
    assert str(_event(c)["UID"]) == "ic-2026-12@calendar.example.org"
    monkeypatch.setenv("REDFLAG_DOMAIN", "red.example.net")
    d = run("invite", "ic-2026-12", "--root", str(example_root)).stdout
    assert str(_event(d)["UID"]) == "ic-2026-12@red.example.net"
    bad = run("invite", "ic-2026-12", "--domain", "not a domain", "--root", str(example_root))
    assert bad.exit_code == 1 and "not a domain name" in bad.stderr


CANARY = "canary-7f3a9@leak.invalid"


@pytest.fixture
def canary_org(org_copy: Path) -> Path:
    members = org_copy / "collectives" / "los-angeles" / "members.toml"
    text = unseal_private(org_copy) and members.read_text()
    members.write_text(text.replace('email = "rosa@example.org"', f'email = "{CANARY}"'))
    return seal_private(org_copy)


def test_no_email_without_attendees(run, canary_org):
    for args in (
        ("invite", "ic-2026-12"),
        ("invite", "ic-2026-12", "--method", "request"),
        ("calendar",),
        ("calendar", "los-angeles"),
    ):
        result = run(*args, "--root", str(canary_org))
        assert result.exit_code == 0, result.stderr
        assert CANARY not in result.stdout and "example.org" not in result.stdout
        assert "ATTENDEE" not in result.stdout
        assert set(re.findall(r"mailto:([^\s]+)", re.sub(r"\r?\n ", "", result.stdout))) <= {
            "international-committee@redflag-coord.invalid",
            "los-angeles@redflag-coord.invalid",
        }


def test_attendees_only_opted_in_with_rsvp(run, canary_org):
    result = run("invite", "ic-2026-12", "--method", "request", "--attendees", "--root", str(canary_org))
    e = _event(result.stdout)
    attendees = {str(a).removeprefix("mailto:"): a.params for a in e["ATTENDEE"]}
    assert CANARY in attendees and "carmen@example.org" not in attendees  # carmen has invite = false
    assert all(p["RSVP"] == "TRUE" and p["PARTSTAT"] == "NEEDS-ACTION" for p in attendees.values())
    assert attendees[CANARY]["CN"] == "rosa"


def test_cancel_same_uid_higher_sequence(run, example_root):
    result = run("invite", "ic-2026-12", "--method", "cancel", "--root", str(example_root))
    assert result.exit_code == 0
    cal = icalendar.Calendar.from_ical(result.stdout)
    e = _event(result.stdout)
    assert str(cal["METHOD"]) == "CANCEL" and str(e["STATUS"]) == "CANCELLED"
    assert str(e["UID"]) == "ic-2026-12@redflag-coord.invalid" and e["SEQUENCE"] == 1
    assert not e.walk("VALARM")
    assert "--bump" in result.stderr


def test_recurring_meeting_rrule_until_in_utc_and_exdates(run, example_root):
    e = _event(run("invite", "la-study-group", "--root", str(example_root)).stdout)
    assert e["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270625T065959Z;BYDAY=TH"
    assert e["EXDATE"].params["TZID"] == "America/Los_Angeles"
    assert e["EXDATE"].to_ical() == b"20261126T190000,20261224T190000,20261231T190000"


def test_dst_gap_refused_and_ambiguous_warned(run, org_copy):
    add_meeting(org_copy, "los-angeles", "gap", meeting_toml("Gap", "2027-03-14T02:30:00", "America/Los_Angeles"))
    result = run("invite", "gap", "--root", str(org_copy))
    assert result.exit_code == 1 and "does not exist" in result.stderr and result.stdout == ""
    (org_copy / "collectives/los-angeles/meetings/gap.toml").unlink()
    add_meeting(org_copy, "los-angeles", "twice", meeting_toml("Twice", "2026-11-01T01:30:00", "America/Los_Angeles"))
    result = run("invite", "twice", "--root", str(org_copy))
    assert result.exit_code == 0 and "occurs twice" in result.stderr
    assert _event(result.stdout).decoded("DTSTART").astimezone().utcoffset() is not None
    assert _event(result.stdout).decoded("DTSTART").isoformat() == "2026-11-01T01:30:00-07:00"


def test_library_refuses_naive_datetimes():
    import datetime as dt

    from redflag_coord.calendar.ics import _aware, floating

    with pytest.raises(ValueError, match="floating"):
        _aware(dt.datetime(2026, 12, 12, 7))
    cal = icalendar.Calendar()
    ev = icalendar.Event()
    ev.add("UID", "x")
    ev.add("DTSTART", dt.datetime(2026, 12, 12, 7))
    cal.add_component(ev)
    assert floating(cal) == ["x: DTSTART"]


def test_weekday_mismatch_is_an_error(run, org_copy):
    extra = '[recurrence]\nfrequency = "weekly"\nweekdays = ["friday"]\ncount = 4\n'
    add_meeting(
        org_copy,
        "los-angeles",
        "wrong-day",
        meeting_toml("W", "2026-10-01T19:00:00", "America/Los_Angeles", extra=extra),
    )
    result = run("invite", "wrong-day", "--root", str(org_copy))
    assert result.exit_code == 1 and "thursday" in result.stderr


def test_usage_errors(run, example_root, tmp_path):
    assert run("invite", "nope", "--root", str(example_root)).exit_code == 2
    assert run("calendar", "atlantis", "--root", str(example_root)).exit_code == 2
    out = tmp_path / "x.ics"
    assert run("invite", "ic-2026-12", "-o", str(out), "--root", str(example_root)).exit_code == 0
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    again = run("invite", "ic-2026-12", "-o", str(out), "--root", str(example_root))
    assert again.exit_code == 2 and "--force" in again.stderr


def test_feed_has_every_meeting_and_a_name(run, example_root):
    result = run("calendar", "--name", "Red Flag", "--root", str(example_root))
    cal = icalendar.Calendar.from_ical(result.stdout)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["X-WR-CALNAME"]) == "Red Flag"
    assert sorted(str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")) == [
        "ic-2026-06",
        "ic-2026-12",
        "la-study-group",
    ]
    assert len(cal.walk("VTIMEZONE")) == 1
