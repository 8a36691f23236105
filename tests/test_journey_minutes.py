"""Journey 3, the committee meets and records it: one commitment through its life, through the
console script in a temporary git repository.

Los Angeles asks Honduras for an article in its report → the request is open on the December
agenda (what Honduras owes) → the meeting → `minutes new` lists it → the minutes record it done →
`commitments` no longer lists it as open but as done, and the next agenda leaves it out. A
commitment taken on in the minutes is overdue once its due day has ended in the owner's zone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from git_helpers import example_repo

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")
IC = "collectives/international-committee"
REQUEST = "ic-2026-12-los-angeles-1"  # the first [[request]] of Los Angeles's report to ic-2026-12
ASK = "Help write an article about the struggles in Honduras for the next edition of Red Flag."


def cli(root: Path, *args: str, today: str = "2026-11-27", now: str | None = None, code: int = 0) -> str:
    env = {**os.environ, "REDFLAG_TODAY": today, "REDFLAG_DTSTAMP": "2026-11-27T12:00:00Z"}
    env.pop("REDFLAG_NOW", None)
    if now:
        env["REDFLAG_NOW"] = now
    proc = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _task(ics: str, commitment: str) -> dict[str, str]:
    """The VTODO of a commitment in a feed of tasks, as name (with parameters) -> value, lines unfolded."""
    lines = ics.replace("\r\n", "\n").replace("\n ", "").split("\n")
    uid = f"UID:commitment-{commitment}@redflag-coord.invalid"
    todos = "\n".join(lines).split("BEGIN:VTODO\n")[1:]
    (todo,) = [t.split("END:VTODO")[0] for t in todos if uid in t.split("\n")]
    return dict(line.split(":", 1) for line in todo.strip().split("\n"))


def test_a_request_becomes_a_commitment_and_is_answered(tmp_path: Path) -> None:
    if EXE is None:
        pytest.skip("the console script is not installed")
    repo = example_repo(tmp_path)  # the reports to ic-2026-12 are not filed yet
    root = repo.root

    # 1. Los Angeles files its report with a request to Honduras (a pull request, merged).
    repo.git("checkout", "-q", "-b", "la-report")
    out = cli(root, "report", "new", "los-angeles", "ic-2026-12")
    assert "wrote collectives/los-angeles/reports/ic-2026-12.toml" in out
    report = root / "collectives/los-angeles/reports/ic-2026-12.toml"
    text = report.read_text(encoding="utf-8")
    text = "\n".join('summary = "Our month."' if line.startswith("summary = ") else line for line in text.split("\n"))
    report.write_text(text, encoding="utf-8")
    report.write_text(
        report.read_text(encoding="utf-8") + f'\n[[request]]\nto = "honduras"\ntext = "{ASK}"\n', encoding="utf-8"
    )
    cli(root, "fmt")
    cli(root, "validate", "--changed", "main")
    repo.commit("Los Angeles reports", date="2026-11-27T18:00:00+00:00")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "la-report", date="2026-11-27T19:00:00+00:00")

    # 2. The December agenda carries it: Honduras owes it, in Honduras's language.
    agenda = cli(root, "agenda", "ic-2026-12", "--for", "honduras")
    owes = agenda.split("Lo que Honduras debe", 1)[1].split("Lo que se le debe a Honduras", 1)[0]
    assert ASK in " ".join(owes.split()) and REQUEST in owes
    block = cli(root, "agenda", "ic-2026-12", "--lang", "en").split("Open commitments", 1)[1]
    assert block.index("[OVERDUE] India") < block.index("Honduras:")  # overdue first
    listed = json.loads(cli(root, "commitments", "honduras", "--format", "json"))
    (honduras,) = listed["owners"]
    assert [c["id"] for c in honduras["open"]] == [REQUEST] and honduras["closed"] == []
    task = _task(cli(root, "commitments", "honduras", "--format", "ics"), REQUEST)  # Honduras subscribes
    assert (task["STATUS"], task["SEQUENCE"]) == ("NEEDS-ACTION", "0")
    assert task["DTSTART;TZID=America/Los_Angeles"] == "20261212T070000"  # RFC 5546: when it was taken on
    assert task['ORGANIZER;CN="International Committee"'] == "mailto:international-committee@redflag-coord.invalid"
    # Honduras's own report would pre-fill the answer
    out = cli(root, "report", "new", "honduras", "ic-2026-12")
    assert "1 open commitment to answer" in out  # one plural rule: not "commitment(s)"
    assert f'commitment = "{REQUEST}"' in (root / "collectives/honduras/reports/ic-2026-12.toml").read_text()
    (root / "collectives/honduras/reports/ic-2026-12.toml").unlink()

    # 3. Before the meeting there are no minutes to write; once it has started there are.
    assert "has not started yet" in cli(root, "minutes", "new", "ic-2026-12", code=2)
    held = "2026-12-12T18:05:00+00:00"  # just after the meeting (07:00-10:00 in Los Angeles)
    out = cli(root, "minutes", "new", "ic-2026-12", today="2026-12-12", now=held)
    assert f"wrote {IC}/minutes/ic-2026-12.toml (template: en; 2 open commitments to answer)" in out
    minutes = root / IC / "minutes" / "ic-2026-12.toml"
    text = minutes.read_text(encoding="utf-8")
    assert f'commitment = "{REQUEST}"' in text and "# Honduras: " + ASK in text

    # 4. The minutes record the answer (done) and a new commitment for Los Angeles, due Dec 20.
    text = text.replace(
        f'commitment = "{REQUEST}"\nstatus = "open"',
        f'commitment = "{REQUEST}"\nstatus = "done"\nnote = "Honduras sent a first article on the maquila strike."',
    )
    text += (
        '\n[[commitment]]\nid = "ic-2026-12-la-translation"\ntext = "Translate the Honduras article into English."\n'
        'owner = "los-angeles"\nhandle = "rosa"\ndue = 2026-12-20\nitem = 5\n'
    )
    minutes.write_text(text, encoding="utf-8")
    cli(root, "fmt", str(minutes))
    cli(root, "validate", today="2026-12-12", now=held)
    repo.commit("Minutes of ic-2026-12", date="2026-12-13T10:00:00+00:00")

    # 5. Gone from the open list, present as done, with the meeting's date.
    listed = json.loads(cli(root, "commitments", "honduras", "--format", "json", today="2026-12-14"))
    (honduras,) = listed["owners"]
    assert honduras["open"] == []
    assert [(c["id"], c["status"], c["status_date"]) for c in honduras["closed"]] == [(REQUEST, "done", "2026-12-12")]
    # The subscribed task turns COMPLETED (same UID, higher SEQUENCE) instead of vanishing from the feed,
    # for as long as --days looks back (default 180), then leaves it.
    done = _task(cli(root, "commitments", "honduras", "--format", "ics", today="2026-12-14"), REQUEST)
    # COMPLETED: the day it was recorded done, not before it was taken on (the meeting: 15:00 UTC)
    assert (done["STATUS"], done["SEQUENCE"], done["COMPLETED"]) == ("COMPLETED", "1", "20261212T150000Z")
    assert done["DTSTART;TZID=America/Los_Angeles"] == task["DTSTART;TZID=America/Los_Angeles"]
    later = cli(root, "commitments", "honduras", "--format", "ics", "--days", "30", today="2027-01-20")
    assert REQUEST not in later
    shown = cli(root, "minutes", "show", "ic-2026-12", today="2026-12-14")
    assert "done: Honduras sent a first article" in " ".join(shown.split())

    # 6. The next meeting's agenda no longer asks for it, and carries the new one.
    (root / IC / "meetings" / "ic-2027-06.toml").write_text(
        'title = "International Committee, June 2027"\nstart = 2027-06-12T07:00:00\n'
        'timezone = "America/Los_Angeles"\nduration_minutes = 120\nparticipants = ["honduras", "los-angeles"]\n',
        encoding="utf-8",
    )
    nxt = cli(root, "agenda", "ic-2027-06", "--lang", "en", today="2027-01-05")
    block = nxt.split("Open commitments", 1)[1]
    assert REQUEST not in block
    assert "[OVERDUE] Los Angeles (rosa): Translate the Honduras article" in block

    # 7. Overdue at the end of the due day in the owner's zone (Los Angeles: UTC-8 in December).
    def la_translation(now: str) -> dict:
        owners = json.loads(cli(root, "commitments", "los-angeles", "--format", "json", now=now))["owners"]
        return next(c for c in owners[0]["open"] if c["id"] == "ic-2026-12-la-translation")

    before = la_translation("2026-12-21T07:59:00+00:00")  # 23:59 on Dec 20 in Los Angeles; Dec 21 in UTC
    assert before["overdue"] is False and before["due_end"] == "2026-12-21T00:00:00-08:00"
    assert la_translation("2026-12-21T08:00:00+00:00")["overdue"] is True  # midnight in Los Angeles
    text = cli(root, "commitments", "los-angeles", "--lang", "en", now="2026-12-21T08:00:00+00:00")
    assert "[OVERDUE] Los Angeles (rosa): Translate the Honduras article" in text
    assert "due Dec 20, 2026 (America/Los_Angeles)" in " ".join(text.split())
    ics = cli(root, "commitments", "los-angeles", "--format", "ics", today="2026-12-21")
    assert "DUE;TZID=America/Los_Angeles:20261220T235959" in ics
