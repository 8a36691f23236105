"""Recurring meetings: one engine (tz/recurrence via org/occurrences) for every command.

One test per bug of issue 13, then a property test: for meetings the model accepts,
the dates the commands use equal what recurring-ical-events expands from the invite.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import icalendar
import recurring_ical_events
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from recurrence_helpers import make_org, meeting_text

from redflag_coord.check.validate import validate_org
from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import WEEKDAYS
from redflag_coord.org.occurrences import occurrences, pick, reports_due, rule, time_problems
from redflag_coord.tz.recurrence import Rule
from redflag_coord.tz.zones import zone

TODAY = dt.date(2026, 11, 27)


def _org(tmp_path: Path, text: str, zone_name: str = "America/Los_Angeles") -> Path:
    return make_org(tmp_path / "org", text, zone_name)


# -- the bugs ---------------------------------------------------------------------------


def test_monthly_weekdays_agenda_on_matches_invite(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 2, 7, 10),
        "Australia/Adelaide",
        {"frequency": "monthly", "weekdays": ["sunday"], "until": dt.date(2027, 7, 4)},
    )
    root = _org(tmp_path, text, "Australia/Adelaide")
    assert run("agenda", "m", "--on", "2027-04-04", "--root", str(root)).exit_code == 0
    wrong = run("agenda", "m", "--on", "2027-04-07", "--root", str(root))
    assert wrong.exit_code == 2
    assert "2027-04-04" in wrong.stderr and "2027-05-02" in wrong.stderr
    ics = run("invite", "m", "--root", str(root)).stdout
    assert "BYDAY=1SU" in ics


def test_daily_weekdays_skip_the_weekend(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 3, 1, 18),
        "America/Los_Angeles",
        {"frequency": "daily", "weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday"], "count": 10},
    )
    root = _org(tmp_path, text)
    assert run("agenda", "m", "--on", "2027-03-06", "--root", str(root)).exit_code == 2
    ok = run("agenda", "m", "--on", "2027-03-12", "--format", "json", "--root", str(root))
    assert ok.exit_code == 0 and '"number": 10' in ok.stdout


def test_dst_gap_on_a_later_occurrence_is_an_error(run, tmp_path):
    text = meeting_text(dt.datetime(2027, 8, 22, 0, 30), "America/Santiago", {"frequency": "weekly", "count": 4})
    root = _org(tmp_path, text, "America/Santiago")
    result = run("validate", str(root))
    assert result.exit_code == 1
    assert "dst-gap" in result.stdout and "2027-09-05" in result.stdout
    assert "00:00 to 01:00" in result.stdout  # the local times on both sides of the jump
    assert run("invite", "m", "--root", str(root)).exit_code == 1


def test_last_sunday_monthly_gap_in_auckland(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 8, 29, 2, 30),
        "Pacific/Auckland",
        {"frequency": "monthly", "weekdays": ["sunday"], "count": 3},
    )
    root = _org(tmp_path, text, "Pacific/Auckland")
    result = run("validate", str(root))
    assert result.exit_code == 1 and "2027-09-26" in result.stdout and "02:00 to 03:00" in result.stdout


def test_ambiguous_later_occurrence_is_a_warning(run, tmp_path):
    text = meeting_text(dt.datetime(2027, 10, 24, 1, 30), "America/Los_Angeles", {"frequency": "weekly", "count": 3})
    result = run("validate", str(_org(tmp_path, text)))
    assert result.exit_code == 0 and "dst-ambiguous" in result.stdout and "2027-11-07" in result.stdout


def test_series_description_names_no_single_date_number_or_utc(run, example_root):
    ics = run("invite", "la-study-group", "--root", str(example_root)).stdout
    cal = icalendar.Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    text = str(event["DESCRIPTION"])
    assert "19:00 – 20:30" in text and "America/Los_Angeles" in text
    for wrong in ("1 de octubre", "UTC", "n.º", "fecha pedida", "vie"):
        assert wrong not in text, wrong


def test_vtimezone_rules_true_in_later_years(run, tmp_path):
    # A bounded 2027 series: the VTIMEZONE must still be right in 2029 (Auckland: last Sunday of
    # September, the 30th; Santiago: first Sunday on or after 2 April, the 8th).
    for zone_name, instant, offset in (
        ("Pacific/Auckland", dt.datetime(2029, 9, 26, 12), dt.timedelta(hours=12)),
        ("America/Santiago", dt.datetime(2029, 4, 4, 12), dt.timedelta(hours=-3)),
    ):
        text = meeting_text(dt.datetime(2027, 1, 5, 10), zone_name, {"frequency": "weekly", "count": 3})
        root = make_org(tmp_path / zone_name.replace("/", "-"), text, zone_name)
        cal = icalendar.Calendar.from_ical(run("invite", "m", "--root", str(root)).stdout)
        (vtz,) = cal.walk("VTIMEZONE")
        tz = vtz.to_tz()
        assert instant.replace(tzinfo=dt.UTC).astimezone(tz).utcoffset() == offset, zone_name
        assert zone(zone_name).utcoffset(instant) == offset


def test_report_status_of_a_study_group_is_not_missing(run, example_root):
    result = run("report", "status", "la-study-group", "--root", str(example_root))
    assert result.exit_code == 0, result.stdout
    assert "no due date" not in result.stdout and "takes no reports" in result.stdout


def test_report_commands_on_a_recurring_meeting_that_takes_reports(run, tmp_path):
    text = meeting_text(
        dt.datetime(2026, 10, 1, 19),
        "America/Los_Angeles",
        {"frequency": "weekly", "count": 20},
        reports=True,
        reports_due=dt.date(2026, 9, 29),
    )
    root = _org(tmp_path, text)
    status = run("report", "status", "m", "--root", str(root))
    assert status.exit_code == 1 and "reports due 2026-12-01" in status.stdout  # next: Thu 3 Dec, two days before
    on = run("report", "status", "m", "--on", "2027-01-07", "--root", str(root))
    assert "reports due 2027-01-05" in on.stdout
    out = tmp_path / "reminders"
    remind = run("report", "remind", "m", "--root", str(root), "--output-dir", str(out))
    assert remind.exit_code in (0, 1), remind.stderr
    body = next(out.glob("*.txt")).read_text(encoding="utf-8")
    assert "-." not in body and "December 1" in body and "December 3" in body
    new = run("report", "new", "test", "m", "--root", str(root))
    assert new.exit_code == 0, new.stderr
    written = (root / "collectives/test/reports/m.toml").read_text(encoding="utf-8")
    assert ": -" not in written and "2026-12-01" in written


def test_summary_shows_the_next_occurrence(run, example_root):
    out = run("summary", "--root", str(example_root)).stdout
    assert "2026-12-03T19:00" in out and "2026-10-01T19:00" not in out


def test_invite_request_of_a_cancelled_meeting_is_refused(run, tmp_path):
    root = _org(tmp_path, meeting_text(dt.datetime(2027, 1, 5, 10), "America/Los_Angeles", status="cancelled"))
    result = run("invite", "m", "--method", "request", "--root", str(root))
    assert result.exit_code == 2 and "--method cancel" in result.stderr
    assert run("invite", "m", "--method", "cancel", "--root", str(root)).exit_code == 0


def test_moved_and_cancelled_occurrences(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 1, 7, 19),
        "America/Los_Angeles",
        {"frequency": "weekly", "count": 5},
        changes=[
            {"date": dt.date(2027, 1, 14), "start": dt.datetime(2027, 1, 15, 18)},
            {"date": dt.date(2027, 1, 21), "cancelled": True},
        ],
    )
    root = _org(tmp_path, text)
    assert run("validate", str(root)).exit_code == 0
    assert run("agenda", "m", "--on", "2027-01-15", "--root", str(root)).exit_code == 0
    moved = run("agenda", "m", "--on", "2027-01-14", "--root", str(root))
    assert moved.exit_code == 2 and "moved to 2027-01-15" in moved.stderr
    cancelled = run("agenda", "m", "--on", "2027-01-21", "--root", str(root))  # shown as cancelled, not refused
    assert cancelled.exit_code == 0 and "This meeting is cancelled." in cancelled.stdout
    cal = icalendar.Calendar.from_ical(run("invite", "m", "--root", str(root)).stdout)
    walls = [
        e["DTSTART"].dt.replace(tzinfo=None)
        for e in recurring_ical_events.of(cal).between(dt.datetime(2027, 1, 1), dt.datetime(2027, 3, 1))
    ]
    assert sorted(walls) == [
        dt.datetime(2027, 1, 7, 19),
        dt.datetime(2027, 1, 15, 18),
        dt.datetime(2027, 1, 28, 19),
        dt.datetime(2027, 2, 4, 19),
    ]


def test_only_an_occurrence_an_entry_moves_is_moved(tmp_path):
    """`Occurrence.moved` holds for an occurrence moved to another day or another time of the same day, and
    for no other (each occurrence carries its start, which alone said nothing)."""
    text = meeting_text(
        dt.datetime(2027, 1, 7, 19),
        "America/Los_Angeles",
        {"frequency": "weekly", "count": 5},
        changes=[
            {"date": dt.date(2027, 1, 14), "start": dt.datetime(2027, 1, 15, 18)},
            {"date": dt.date(2027, 1, 28), "start": dt.datetime(2027, 1, 28, 17)},
            {"date": dt.date(2027, 1, 21), "cancelled": True},
        ],
    )
    org = load_organisation(_org(tmp_path, text))
    meeting = org.collectives["test"].meetings["m"]
    held = occurrences(meeting)
    assert {o.date: o.moved for o in held} == {
        dt.date(2027, 1, 7): False,
        dt.date(2027, 1, 15): True,
        dt.date(2027, 1, 28): True,
        dt.date(2027, 2, 4): False,
    }
    assert pick(meeting, dt.date(2027, 1, 1), on=dt.date(2027, 1, 15)).moved
    assert not pick(meeting, dt.date(2027, 1, 1)).moved and pick(meeting, dt.date(2027, 1, 1)).chosen == "next"


def test_bad_occurrence_entries_are_errors(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 1, 7, 19),
        "America/Los_Angeles",
        {"frequency": "weekly", "count": 5},
        changes=[{"date": dt.date(2027, 1, 15), "cancelled": True}],
    )
    result = run("validate", str(_org(tmp_path, text)))
    assert result.exit_code == 1 and "bad-occurrence" in result.stdout


def test_occurrence_entries_on_a_one_off_meeting_are_a_warning(run, tmp_path):
    text = meeting_text(
        dt.datetime(2027, 1, 7, 19), "America/Los_Angeles", changes=[{"date": dt.date(2027, 1, 7), "cancelled": True}]
    )
    result = run("validate", str(_org(tmp_path, text)))
    assert result.exit_code == 0 and "bad-occurrence" in result.stdout and "no [recurrence]" in result.stdout


def test_engine_rfc_examples():
    # RFC 5545 3.8.5.3: monthly on the first Friday, 10 times, from 1997-09-05.
    r = Rule("monthly", dt.date(1997, 9, 5), weekdays=(4,), ordinal=1, count=10)
    assert [d.isoformat() for d in r.dates()][:4] == ["1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05"]
    # Every other week on Tuesday and Thursday, for 8 occurrences.
    r = Rule("weekly", dt.date(1997, 9, 2), interval=2, weekdays=(1, 3), count=8)
    assert [d.day for d in r.dates()] == [2, 4, 16, 18, 30, 2, 14, 16]
    # Monthly on the 31st skips the months without one.
    r = Rule("monthly", dt.date(2027, 1, 31), count=4)
    assert [d.month for d in r.dates()] == [1, 3, 5, 7]


# -- the property: every command's dates are the invite's dates ------------------------------

ZONES = (
    "America/Los_Angeles",
    "Europe/Paris",
    "Australia/Sydney",
    "America/Santiago",
    "Pacific/Auckland",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Africa/Johannesburg",
)


@st.composite
def recurring(draw):
    zone_name = draw(st.sampled_from(ZONES))
    day = dt.date(2026, 6, 1) + dt.timedelta(days=draw(st.integers(0, 700)))
    start = dt.datetime.combine(day, dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 45]))))
    freq = draw(st.sampled_from(["daily", "weekly", "monthly"]))
    rec: dict = {"frequency": freq}
    interval = draw(st.integers(1, 3))
    if interval > 1:
        rec["interval"] = interval
    if draw(st.booleans()):
        others = draw(st.lists(st.sampled_from(WEEKDAYS), max_size=3))
        rec["weekdays"] = sorted({WEEKDAYS[day.weekday()], *others}, key=WEEKDAYS.index)
    end = draw(st.sampled_from(["count", "until", "open"]))
    if end == "count":
        rec["count"] = draw(st.integers(1, 15))
    elif end == "until":
        rec["until"] = day + dt.timedelta(days=draw(st.integers(0, 200)))
    meeting = dict(start=start, zone=zone_name, recurrence=rec)
    return meeting, draw(st.randoms(use_true_random=False))


def _walls_from_invite(ics: str, lo: dt.date, hi: dt.date) -> list[dt.datetime]:
    cal = icalendar.Calendar.from_ical(ics)
    events = recurring_ical_events.of(cal).between(
        dt.datetime.combine(lo, dt.time()), dt.datetime.combine(hi, dt.time())
    )
    return sorted(e["DTSTART"].dt.replace(tzinfo=None) for e in events)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(recurring())
def test_commands_use_the_invites_dates(run, case):
    spec, rnd = case
    probe = load_probe(spec)
    rl = rule(probe)
    assert rl is not None
    assume(rl.problem() is None)
    horizon = TODAY.replace(year=TODAY.year + 2)
    raw = list(rl.raw_through(horizon))[:60]
    assume(raw)
    changes: list[dict] = []
    exceptions = sorted(rnd.sample(raw, k=min(len(raw) - 1, rnd.randint(0, 2)))) if len(raw) > 1 else []
    free = [d for d in raw if d not in exceptions and d != raw[0]]
    if free and rnd.random() < 0.6:
        d = rnd.choice(free)
        free.remove(d)
        moved_to = dt.datetime.combine(d + dt.timedelta(days=rnd.randint(-1, 1)), dt.time(rnd.randint(6, 22)))
        changes.append({"date": d, "start": moved_to})
    if free and rnd.random() < 0.5:
        changes.append({"date": rnd.choice(free), "cancelled": True})
    rec = dict(spec["recurrence"])
    if exceptions:
        rec["exceptions"] = exceptions
    text = meeting_text(spec["start"], spec["zone"], rec, changes)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_org(Path(tmp), text, spec["zone"])
        org = load_organisation(root)
        meeting = org.find_meeting("m")[1]
        problems = [p for p in validate_org(org, TODAY) if p.severity == "error"]
        assume(not problems)  # a start in a DST gap is refused: nothing is published
        assume(not [p for p in time_problems(meeting, TODAY) if p.kind == "ambiguous"])
        ics = run("invite", "m", "--root", str(root)).stdout
    ours = [o.wall(meeting) for o in occurrences(meeting, horizon)]
    lo = spec["start"].date() - dt.timedelta(days=3)
    theirs = _walls_from_invite(ics, lo, horizon + dt.timedelta(days=1))
    ours = [w for w in ours if w < dt.datetime.combine(horizon + dt.timedelta(days=1), dt.time())]
    assert ours == theirs
    for occ in occurrences(meeting, horizon)[:5]:  # the agenda and report commands pick the same date
        assert pick(meeting, TODAY, occ.date).date == occ.date
        assert reports_due(meeting, occ) is None  # a recurring meeting takes no reports by default


def load_probe(spec: dict):
    from redflag_coord.org.model import Meeting

    return Meeting.model_validate(
        {
            "title": "t",
            "start": spec["start"],
            "timezone": spec["zone"],
            "duration_minutes": 60,
            "recurrence": spec["recurrence"],
        }
    )


def test_a_series_with_every_meeting_excluded_or_cancelled_is_an_error(run, tmp_path):
    """Found by the hypothesis test above: nothing left to invite to must be said, not crash the invite."""
    text = meeting_text(
        dt.datetime(2026, 6, 1, 10, 0),
        "America/Los_Angeles",
        {"frequency": "daily", "count": 2, "exceptions": [dt.date(2026, 6, 1)]},
        [{"date": dt.date(2026, 6, 2), "cancelled": True}],
    )
    root = make_org(tmp_path, text, "America/Los_Angeles")
    r = run("validate", str(root))
    assert r.exit_code == 1 and "error[no-occurrence]" in r.stdout
    assert run("invite", "m", "--root", str(root)).exit_code == 1
