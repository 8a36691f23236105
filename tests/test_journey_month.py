"""Journeys 1, 2 and 3 chained: the organisation's month in one repository, as its people live it.

A secretary starts an organisation (`init`, Spanish) and adds two collectives whose zones are hard
(Asia/Kathmandu at +05:45, Pacific/Auckland across the date line) → a meeting → `slots` and
`slots --apply` → the invitation → Kathmandu files its report by pull request with a request to
Aotearoa → `report status` and the agenda agree → the meeting → `minutes new` pre-fills the open
request → the minutes turn it into a commitment due in Aotearoa's zone → `minutes show`,
`commitments` and the task feed carry it → the next meeting's agenda lists it open, then overdue
once its day has ended in Auckland, and Aotearoa's own report answers it.

Each step reads what the step before wrote, through the console script, with fixed clocks; the
separate journeys test each step more closely (test_journey_schedule, _report_pr, _minutes).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
from git_helpers import Repo

BIN = Path(sys.executable).with_name("redflag-coord")
COMMITTEE = "collectives/committee"
REQUEST = "ic-2027-01-kathmandu-1"  # the first [[request]] of Kathmandu's report to ic-2027-01
ASK = "Send us the dock workers' leaflet to translate."
TAKEN = "ic-2027-01-leaflet"


class Org:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "org"
        self.home = tmp_path / "home"  # init writes the first key under the user's config: not the tester's
        self.repo = Repo(self.root)

    def cli(self, *args: str, today: str, now: str | None = None, code: int = 0, cwd: Path | None = None) -> str:
        env = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "REDFLAG_TODAY": today,
            "REDFLAG_NOW": now or f"{today}T12:00:00+00:00",
            "REDFLAG_DTSTAMP": "2026-11-27T11:06:00+00:00",
        }
        for name in ("REDFLAG_ROOT", "REDFLAG_IDENTITY", "REDFLAG_FILED_DATES"):  # filed dates from git, as a user has
            env.pop(name, None)
        proc = subprocess.run(
            [str(BIN), *args], cwd=cwd or self.root, capture_output=True, text=True, env=env, timeout=120
        )
        assert proc.returncode == code, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
        return proc.stdout + proc.stderr

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel}: {old!r} not found"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def merge(self, branch: str, date: str) -> None:
        self.repo.git("checkout", "-q", "main")
        self.repo.git("merge", "-q", "--no-ff", "--no-edit", branch, date=date)


def _set_up(org: Org) -> None:
    org.cli("init", str(org.root), "--timezone", "America/Mexico_City", "--language", "es", "--allow-local-spec",
            today="2026-11-27", cwd=org.tmp)  # fmt: skip
    org.repo.git("init", "-q", "-b", "main")
    org.repo.commit("new organisation", date="2026-11-27T12:00:00+00:00")
    for slug, name, zone, langs in (
        ("kathmandu", "Kathmandu", "Asia/Kathmandu", "ne,en"),
        ("aotearoa", "Aotearoa", "Pacific/Auckland", "en"),
    ):
        org.cli("new", "collective", slug, "--name", name, "--timezone", zone, "--languages", langs, today="2026-11-27")


def _schedule(org: Org) -> dt.datetime:
    """`new meeting`, `slots --apply 1`, the invitation: the instant chosen."""
    org.cli("new", "meeting", "ic-2027-01", "--convener", "committee", "--start", "2027-01-16T15:00",
            "--participants", "kathmandu,aotearoa,first-collective", "--title", "Comité internacional",
            "--duration", "2h", today="2026-11-27")  # fmt: skip
    org.cli("validate", today="2026-11-27")
    org.repo.commit("two collectives and the January meeting", date="2026-11-27T13:00:00+00:00")
    ranked = json.loads(org.cli("slots", "ic-2027-01", "--top", "3", "--format", "json", today="2026-11-27"))
    first = ranked["candidates"][0]
    instant = dt.datetime.strptime(first["start_utc"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    org.cli("slots", "ic-2027-01", "--top", "3", "--apply", "1", today="2026-11-27")
    invite = org.tmp / "invite.ics"
    org.cli("invite", "ic-2027-01", "--method", "request", "--bump", "-o", str(invite), today="2026-11-27")
    event = next(iter(icalendar.Calendar.from_ical(invite.read_bytes()).walk("VEVENT")))
    assert event.decoded("DTSTART").astimezone(dt.UTC) == instant
    org.repo.commit("ic-2027-01 at the chosen time", date="2026-11-28T09:00:00+00:00")
    return instant


def _file_report(org: Org) -> None:
    """Kathmandu files its report on a branch, checked as CI would, merged on 2 December."""
    org.repo.git("checkout", "-q", "-b", "kathmandu-report")
    org.cli("report", "new", "kathmandu", "ic-2027-01", today="2026-12-01")
    rel = "collectives/kathmandu/reports/ic-2027-01.toml"
    org.edit(rel, "summary = \"TODO: write the summary of your collective's work here.\"",
             'summary = "Two study circles in Patan; Red Flag read aloud in Nepali."')  # fmt: skip
    org.edit(rel, "# readers = 0", "readers = 12")
    path = org.root / rel
    path.write_text(path.read_text(encoding="utf-8") + f'\n[[request]]\nto = "aotearoa"\ntext = "{ASK}"\n')
    org.cli("fmt", today="2026-12-01")
    org.cli("validate", "--changed", "main", today="2026-12-01")
    org.repo.commit("Kathmandu's report", date="2026-12-01T10:00:00+00:00")
    org.merge("kathmandu-report", "2026-12-02T10:00:00+00:00")


def test_the_organisation_s_month_from_init_to_the_next_agenda(tmp_path: Path) -> None:
    org = Org(tmp_path)
    _set_up(org)
    instant = _schedule(org)
    _file_report(org)

    # report status and the agenda agree: Kathmandu filed on the merge day; the others are missing.
    # (exit 1: reports are missing after their due date, which is what a CI step on it should see)
    status = json.loads(org.cli("report", "status", "ic-2027-01", "--format", "json", today="2027-01-12", code=1))
    states = {r["collective"]: (r["status"], r.get("filed")) for r in status["reports"]}
    assert states["kathmandu"] == ("filed", "2026-12-02")
    assert states["aotearoa"][0] == states["first-collective"][0] == "missing"
    agenda = org.cli("agenda", "ic-2027-01", "--for", "aotearoa", "--lang", "en", today="2027-01-12")
    owes = agenda.split("What Aotearoa owes", 1)[1].split("What Aotearoa is owed", 1)[0]
    assert ASK in " ".join(owes.split()) and REQUEST in owes
    missing = agenda.split("Missing reports", 1)[1]
    assert "Aotearoa" in missing and "Kathmandu" not in missing
    # The applied time, in Auckland's summer time, on the agenda Aotearoa reads.
    auckland = instant.astimezone(ZoneInfo("Pacific/Auckland"))
    zones = json.loads(org.cli("agenda", "ic-2027-01", "--format", "json", today="2027-01-12"))["zones"]
    assert {z["collective"]: z["start"][:16] for z in zones}["aotearoa"] == auckland.strftime("%Y-%m-%dT%H:%M")
    assert "Pacific/Auckland" in agenda

    # The meeting: once it has started, `minutes new` pre-fills the open request, in the organisation's language.
    after = (instant + dt.timedelta(hours=2, minutes=15)).isoformat()
    day = instant.date().isoformat()
    out = org.cli("minutes", "new", "ic-2027-01", today=day, now=after)
    assert "1 open commitment to answer" in out
    minutes_rel = f"{COMMITTEE}/minutes/ic-2027-01.toml"
    text = (org.root / minutes_rel).read_text(encoding="utf-8")
    assert "# Acta de ic-2027-01" in text and f'commitment = "{REQUEST}"' in text
    text = text.replace('note = "TODO"', 'note = "Informes y discusión."')
    text += (
        f'\n[[commitment]]\nid = "{TAKEN}"\ntext = "Send the dock workers\' leaflet to Kathmandu."\n'
        f'owner = "aotearoa"\ndue = 2027-02-01\nitem = 2\nrequest = "{REQUEST}"\n'
    )
    (org.root / minutes_rel).write_text(text, encoding="utf-8")
    org.cli("fmt", minutes_rel, today=day, now=after)
    org.cli("validate", today=day, now=after)
    org.repo.commit("Minutes of ic-2027-01", date="2027-01-17T10:00:00+00:00")

    # minutes show, commitments and the task feed carry the commitment, due at the end of 1 February in Auckland.
    shown = org.cli("minutes", "show", "ic-2027-01", "--lang", "en", today="2027-01-18")
    assert TAKEN in shown and "Aotearoa" in shown
    owed = json.loads(org.cli("commitments", "aotearoa", "--format", "json", today="2027-01-18"))
    (aotearoa,) = owed["owners"]
    assert TAKEN in [c["id"] for c in aotearoa["open"]]
    feed = icalendar.Calendar.from_ical(org.cli("commitments", "aotearoa", "--format", "ics", today="2027-01-18"))
    (todo,) = [t for t in feed.walk("VTODO") if TAKEN in str(t["UID"])]
    due = todo.decoded("DUE")
    assert due == dt.datetime(2027, 2, 1, 23, 59, 59, tzinfo=ZoneInfo("Pacific/Auckland"))  # its last second there

    # The next meeting: its agenda lists the commitment open; once 1 February has ended in Auckland
    # (still 1 February in Mexico City) it is overdue.
    org.cli("new", "meeting", "ic-2027-02", "--convener", "committee", "--start", "2027-02-13T19:15",
            "--participants", "kathmandu,aotearoa,first-collective", "--title", "Comité internacional",
            "--duration", "2h", today="2027-01-18")  # fmt: skip
    org.repo.commit("the February meeting", date="2027-01-18T10:00:00+00:00")
    before = org.cli("agenda", "ic-2027-02", "--lang", "en", today="2027-01-25")
    block = before.split("Open commitments", 1)[1]
    assert TAKEN in block and "[OVERDUE] Aotearoa" not in block
    overdue_now = "2027-02-01T11:30:00+00:00"  # 2 February 00:30 in Auckland; 1 February 05:30 in Mexico City
    late = org.cli("agenda", "ic-2027-02", "--lang", "en", today="2027-02-01", now=overdue_now)
    assert "[OVERDUE] Aotearoa" in late.split("Open commitments", 1)[1]
    data = json.loads(org.cli("agenda", "ic-2027-02", "--format", "json", today="2027-02-01", now=overdue_now))
    assert "ic-2027-02" in json.dumps(data) and TAKEN in json.dumps(data)

    # Aotearoa's report to the next meeting pre-fills the answer; done, it leaves the open list.
    org.repo.git("checkout", "-q", "-b", "aotearoa-report")
    out = org.cli("report", "new", "aotearoa", "ic-2027-02", today="2027-02-03")
    assert "1 open commitment to answer" in out
    rel = "collectives/aotearoa/reports/ic-2027-02.toml"
    assert f'commitment = "{TAKEN}"' in (org.root / rel).read_text(encoding="utf-8")
    org.edit(rel, "summary = \"TODO: write the summary of your collective's work here.\"",
             'summary = "The leaflet went to Kathmandu."')  # fmt: skip
    org.edit(rel, f'commitment = "{TAKEN}"\nstatus = "open"', f'commitment = "{TAKEN}"\nstatus = "done"')
    org.cli("validate", "--changed", "main", today="2027-02-03")
    org.repo.commit("Aotearoa's report", date="2027-02-03T10:00:00+00:00")
    org.merge("aotearoa-report", "2027-02-03T11:00:00+00:00")
    settled = json.loads(org.cli("commitments", "aotearoa", "--format", "json", today="2027-02-04"))
    (aotearoa,) = settled["owners"]
    assert TAKEN not in [c["id"] for c in aotearoa["open"]]
