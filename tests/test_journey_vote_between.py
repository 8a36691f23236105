"""Journey: a motion decided between meetings by collectives in Kathmandu, Auckland and Los Angeles.

Filed by a commit → `motion open` (console script) writes the window, whose close this test computes again on
its own, minute by minute with zoneinfo and the collectives' bands (not with org.window) → the window is
extended (never shortened) → votes arrive by commits → an early close is refused, then allowed once the
result can no longer change and the minimum wait has passed → the feed's tasks read back by icalendar and
ical.js → an intruder's commit that shortens the window is refused by validate.
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
from git_helpers import example_repo
from test_calendar_support import node_ready

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")
MOTION = "collectives/india/motions/shared-press.toml"
UTC = dt.UTC
# slug -> (zone, weekday hours, weekend hours): the bands each collective.toml gives
# (the example's India, Philippines and Los Angeles, moved to these zones: their readers stay approved)
COLLECTIVES = {
    "india": ("Asia/Kathmandu", (18, 22), (9, 20)),
    "philippines": ("Pacific/Auckland", (19, 21), (10, 14)),
    "los-angeles": ("America/Los_Angeles", (18, 22), (8, 20)),
}
OPENED = dt.datetime(2026, 12, 10, 0, 0, tzinfo=UTC)  # a Thursday: the window runs into the weekend


def cli(root: Path, *args: str, code: int = 0) -> str:
    env = {**os.environ, "REDFLAG_TODAY": "2026-12-10", "REDFLAG_DTSTAMP": "2026-12-10T00:00:00Z"}
    proc = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def collective_toml(slug: str, old: str) -> str:
    zone, week, end = COLLECTIVES[slug]
    recipients = next(line for line in old.splitlines() if line.startswith("recipients"))
    return (
        f'name = "{slug.title()}"\ntimezone = "{zone}"\nlanguages = ["en"]\n{recipients}\n\n'
        f'[availability]\nweekdays = ["{week[0]:02d}:00-{week[1]:02d}:00"]\n'
        f'weekend = ["{end[0]:02d}:00-{end[1]:02d}:00"]\n'
    )


MOTION_TEXT = """title = "A shared press for the Asia-Pacific editions"
text = "The three collectives share one printing press for their editions of Red Flag."
filed = 2026-12-08
seconds = ["philippines"]
between = true

# One voice per collective; a majority of the votes cast carries it.
[rule]
method = "vote"
entitled = ["india", "los-angeles", "philippines"]

[window]
acceptable_minutes = 360
min_wait_minutes = 1440
"""


def acceptable(slug: str, moment: dt.datetime) -> bool:
    """Whether one UTC minute falls inside the collective's acceptable local hours (zoneinfo, this test's own)."""
    zone, week, end = COLLECTIVES[slug]
    local = moment.astimezone(ZoneInfo(zone))
    start, stop = end if local.weekday() >= 5 else week
    return start <= local.hour < stop


def expected_close(hours: int, wait_minutes: int) -> dt.datetime:
    """The first whole minute by which every collective had `hours` acceptable hours, and the wait passed."""
    latest = OPENED + dt.timedelta(minutes=wait_minutes)
    for slug in COLLECTIVES:
        had, moment = 0, OPENED
        while had < hours * 60:
            had += acceptable(slug, moment)
            moment += dt.timedelta(minutes=1)
        latest = max(latest, moment)
    return latest


def acceptable_minutes(slug: str, start: dt.datetime, end: dt.datetime) -> int:
    n, moment = 0, start
    while moment < end:
        n += acceptable(slug, moment)
        moment += dt.timedelta(minutes=1)
    return n


def vote(slug: str, how: str, cast: str) -> str:
    return f'\n[[vote]]\ncollective = "{slug}"\n{how} = 1\ncast = {cast}\n'


def test_vote_between_meetings_across_zones(tmp_path):
    repo = example_repo(tmp_path)
    root = repo.root
    for slug in COLLECTIVES:
        rel = f"collectives/{slug}/collective.toml"
        repo.write(rel, collective_toml(slug, (root / rel).read_text()))
    repo.commit("three collectives join", date="2026-12-05T12:00:00+00:00")
    repo.write(MOTION, MOTION_TEXT)
    repo.commit("india files a motion to decide between meetings", date="2026-12-08T12:00:00+00:00")

    out = json.loads(cli(root, "motion", "open", "shared-press", "--at", "2026-12-10T00:00Z", "--format", "json"))
    closes = expected_close(6, 1440)
    assert out["closes"] == closes.strftime("%Y-%m-%dT%H:%M:%SZ")
    # every collective had its six acceptable hours before the close, and one of them only just
    had = {slug: acceptable_minutes(slug, OPENED, closes) for slug in COLLECTIVES}
    assert min(had.values()) >= 6 * 60
    assert closes > OPENED + dt.timedelta(days=1) or min(had.values()) == 6 * 60
    for row in out["collectives"]:  # each deadline on its own wall clock, with its zone
        zone = COLLECTIVES[row["collective"]][0]
        assert row["zone"] == zone
        assert row["closes_local"] == closes.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %z")
    text = (root / MOTION).read_text()
    assert "opened = 2026-12-10T00:00:00Z" in text and "[window]" in text
    assert 'title = "A shared press' in text  # the rest of the file kept, the comment beside its table
    assert "carries it.\n[rule]" in text and text.index("closes = ") < text.index("# One voice")
    repo.commit("motion open", date="2026-12-10T00:00:00+00:00")

    # more hours move the close later (the calendar's SEQUENCE rises); fewer are refused
    cli(root, "motion", "open", "shared-press", "--acceptable", "8h")
    later = expected_close(8, 1440)
    assert f"closes = {later:%Y-%m-%dT%H:%M:%S}Z" in (root / MOTION).read_text()
    assert "sequence = 1" in (root / MOTION).read_text()
    refused = cli(root, "motion", "open", "shared-press", "--acceptable", "4h", code=2)
    assert "never shortened" in refused
    repo.commit("window extended to 8 hours", date="2026-12-10T01:00:00+00:00")

    with (root / MOTION).open("a") as f:
        f.write(vote("india", "for", "2026-12-10"))
    repo.commit("india votes", date="2026-12-10T13:00:00+00:00")
    refused = cli(root, "motion", "close", "shared-press", "--at", "2026-12-11T06:00Z", code=2)
    assert "can still change" in refused and "los-angeles, philippines" in refused

    with (root / MOTION).open("a") as f:
        f.write(vote("philippines", "for", "2026-12-11"))
    repo.commit("philippines votes", date="2026-12-10T14:00:00+00:00")
    status = json.loads(cli(root, "motion", "status", "shared-press", "--format", "json"))
    assert status["settled"] and [c["collective"] for c in status["collectives"] if not c["voted"]] == ["los-angeles"]
    refused = cli(root, "motion", "close", "shared-press", "--at", "2026-12-10T18:00Z", code=2)
    assert "minimum wait" in refused

    feed = cli(root, "calendar", "los-angeles").encode()
    _read_back(feed, later)

    # the report reminder of a collective still to vote names the vote and its close on its own wall clock
    cli(root, "report", "remind", "ic-2026-12", "--output-dir", str(tmp_path / "reminders"))
    reminder = (tmp_path / "reminders" / "ic-2026-12-los-angeles.txt").read_text(encoding="utf-8")
    assert "shared-press" in reminder and "(America/Los_Angeles)" in reminder
    assert "shared-press" not in (tmp_path / "reminders" / "ic-2026-12-india.txt").read_text(encoding="utf-8")

    cli(root, "validate")
    # an intruder brings the close of the open vote forward by an hour: refused, naming the computed close
    before = (root / MOTION).read_text()
    cut = later - dt.timedelta(hours=1)
    repo.write(MOTION, before.replace(f"closes = {later:%Y-%m-%dT%H:%M:%S}Z", f"closes = {cut:%Y-%m-%dT%H:%M:%S}Z"))
    out = cli(root, "validate", code=1)
    assert f"{MOTION}:" in out and "error[vote-window]" in out and f"{later:%Y-%m-%dT%H:%M:%S}Z" in out
    repo.write(MOTION, before)
    done = cli(root, "motion", "close", "shared-press", "--at", "2026-12-11T06:00Z")
    assert "early" in done and "result carried" in done
    assert 'result = "carried"' in (root / MOTION).read_text()
    repo.commit("motion closed", date="2026-12-11T06:00:00+00:00")
    cli(root, "validate")

    # after the vote, a shortened close is a warning (the collectives' hours may have changed since): named all the same
    text = (root / MOTION).read_text()
    short = later - dt.timedelta(hours=1)
    repo.write(MOTION, text.replace(f"closes = {later:%Y-%m-%dT%H:%M:%S}Z", f"closes = {short:%Y-%m-%dT%H:%M:%S}Z"))
    repo.commit("tidy", date="2026-12-12T00:00:00+00:00")
    out = cli(root, "validate")
    assert f"{MOTION}:" in out and "warning[vote-window]" in out and "closes" in out
    assert f"{later:%Y-%m-%dT%H:%M:%S}Z" in out and "git log -p" in out


def _read_back(feed: bytes, closes: dt.datetime) -> None:
    cal = icalendar.Calendar.from_ical(feed)
    todos = {str(t["UID"]): t for t in cal.walk("VTODO")}
    mine = todos["vote-shared-press-los-angeles@redflag-coord.invalid"]
    assert mine.decoded("DUE") == closes
    assert str(mine["STATUS"]) == "NEEDS-ACTION" and int(mine["SEQUENCE"]) == 2
    assert "America/Los_Angeles" in str(mine["DESCRIPTION"])
    assert not any(uid.startswith("vote-shared-press-india") for uid in todos)  # only its own tasks
    if not node_ready():
        return
    js = Path(__file__).parent / "js" / "todos.mjs"
    proc = subprocess.run(["node", str(js)], input=feed, capture_output=True, timeout=60, check=True)
    read = {t["uid"]: t for t in json.loads(proc.stdout)["todos"]}
    task = read["vote-shared-press-los-angeles@redflag-coord.invalid"]
    assert (task["due"], task["status"], task["sequence"]) == (closes.strftime("%Y-%m-%dT%H:%M:%SZ"), "NEEDS-ACTION", 2)
