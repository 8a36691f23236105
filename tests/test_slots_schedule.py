"""slots around a meeting: never before now, after reports are due, the current time's rank, --spread,
--apply (round trips, across DST), availability per day, and fairness from meetings joining several collectives."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redflag_coord.org.load import load_organisation
from redflag_coord.org.model import Availability, Meeting
from redflag_coord.slots.apply import ApplyError, apply_start
from redflag_coord.slots.find import (
    ACCEPTABLE,
    POOR,
    UNACCEPTABLE,
    Participant,
    Request,
    find_slots,
    hours_of,
    past_burden,
)
from redflag_coord.slots.window import first_second
from redflag_coord.tz.zones import UTC, resolve

MEETING = Path("collectives/international-committee/meetings/ic-2026-12.toml")


def slots_json(run, root: Path, *args: str) -> dict:
    result = run("slots", *args, "--root", str(root), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


# -- bug: slots proposed times that had already passed ---------------------------------------------


def test_no_candidate_before_now(run, example_root, monkeypatch):
    monkeypatch.setenv("REDFLAG_NOW", "2026-11-27T11:06:00+00:00")
    data = slots_json(run, example_root, "--collectives", "india,los-angeles", "--days", "1", "--top", "20")
    starts = [utc(c["start_utc"]) for c in data["candidates"]]
    assert starts and min(starts) >= dt.datetime(2026, 11, 27, 11, 15, tzinfo=UTC)  # now, rounded up to the step
    assert data["not_before"] == "2026-11-27T11:15Z"


def test_a_range_wholly_past_has_no_candidates(run, example_root, monkeypatch):
    monkeypatch.setenv("REDFLAG_NOW", "2026-11-27T11:06:00Z")
    result = run("slots", "-c", "india,mexico", "--since", "2026-11-01", "--days", "3", "--root", str(example_root))
    assert result.exit_code == 0, result.stderr
    assert "No start times in this range." in result.stdout and "No start before 2026-11-04 00:00 UTC" in result.stdout


def test_redflag_now_without_offset_is_a_usage_error(run, example_root, monkeypatch):
    monkeypatch.setenv("REDFLAG_NOW", "2026-11-27T11:06")
    result = run("slots", "-c", "india,mexico", "--root", str(example_root))
    assert result.exit_code == 2 and "no offset" in result.stderr


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    now=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31), timezones=st.just(UTC)),
    step=st.sampled_from([1, 7, 15, 60]),
    days=st.integers(1, 3),
    lead=st.integers(-2, 1),
)
def test_property_no_candidate_starts_before_now(example_root, now, step, days, lead):
    org = _example(example_root)
    first = now.date() + dt.timedelta(days=lead)
    req = Request(
        ("india", "los-angeles", "france"),
        first,
        first + dt.timedelta(days=days - 1),
        90,
        step,
        top=10,
        not_before=first_second(now),  # now rounded up, as the command does
    )
    for c in find_slots(org, req).candidates:
        assert utc(c.start_utc) >= now


_ORG = {}


def _example(root: Path):
    if "org" not in _ORG:
        _ORG["org"] = load_organisation(root)
    return _ORG["org"]


# -- bug: slots MEETING ignored the meeting ----------------------------------------------------------


def test_meeting_range_starts_after_reports_are_due_and_ranks_the_current_time(run, example_root):
    data = slots_json(run, example_root, "ic-2026-12", "--top", "20")
    # reports due 2026-12-05 in Los Angeles: the first start is the next local midnight, 08:00 UTC
    assert min(utc(c["start_utc"]) for c in data["candidates"]) >= dt.datetime(2026, 12, 6, 8, tzinfo=UTC)
    assert data["date_to"] == "2026-12-26"  # 14 days after the meeting's date
    assert "reports are due" in data["range_note"]
    current = data["current"]
    assert current["start_utc"] == "2026-12-12T15:00Z" and 1 <= current["rank"] <= data["considered"]
    text = run("slots", "ic-2026-12", "--root", str(example_root)).stdout
    assert f"now: Sat 2026-12-12 15:00-18:00 UTC (the meeting's current time) is #{current['rank']} of " in text
    assert "2 collectives at an unacceptable time" in text


def test_meeting_in_january_is_searched_around_january(run, org_copy):
    path = org_copy / MEETING
    text = path.read_text(encoding="utf-8")
    text = text.replace("start = 2026-12-12T07:00:00", "start = 2027-01-16T07:00:00")
    text = text.replace("reports_due = 2026-12-05", "reports_due = 2027-01-09")
    path.write_text(text, encoding="utf-8")
    data = slots_json(run, org_copy, "ic-2026-12", "--window", "7", "--top", "30")
    starts = [utc(c["start_utc"]) for c in data["candidates"]]
    assert min(starts) >= dt.datetime(2027, 1, 10, 8, tzinfo=UTC)  # after reports are due, not Dec 5
    assert max(starts) < dt.datetime(2027, 1, 24, tzinfo=UTC)
    assert (data["date_from"], data["date_to"]) == ("2027-01-10", "2027-01-23")


def test_explicit_range_still_wins(run, example_root):
    data = slots_json(run, example_root, "ic-2026-12", "--since", "2026-11-28", "--days", "2")
    assert (data["date_from"], data["date_to"]) == ("2026-11-28", "2026-11-29") and data["range_note"] is None


def test_spread_gives_distinct_times_of_day(run, example_root):
    data = slots_json(run, example_root, "ic-2026-12", "--spread", "--top", "4")
    times = [c["start_utc"][11:16] for c in data["candidates"]]
    assert len(times) == 4
    minutes = [int(t[:2]) * 60 + int(t[3:]) for t in times]
    for i, a in enumerate(minutes):  # 3-hour meetings: options at least 3 hours apart in the day
        for b in minutes[i + 1 :]:
            assert min((a - b) % 1440, (b - a) % 1440) >= 180
    assert (
        "Spread: the best start at each distinct time of day."
        in run("slots", "ic-2026-12", "--spread", "--root", str(example_root)).stdout
    )


# -- --apply -----------------------------------------------------------------------------------------


def test_apply_writes_wall_time_keeps_comments_and_says_what_next(run, org_copy):
    data = slots_json(run, org_copy, "ic-2026-12", "--top", "3")
    before = (org_copy / MEETING).read_text(encoding="utf-8")
    result = run("slots", "ic-2026-12", "--top", "3", "--apply", "2", "--root", str(org_copy))
    assert result.exit_code == 0, result.stderr
    after = (org_copy / MEETING).read_text(encoding="utf-8")
    chosen = utc(data["candidates"][1]["start_utc"])
    wall = chosen.astimezone(dt.timezone(dt.timedelta(hours=-8))).replace(tzinfo=None)  # Los Angeles in December
    assert f"start = {wall.isoformat()}" in after
    assert before.splitlines()[:2] == after.splitlines()[:2]  # the comments stay
    assert [line for line in before.splitlines() if not line.startswith("start =")] == [
        line for line in after.splitlines() if not line.startswith("start =")
    ]
    assert "Next:" in result.stdout and "invite ic-2026-12 --method request" in result.stdout
    assert run("validate", str(org_copy)).exit_code == 0


def test_apply_needs_a_meeting_and_a_real_candidate(run, org_copy):
    assert run("slots", "-c", "india,mexico", "--apply", "1", "--root", str(org_copy)).exit_code == 2
    result = run("slots", "ic-2026-12", "--top", "2", "--apply", "3", "--root", str(org_copy))
    assert result.exit_code == 2 and "there are 2 candidate(s)" in result.stderr


def test_apply_refuses_a_recurring_meeting(run, org_copy):
    result = run("slots", "la-study-group", "-c", "los-angeles,mexico", "--apply", "1", "--root", str(org_copy))
    assert result.exit_code == 2 and "repeats" in result.stderr


def test_apply_across_a_dst_change_between_now_and_the_meeting(run, org_copy, monkeypatch):
    """Now is in Los Angeles winter time; the meeting is after clocks go forward (2027-03-14)."""
    monkeypatch.setenv("REDFLAG_NOW", "2027-02-20T12:00:00-08:00")
    monkeypatch.setenv("REDFLAG_TODAY", "2027-02-20")
    path = org_copy / MEETING
    text = path.read_text(encoding="utf-8")
    text = text.replace("start = 2026-12-12T07:00:00", "start = 2027-03-20T07:00:00")
    path.write_text(text.replace("reports_due = 2026-12-05", "reports_due = 2027-03-13"), encoding="utf-8")
    data = slots_json(run, org_copy, "ic-2026-12", "--top", "1")
    assert run("slots", "ic-2026-12", "--top", "1", "--apply", "1", "--root", str(org_copy)).exit_code == 0
    meeting = load_organisation(org_copy).find_meeting("ic-2026-12")[1]
    assert resolve(meeting.start, meeting.timezone).instants == (utc(data["candidates"][0]["start_utc"]),)


ZONES = ["America/Los_Angeles", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Santiago", "UTC"]


@settings(max_examples=150, deadline=None)
@given(
    instant=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2030, 12, 31)).map(
        lambda d: d.replace(minute=d.minute // 15 * 15, second=0, microsecond=0, tzinfo=UTC)
    ),
    zone_name=st.sampled_from(ZONES),
)
def test_property_apply_round_trips(instant, zone_name):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.toml"
        path.write_text(
            f'# a comment\ntitle = "T"\nstart = 2026-01-01T10:00:00 # local\ntimezone = "{zone_name}"\n'
            "duration_minutes = 60\n",
            encoding="utf-8",
        )
        meeting = Meeting(title="T", start=dt.datetime(2026, 1, 1, 10), timezone=zone_name, duration_minutes=60)
        try:
            apply_start(path, meeting, instant.strftime("%Y-%m-%dT%H:%MZ"))
        except ApplyError:  # the wall time happens twice: refused, never guessed
            wall = instant.astimezone(__import__("zoneinfo").ZoneInfo(zone_name)).replace(tzinfo=None)
            assert resolve(wall, zone_name).kind == "ambiguous"
            return
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert resolve(data["start"], zone_name).instants == (instant,)
        assert path.read_text(encoding="utf-8").startswith("# a comment\n")
        assert "# local" in path.read_text(encoding="utf-8")


# -- availability per day --------------------------------------------------------------------------


def test_named_day_overrides_the_shorthands():
    tehran = hours_of(
        Availability(weekdays=["18:00-22:00"], weekend=["10:00-20:00"], friday=[], saturday=["18:00-21:00"])
    )
    thursday, friday, saturday, sunday = (dt.date(2026, 12, d) for d in (3, 4, 5, 6))
    assert tehran.band(thursday, 19 * 60) == ACCEPTABLE
    assert tehran.band(friday, 19 * 60) == POOR  # a day of rest: only the waking-hours default
    assert tehran.band(saturday, 12 * 60) == POOR and tehran.band(saturday, 19 * 60) == ACCEPTABLE
    assert tehran.band(sunday, 12 * 60) == ACCEPTABLE
    assert tehran.band(sunday, 3 * 60) == UNACCEPTABLE


def test_saturday_only_collective_through_slots(run, org_copy):
    path = org_copy / "collectives/india/collective.toml"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("[availability]")] if "[availability]" in text else text
    path.write_text(head + '\n[availability]\nsaturday = ["10:00-16:00"]\n', encoding="utf-8")
    assert run("validate", str(org_copy)).exit_code == 0
    data = slots_json(run, org_copy, "-c", "india", "--since", "2026-12-01", "--days", "7", "--length", "1h")
    for c in data["candidates"]:
        assert c["local"][0]["weekday"] == "Saturday" and c["local"][0]["band"] == "acceptable"


def test_validate_checks_named_days(run, org_copy):
    path = org_copy / "collectives/india/collective.toml"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("[availability]")] if "[availability]" in text else text
    path.write_text(head + '\n[availability]\nweekend = ["10:00-16:00"]\nfriday = ["22:00-20:00"]\n', encoding="utf-8")
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    assert "collectives/india/collective.toml:" in result.stdout and "cannot cross midnight" in result.stdout
    assert "availability.friday" in result.stdout


# -- bug: fairness counted a collective's own study group, occurrences more than once ------------------


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _people(org, *slugs: str) -> list[Participant]:
    return [
        Participant(s, org.collectives[s].info.timezone, 1, hours_of(org.collectives[s].info.availability))
        for s in slugs
    ]


def test_fairness_ignores_a_collectives_own_meetings(org_copy):
    # a study group of India's own at 05:00 local: a poor time, but chosen by the collective itself
    _write(
        org_copy,
        "collectives/india/meetings/india-dawn-study.toml",
        'title = "Dawn study"\nstart = 2026-11-01T05:00:00\ntimezone = "Asia/Kolkata"\n'
        'duration_minutes = 60\nparticipants = ["india"]\n',
    )
    org = load_organisation(org_copy)
    burden = past_burden(org, _people(org, "india"), int(dt.datetime(2026, 12, 1, tzinfo=UTC).timestamp()))
    assert burden["india"] == []


def test_fairness_counts_each_occurrence_of_a_joint_series_once(org_copy):
    _write(
        org_copy,
        "collectives/india/meetings/joint-weekly.toml",
        'title = "Joint"\nstart = 2026-11-02T05:00:00\ntimezone = "Asia/Kolkata"\nduration_minutes = 60\n'
        'participants = ["india", "mexico", "india"]\n\n[recurrence]\nfrequency = "weekly"\ncount = 10\n',
    )
    org = load_organisation(org_copy)
    before = int(dt.datetime(2026, 11, 20, tzinfo=UTC).timestamp())  # Nov 2, 9 and 16 are past
    burden = past_burden(org, _people(org, "india"), before)
    assert burden["india"] == ["joint-weekly@2026-11-02", "joint-weekly@2026-11-09", "joint-weekly@2026-11-16"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_formats_show_the_current_time(run, example_root, fmt):
    result = run("slots", "ic-2026-12", "--format", fmt, "--root", str(example_root))
    assert result.exit_code == 0 and "2026-12-12" in result.stdout


def test_a_past_meeting_is_searched_from_now():
    from redflag_coord.slots.window import around_meeting, current_start

    m = Meeting(title="T", start=dt.datetime(2026, 6, 13, 7), timezone="America/Los_Angeles", duration_minutes=60)
    now = dt.datetime(2026, 11, 27, 11, 6, tzinfo=UTC)
    w = around_meeting(m, current_start(m, now.date()), now, 14)
    assert (w.date_from, w.date_to) == (dt.date(2026, 11, 27), dt.date(2026, 12, 24))
    assert w.not_before == int(now.timestamp()) and "is past" in w.note


def test_a_bad_redflag_now_is_a_usage_error_for_slots_and_ignored_elsewhere(run, example_root, monkeypatch):
    monkeypatch.setenv("REDFLAG_NOW", "soon")
    result = run("slots", "ic-2026-12", "--root", str(example_root))
    assert result.exit_code == 2 and "REDFLAG_NOW='soon' is not a date and time" in result.stderr
    assert run("validate", str(example_root)).exit_code == 0
