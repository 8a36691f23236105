"""Journey: the secretary of a large organisation (a hundred meetings, reports filed in git) writes the
feed every member subscribes to and publishes the site with one feed per collective; both come out as
they did before the feed was made fast (the same bytes), and each reads back as a calendar.

Through the console script in a temporary git repository, as a person would run it. The expected
digests were written by the code before the speed-up (issue 22); a deliberate change of the feed's
bytes regenerates them with REDFLAG_UPDATE_GOLDEN=1 (review why they changed).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import icalendar
from bench_helpers import generator
from git_helpers import Repo

EXE = Path(sys.executable).with_name("redflag-coord")
GOLDEN = Path(__file__).resolve().parent / "golden" / "calendar" / "speed-journey.json"
STAMP = "2026-11-27T12:00:00Z"


def cli(root: Path, *args: str, workers: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "REDFLAG_ROOT", "REDFLAG_WORKERS")}
    env.update({"REDFLAG_TODAY": "2026-11-27", "REDFLAG_DTSTAMP": STAMP})
    if workers:
        env["REDFLAG_WORKERS"] = workers
    return subprocess.run([str(EXE), *args], cwd=root, capture_output=True, text=True, env=env, timeout=300)


def organisation(tmp_path: Path) -> Repo:
    """A generated organisation (benchmarks/generate.py, fixed seed): 8 collectives, 100 meetings,
    3 participants each, every report filed, committed on a fixed date."""
    gen = generator()
    repo = Repo(tmp_path / "org")
    gen.generate(repo.root, gen.Plan(collectives=8, meetings=100, participants=3, reports=True), seed=3)
    repo.git("init", "-q", "-b", "main")
    repo.commit("the organisation", date="2026-10-01T12:00:00+00:00")
    return repo


def outputs(tmp_path: Path) -> dict[str, bytes]:
    """What the journey writes: the organisation's feed, and every file of the published feeds/ folder."""
    repo = organisation(tmp_path)
    feed, site = tmp_path / "meetings.ics", tmp_path / "site"
    done = cli(repo.root, "calendar", "--output", str(feed))
    assert done.returncode == 0, done.stderr
    done = cli(repo.root, "publish", str(site))
    assert done.returncode == 0, done.stderr
    out = {"meetings.ics": feed.read_bytes()}
    out.update({f"site/feeds/{p.name}": p.read_bytes() for p in sorted((site / "feeds").glob("*.ics"))})
    return out


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def test_feed_and_published_feeds_as_before(tmp_path):
    files = outputs(tmp_path)

    # Each reads back as a calendar: one VEVENT per meeting it covers, no floating time, one VTIMEZONE a zone.
    whole = icalendar.Calendar.from_ical(files["meetings.ics"])
    events = whole.walk("VEVENT")
    assert len(events) == 100 and len({str(e["UID"]) for e in events}) == 100
    assert all(e["DTSTART"].dt.tzinfo is not None for e in events)
    zones = [str(z["TZID"]) for z in whole.walk("VTIMEZONE")]
    assert len(zones) == len(set(zones)) and {str(e["DTSTART"].params["TZID"]) for e in events} == set(zones)
    published = icalendar.Calendar.from_ical(files["site/feeds/all.ics"])
    assert {str(e["UID"]) for e in published.walk("VEVENT")} == {str(e["UID"]) for e in events}
    per_collective = {k: v for k, v in files.items() if k.startswith("site/feeds/") and k != "site/feeds/all.ics"}
    assert len(per_collective) == 8
    for data in per_collective.values():
        cal = icalendar.Calendar.from_ical(data)
        assert 0 < len(cal.walk("VEVENT")) < 100  # what the collective convenes or joins

    # A collective's published feed is what `calendar SLUG` writes alone (the feeds share their events).
    name = str(icalendar.Calendar.from_ical(files["site/feeds/international-committee.ics"])["X-WR-CALNAME"])
    done = cli(tmp_path / "org", "calendar", "international-committee", "--name", name, "-o", str(tmp_path / "ic.ics"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ic.ics").read_bytes() == files["site/feeds/international-committee.ics"]

    # Described on two cores (forked workers), the feed is the same bytes.
    done = cli(tmp_path / "org", "calendar", "-o", str(tmp_path / "two.ics"), workers="2")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "two.ics").read_bytes() == files["meetings.ics"]

    # The same bytes as before the speed-up.
    if os.environ.get("REDFLAG_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(digests(files), indent=2) + "\n", encoding="utf-8")
    assert digests(files) == json.loads(GOLDEN.read_text(encoding="utf-8"))
