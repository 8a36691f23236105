"""Journey: a Los Angeles member follows the weekly study group in her calendar app.

The convener moves one session (Thursday 14 January to Friday 15 January at 18:00) and cancels
another (4 February) in the meeting file, commits, checks the data and publishes the feed. The
member's calendar must show every session at 19:00 Los Angeles time across the DST change of
1 November (02:00 UTC before, 03:00 after) and of 14 March, the moved one on Friday at 18:00,
no cancelled or excepted one; the agenda for the moved session is found by its new date. All
through the console script, in a temporary git repository.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from conftest import need
from git_helpers import example_repo
from test_calendar_support import JS, node_ready

LA = ZoneInfo("America/Los_Angeles")
EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or "redflag-coord"
MOVES = """
[[occurrence]]
date = 2027-01-14
start = 2027-01-15T18:00:00

[[occurrence]]
date = 2027-02-04
cancelled = true
"""
EXCEPTIONS = {dt.date(2026, 11, 26), dt.date(2026, 12, 24), dt.date(2026, 12, 31), dt.date(2027, 2, 4)}


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27", "REDFLAG_DTSTAMP": "2026-11-27T12:00:00Z"}
    return subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)


def expected_walls() -> list[dt.datetime]:
    day, out = dt.date(2026, 10, 1), []
    while day <= dt.date(2027, 6, 24):
        if day not in EXCEPTIONS:
            out.append(
                dt.datetime(2027, 1, 15, 18) if day == dt.date(2027, 1, 14) else dt.datetime.combine(day, dt.time(19))
            )
        day += dt.timedelta(weeks=1)
    return out


def test_member_follows_the_study_group_through_a_move_a_cancellation_and_dst(tmp_path):
    repo = example_repo(tmp_path)
    root = repo.root
    path = root / "collectives/los-angeles/meetings/la-study-group.toml"
    path.write_text(path.read_text(encoding="utf-8") + MOVES, encoding="utf-8")
    repo.commit("study group: 14 January moved to Friday 15th, 4 February cancelled")

    check = cli(root, "validate")
    assert check.returncode == 0, check.stdout + check.stderr

    feed = cli(root, "calendar", "los-angeles", "-o", "feed.ics")
    assert feed.returncode == 0, feed.stderr
    data = (root / "feed.ics").read_bytes()

    # icalendar + recurring-ical-events: every session at the right local time, in UTC too.
    cal = icalendar.Calendar.from_ical(data)
    events = recurring_ical_events.of(cal).between(dt.datetime(2026, 9, 1), dt.datetime(2027, 8, 1))
    study = sorted((e for e in events if str(e["UID"]).startswith("la-study-group@")), key=lambda e: e["DTSTART"].dt)
    walls = [e["DTSTART"].dt.astimezone(LA).replace(tzinfo=None) for e in study]
    assert walls == expected_walls()
    utc = {e["DTSTART"].dt.date(): e["DTSTART"].dt.astimezone(dt.UTC).hour for e in study}
    assert utc[dt.date(2026, 10, 29)] == 2 and utc[dt.date(2026, 11, 5)] == 3  # the 1 November change
    assert utc[dt.date(2027, 3, 11)] == 3 and utc[dt.date(2027, 3, 18)] == 2  # the 14 March change
    moved = [e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert len(moved) == 1 and moved[0]["RECURRENCE-ID"].dt.astimezone(LA) == dt.datetime(2027, 1, 14, 19, tzinfo=LA)
    assert "15 de enero de 2027" in str(moved[0]["DESCRIPTION"])  # the moved session's own agenda
    # ...which says it was moved, from which date to which, in the meeting's zone (not `agenda --on`'s words)
    text = " ".join(str(moved[0]["DESCRIPTION"]).split())
    assert (
        "Reunión trasladada de una serie periódica (reunión n.º 13): del 14 de enero de 2027 al 15 de enero de "
        "2027, 18:00 (America/Los_Angeles)" in text
    )
    assert "fecha pedida" not in text
    # The series' text names both the exceptions and the cancelled session, in the meeting's language.
    (series,) = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("la-study-group@") and "RRULE" in e]
    said = " ".join(str(series["DESCRIPTION"]).split())
    assert "excepto 26 nov 2026, 24 dic 2026, 31 dic 2026; cancelada el 4 feb 2027" in said

    # ical.js (Thunderbird) reads the same sessions, overrides applied.
    need(node_ready(), "node and tests/js/node_modules (npm install --prefix tests/js)")
    out = subprocess.run(
        ["node", str(JS / "occurrences.mjs"), "200"], input=data, capture_output=True, timeout=60, check=True
    )
    starts = [
        dt.datetime.fromisoformat(o["start"].replace("Z", "+00:00")).astimezone(LA).replace(tzinfo=None)
        for o in json.loads(out.stdout)
        if o["uid"].startswith("la-study-group@")
    ]
    assert sorted(starts) == expected_walls()

    # The agenda for the moved session, by its new date; the old date says where it went.
    agenda = cli(root, "agenda", "la-study-group", "--on", "2027-01-15", "--lang", "en")
    assert agenda.returncode == 0, agenda.stderr
    assert "Friday, January 15, 2027" in agenda.stdout and "6:00\u202fPM – 7:30\u202fPM" in agenda.stdout
    old = cli(root, "agenda", "la-study-group", "--on", "2027-01-14")
    assert old.returncode == 2 and "moved to 2027-01-15" in old.stderr
    gone = cli(root, "agenda", "la-study-group", "--on", "2027-02-04")  # shown, and said to be cancelled
    assert gone.returncode == 0 and "Esta reunión está cancelada." in gone.stdout, gone.stdout + gone.stderr
    assert "Reunión cancelada de una serie periódica" in gone.stdout and "n.º 0" not in gone.stdout

    # The invitation's subject names the next session from today (2026-11-27: Thursday 3 December, as
    # 26 November is an exception), not the first, long past; on 14 January, the moved one on the 15th.
    mail = cli(root, "invite", "la-study-group", "--method", "request", "--send", "--smtp", "127.0.0.1:9")
    assert (
        "Invitation: Grupo de estudio: trabajadoras de la confección y de los servicios "
        "(next 2026-12-03 19:00 America/Los_Angeles)" in (mail.stdout + mail.stderr)
    ), mail.stdout + mail.stderr

    # A study group takes no reports: nothing is missing.
    status = cli(root, "report", "status", "la-study-group")
    assert status.returncode == 0 and "takes no reports" in status.stdout
