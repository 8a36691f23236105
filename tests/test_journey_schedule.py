"""Journey: a secretary schedules a meeting from start to finish, through the console script, in a
fresh `init` repository under git: add a collective (Asia/Kathmandu), add a meeting, find a time,
set it with --apply, send the invitation; the agenda then shows the applied time in every zone."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import icalendar
from git_helpers import Repo

BIN = Path(sys.executable).with_name("redflag-coord")
NOW = "2026-11-27T11:06:00+00:00"


def cli(root: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "REDFLAG_TODAY": "2026-11-27", "REDFLAG_NOW": NOW, "REDFLAG_DTSTAMP": NOW}
    env.pop("REDFLAG_ROOT", None)
    done = subprocess.run([str(BIN), *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == code, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def test_schedule_a_meeting_from_start_to_finish(tmp_path):
    root = tmp_path / "org"
    cli(tmp_path, "init", str(root), "--timezone", "Europe/Paris", "--language", "fr", "--allow-local-spec")
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("new organisation")
    assert (root / "organisation.toml").read_text(encoding="utf-8").startswith("# Settings every command reads")

    # a collective and a meeting, without copying folders or sed
    cli(
        root,
        "new",
        "collective",
        "kathmandu",
        "--name",
        "Kathmandu",
        "--timezone",
        "Asia/Kathmandu",
        "--languages",
        "ne,en",
    )
    made = cli(
        root, "new", "meeting", "ic-2027-01", "--convener", "committee", "--start", "2027-01-16T15:00",
        "--participants", "kathmandu,first-collective", "--title", "Comité international", "--duration", "1h30m",
    )  # fmt: skip
    assert "Next: redflag-coord slots ic-2027-01" in made.stdout
    meeting_file = root / "collectives/committee/meetings/ic-2027-01.toml"
    assert "reports_due = 2027-01-09" in meeting_file.read_text(encoding="utf-8")  # organisation.toml: 7 days
    assert "duration_minutes = 90" in meeting_file.read_text(encoding="utf-8")  # one duration syntax (issue 31)
    cli(root, "validate")
    repo.commit("kathmandu and the January meeting")

    # find a time: never before now, after reports are due, around the meeting; the current time ranked
    shown = cli(root, "slots", "ic-2027-01", "--top", "3")
    assert "now: Sat 2027-01-16 14:00-15:30 UTC (the meeting's current time) is #" in shown.stdout
    assert "1h30m long" in shown.stdout
    # the same syntax for slots' own length, and its first date is --since (--from is a sender address)
    other = cli(root, "slots", "ic-2027-01", "--since", "2027-01-10", "--days", "3", "--length", "90", "--step", "1h")
    assert "1h30m long; start times every 60 minutes from 2027-01-10 to 2027-01-12" in other.stdout
    data = json.loads(cli(root, "slots", "ic-2027-01", "--top", "3", "--format", "json").stdout)
    first = data["candidates"][0]
    instant = dt.datetime.strptime(first["start_utc"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    assert instant >= dt.datetime(2027, 1, 9, 23, tzinfo=dt.UTC)  # the day after reports are due, in Paris

    # set it: wall time in the meeting's zone, comments kept; the next step is named
    before = meeting_file.read_text(encoding="utf-8")
    applied = cli(root, "slots", "ic-2027-01", "--top", "3", "--apply", "1")
    after = meeting_file.read_text(encoding="utf-8")
    assert before.splitlines()[:2] == after.splitlines()[:2]
    paris = instant.astimezone(dt.timezone(dt.timedelta(hours=1))).replace(tzinfo=None)  # Paris in January
    assert f"start = {paris.isoformat()}" in after
    assert "Next:" in applied.stdout and "--bump" in applied.stdout  # the meeting is committed: it may be out
    cli(root, "validate")

    # the invitation carries the applied instant
    cli(
        root, "invite", "ic-2027-01", "--method", "request", "--bump", "--output", str(tmp_path / "invite.ics"),
        "--reminder", "1h", "--reminder", "15",
    )  # fmt: skip
    cal = icalendar.Calendar.from_ical((tmp_path / "invite.ics").read_bytes())
    event = next(iter(cal.walk("VEVENT")))
    triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
    assert triggers == [-dt.timedelta(hours=1), -dt.timedelta(minutes=15)]
    assert event.decoded("DTSTART").astimezone(dt.UTC) == instant
    assert int(event["SEQUENCE"]) == 1
    repo.commit("ic-2027-01 at the chosen time")

    # the agenda shows the applied time in every zone, as slots promised it
    agenda = json.loads(cli(root, "agenda", "ic-2027-01", "--format", "json").stdout)
    zones = {z["collective"]: z["start"][:16] for z in agenda["zones"]}
    for local in first["local"]:
        assert zones[local["slug"]] == local["start"], local["slug"]
    kathmandu = instant.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=45)))
    assert zones["kathmandu"] == kathmandu.strftime("%Y-%m-%dT%H:%M")
    assert agenda["start_utc"].startswith(instant.strftime("%Y-%m-%dT%H:%M"))
    text = cli(root, "agenda", "ic-2027-01").stdout
    assert "Asia/Kathmandu" in text and "Europe/Paris" in text
