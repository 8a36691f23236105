"""Journey: a member subscribes to the published feed, the meeting moves, the secretary publishes
and syncs again; the site, the feed and the CalDAV server each show one event, updated.

Through the console script in a temporary git repository, as a person would run it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import icalendar
from git_helpers import example_repo
from test_calendar_caldav_sync import server as _server  # noqa: F401  (the Radicale fixture)

EXE = Path(sys.executable).with_name("redflag-coord")
UID = "ic-2026-12@redflag-coord.invalid"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDFLAG_DTSTAMP", "SOURCE_DATE_EPOCH", "REDFLAG_ROOT")}
    env.update({"REDFLAG_TODAY": "2026-11-27", "REDFLAG_CALDAV_USER": "ic", "REDFLAG_CALDAV_PASSWORD": "any"})
    return subprocess.run([str(EXE), *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)


def subscribed_feed(site: Path, collective_name: str) -> icalendar.Calendar:
    """What a member's app gets: the address listed on the index for their collective, served from the folder."""
    index = (site / "index.html").read_text(encoding="utf-8")
    m = re.search(rf'<a href="([^"]+)">{collective_name}: meetings</a> <code>https://example\.org/ic/\1</code>', index)
    assert m, "the index lists the collective's feed with its subscription address"
    return icalendar.Calendar.from_ical((site / m.group(1)).read_bytes())


def the_event(cal: icalendar.Calendar) -> icalendar.Event:
    found = [e for e in cal.walk("VEVENT") if str(e["UID"]) == UID]
    assert len(found) == 1, "one event per meeting"
    return found[0]


def test_subscribe_move_republish_resync(tmp_path, _server):  # noqa: F811  (the fixture imported above)
    server = _server
    from redflag_coord.scaffold.init import GITIGNORE

    repo = example_repo(tmp_path, drop_reports=None)
    repo.write(".gitignore", GITIGNORE)  # as `init` writes it
    repo.commit("ignore exports", date="2026-10-02T12:00:00+00:00")
    root, site = repo.root, repo.root / "docs"

    first = cli(root, "publish", "docs", "--base-url", "https://example.org/ic/")
    assert first.returncode == 0, first.stderr
    assert "wrote 23 file(s) to docs" in first.stderr
    event = the_event(subscribed_feed(site, "France"))
    assert event.decoded("DTSTART").hour == 7 and event["SEQUENCE"] == 0

    synced = cli(root, "calendar", "--caldav", server.url)
    assert synced.returncode == 0, synced.stderr
    assert "created ic-2026-12" in synced.stdout

    # The committee moves the meeting by 90 minutes and records it.
    meeting = root / "collectives/international-committee/meetings/ic-2026-12.toml"
    meeting.write_text(meeting.read_text().replace("start = 2026-12-12T07:00:00", "start = 2026-12-12T08:30:00"))
    bumped = cli(root, "invite", "ic-2026-12", "--bump", "--output", "ic-2026-12.ics")
    assert bumped.returncode == 0, bumped.stderr
    assert "sequence is now 1" in bumped.stderr
    assert repo.git("status", "--porcelain", "--ignored", "ic-2026-12.ics").startswith("!!")  # the export stays out
    repo.commit("ic-2026-12 moves to 08:30", date="2026-11-28T12:00:00+00:00")

    again = cli(root, "publish", "docs", "--base-url", "https://example.org/ic/")
    assert again.returncode == 0, again.stderr
    event = the_event(subscribed_feed(site, "France"))
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").isoformat() == "2026-12-12T08:30:00-08:00"
    assert str(event.decoded("DTSTAMP").date()) == "2026-11-28"  # the commit that moved it
    index = (site / "index.html").read_text(encoding="utf-8").replace("\u202f", " ")
    assert "Saturday, December 12, 2026, 8:30 AM – 11:30 AM" in index
    assert 'Europe/Paris</td><td class="num">5:30 PM – 8:30 PM' in index
    ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "docs/feeds/all.ics"])
    assert ignored.returncode == 1, "the published feeds can be committed and served"

    resynced = cli(root, "calendar", "--caldav", server.url)
    assert resynced.returncode == 0, resynced.stderr
    assert "0 created, 1 updated, 0 deleted, 2 unchanged" in resynced.stderr
    stored = server.objects()
    assert len(stored) == 3
    event = the_event(stored[UID])
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART").hour == 8 and event.decoded("DTSTART").minute == 30

    before = len(server.requests())
    quiet = cli(root, "calendar", "--caldav", server.url)
    assert quiet.returncode == 0 and server.requests()[before:] == ["REPORT"]
