"""Journey (issue 31): one rule per fact, asked by every command, in a temporary git repository.

Cancelled meetings take no reports; a draft's commit is not a filing; one filed date for every command;
an absent figure is never compared; a meeting that takes no reports shows no report count; a broken file
in an unrelated collective stops no command. Each step goes through the console script, as a member works.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from git_helpers import EXAMPLE_COLLECTIVES, Repo, example_repo

BIN = Path(sys.executable).parent
MEETING = "collectives/international-committee/meetings/ic-2026-12.toml"
STUDY = "collectives/los-angeles/meetings/la-study-group.toml"


@pytest.fixture(autouse=True)
def _dates_from_git(monkeypatch):
    monkeypatch.delenv("REDFLAG_FILED_DATES", raising=False)  # the filed date is when the report reached git


def rc(repo: Repo, *args: str, today: str = "2026-11-27") -> subprocess.CompletedProcess[str]:
    env = {**repo.env(None), "REDFLAG_TODAY": today, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("REDFLAG_FILED_DATES", None)
    return subprocess.run(
        [str(BIN / "redflag-coord"), *args], cwd=repo.root, capture_output=True, text=True, env=env, timeout=120
    )


def _edit(repo: Repo, rel: str, old: str, new: str) -> None:
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- 1. a cancelled meeting takes no reports and gets no reminders --------------------------------------------


def test_a_cancelled_meeting_takes_no_reports_in_any_command(tmp_path):
    repo = example_repo(tmp_path)
    _edit(repo, MEETING, 'status = "confirmed"', 'status = "cancelled"')
    repo.commit("the December meeting is cancelled", date="2026-11-20T12:00:00+00:00")

    status = rc(repo, "report", "status", "ic-2026-12")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "cancelled" in status.stdout and MEETING in status.stdout
    assert "missing" not in status.stdout
    data = json.loads(rc(repo, "report", "status", "ic-2026-12", "--format", "json").stdout)
    assert data["cancelled"] is True and data["reports"] == [] and data["reports_due"] is None

    out = tmp_path / "reminders"
    remind = rc(repo, "report", "remind", "ic-2026-12", "--output-dir", str(out))
    assert remind.returncode == 1, remind.stdout + remind.stderr
    assert "cancelled" in remind.stderr and "no reminder was written or sent" in remind.stderr
    assert not out.exists()  # nothing written, so nothing could be mailed
    sent = rc(repo, "report", "remind", "ic-2026-12", "--send", "--from", "ic@example.org", "--smtp", "localhost:9")
    assert sent.returncode == 1 and "would send" not in sent.stdout

    new = rc(repo, "report", "new", "mexico", "ic-2026-12")
    assert new.returncode == 1, new.stdout + new.stderr
    assert MEETING in new.stderr and 'status = "confirmed"' in new.stderr  # the file and the way back
    assert not (repo.root / "collectives/mexico/reports/ic-2026-12.toml").exists()

    summary = rc(repo, "summary").stdout
    line = next(i for i, text in enumerate(summary.splitlines()) if text.strip().startswith("ic-2026-12"))
    assert "(cancelled)" in summary.splitlines()[line]
    assert "reports filed" not in summary.splitlines()[line + 1]

    agenda = rc(repo, "agenda", "ic-2026-12", "--format", "json")
    assert agenda.returncode == 0, agenda.stderr
    assert json.loads(agenda.stdout)["missing"] == []
    assert "Missing reports" not in rc(repo, "agenda", "ic-2026-12").stdout


def test_a_cancelled_occurrence_of_a_series_takes_no_reports(tmp_path):
    repo = example_repo(tmp_path)
    _edit(repo, STUDY, "reminders_minutes = [120]\n", "reminders_minutes = [120]\nreports = true\n")
    (repo.root / STUDY).write_text(
        (repo.root / STUDY).read_text(encoding="utf-8") + "\n[[occurrence]]\ndate = 2026-12-03\ncancelled = true\n",
        encoding="utf-8",
    )
    repo.commit("the study group takes reports; 3 December is cancelled", date="2026-11-20T12:00:00+00:00")

    held = rc(repo, "report", "status", "la-study-group", "--on", "2026-12-10")
    assert held.returncode == 1 and "missing" in held.stdout  # a held occurrence still asks for its report

    status = rc(repo, "report", "status", "la-study-group", "--on", "2026-12-03")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "cancelled" in status.stdout and "[[occurrence]]" in status.stdout and "missing" not in status.stdout
    remind = rc(repo, "report", "remind", "la-study-group", "--on", "2026-12-03", "--output-dir", str(tmp_path / "r"))
    assert remind.returncode == 1 and "no reminder was written or sent" in remind.stderr
    new = rc(repo, "report", "new", "los-angeles", "la-study-group", "--on", "2026-12-03")
    assert new.returncode == 1 and STUDY in new.stderr
    # the agenda of that date tells the same story: cancelled, nobody missing (it did refuse with exit 2)
    agenda = rc(repo, "agenda", "la-study-group", "--on", "2026-12-03", "--lang", "en")
    assert agenda.returncode == 0, agenda.stderr
    assert "This meeting is cancelled." in agenda.stdout and "Cancelled meeting of a recurring series" in agenda.stdout
    assert "meeting no. 0" not in agenda.stdout and "Missing" not in agenda.stdout


# -- 2. a draft's commit is not a filing; 3. one filed date for every command -------------------------------------


MEXICO = "collectives/mexico/reports/ic-2026-12.toml"


def _write_summary(repo: Repo, rel: str, summary: str) -> None:
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'summary = """.*?"""|summary = "[^"\n]*"', f'summary = "{summary}"', text, count=1, flags=re.S)
    path.write_text(text, encoding="utf-8")


def _filed_everywhere(repo: Repo, slug: str, meeting: str = "ic-2026-12", today: str = "2026-11-27") -> dict:
    """The state and filed date `report status`, the agenda and `network` give one collective's report."""
    status = json.loads(rc(repo, "report", "status", meeting, "--format", "json", today=today).stdout)
    row = next(r for r in status["reports"] if r["collective"] == slug)
    agenda = json.loads(rc(repo, "agenda", meeting, "--format", "json", today=today).stdout)
    slot = next((r for r in [*agenda["reports"], *agenda["missing"]] if r["collective"] == slug), {})
    net = json.loads(rc(repo, "network", slug, "--format", "json", today=today).stdout)["collectives"][0]
    point = next(p for p in net["reports"] if p["meeting"] == meeting)
    return {
        "status": (row["status"], row["filed"]),
        "agenda": (slot.get("status"), slot.get("filed")),
        "network": (point["status"], point["filed"]),
        "movement": net["movement"],
    }


def test_a_draft_committed_early_is_not_a_filing(tmp_path):
    repo = example_repo(tmp_path)
    made = rc(repo, "report", "new", "mexico", "ic-2026-12")
    assert made.returncode == 0, made.stderr
    repo.commit("mexico: report started (template)", date="2026-11-28T12:00:00+00:00")  # before the due date
    draft = _filed_everywhere(repo, "mexico")
    assert draft["status"] == draft["agenda"] == draft["network"] == ("draft", "2026-11-28"), draft

    # written after the due date (5 December): late, dated by the commit that finished it
    _write_summary(repo, MEXICO, "Seguimos con Red Flag en las escuelas.")
    ahead = _filed_everywhere(repo, "mexico")  # not committed yet: the file's own `filed` key, in every command
    assert ahead["status"] == ahead["agenda"] == ahead["network"]
    repo.commit("mexico: report written", date="2026-12-09T18:00:00+00:00")
    seen = _filed_everywhere(repo, "mexico")
    assert seen["status"] == ("late", "2026-12-09"), seen
    assert seen["agenda"] == ("late", "2026-12-09") and seen["network"] == ("late", "2026-12-09")
    text = rc(repo, "report", "status", "ic-2026-12").stdout
    assert re.search(r"mexico\s+late\s+2026-12-09\s+4 day", text), text

    # a later edit of the finished report does not move its filed date
    _edit(repo, MEXICO, "Seguimos con Red Flag", "Seguimos con Red Flag y el periódico")
    repo.commit("mexico: a correction", date="2026-12-11T18:00:00+00:00")
    assert _filed_everywhere(repo, "mexico")["status"] == ("late", "2026-12-09")


def test_every_command_names_one_filed_date_after_a_late_merge(tmp_path):
    """A report written on a branch before the due date and merged late: dated by the merge, in report status,
    the agenda, and network (the report's date and the movement baseline of the next meeting)."""
    repo = example_repo(tmp_path, drop_reports=None)
    (repo.root / MEXICO).unlink()
    repo.commit("no report from mexico yet", date="2026-10-02T12:00:00+00:00")
    repo.git("checkout", "-q", "-b", "mexico-report")
    (repo.root / MEXICO).write_text(
        (EXAMPLE_COLLECTIVES / "mexico/reports/ic-2026-12.toml").read_text("utf-8"), "utf-8"
    )
    repo.commit("mexico: report", date="2026-12-01T12:00:00+00:00")  # written in time, on its branch
    repo.git("checkout", "-q", "main")
    repo.git(
        "merge", "-q", "--no-ff", "--no-gpg-sign", "-m", "merge", "mexico-report", date="2026-12-08T12:00:00+00:00"
    )

    seen = _filed_everywhere(repo, "mexico")
    assert seen["status"] == seen["agenda"] == seen["network"] == ("late", "2026-12-08"), seen
    after = _filed_everywhere(repo, "mexico", today="2026-12-20")  # ic-2026-12 held: it is the baseline now
    assert after["movement"]["baseline"] == "ic-2026-12" and after["movement"]["since"] == "2026-12-08"
    text = rc(repo, "network", "mexico", today="2026-12-20").stdout
    assert "since the report to ic-2026-12 (filed 2026-12-08)" in text


# -- 4. an absent figure is never compared --------------------------------------------------------------------


def _drop_red_flag(repo: Repo, rel: str) -> None:
    """The report's [red_flag] table and its distribution left out: copies passed hand to hand, not counted."""
    path = repo.root / rel
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\[red_flag\]\n.*?(?=\n\[(?!\[?red_flag))", "\n", text, count=1, flags=re.S)
    assert "red_flag" not in text
    path.write_text(text, encoding="utf-8")


def test_an_absent_figure_is_never_compared(tmp_path):
    repo = example_repo(tmp_path, drop_reports=None)
    _drop_red_flag(repo, MEXICO)
    repo.commit("mexico did not count its copies this time", date="2026-11-21T12:00:00+00:00")

    agenda = rc(repo, "agenda", "ic-2026-12").stdout
    block = agenda[agenda.index("Mexico · Filed") :]  # Mexico's report and what follows
    since = next(line for line in block.splitlines() if "Since ic-2026-06" in line)
    assert since.strip() == "Since ic-2026-06: Copies, Readers: not reported", since
    assert "no change" not in agenda
    data = json.loads(rc(repo, "agenda", "ic-2026-12", "--format", "json").stdout)
    change = next(r["change"] for r in data["reports"] if r["collective"] == "mexico")
    assert change["copies"] is None and change["not_reported"] == ["copies", "readers"]

    net = rc(repo, "network", "mexico").stdout
    copies = next(line for line in net.splitlines() if line.strip().startswith("copies"))
    assert "(=)" not in copies and copies.rstrip().endswith("→ – (not reported)"), copies
    whole = rc(repo, "network").stdout
    total = next(line for line in whole.splitlines() if line.strip().startswith("copies"))
    assert "(4 of 5 reports)" in total, total  # the organisation's total stands for the four that counted
    trend = next(
        t
        for t in json.loads(rc(repo, "network", "--format", "json").stdout)["overview"]["trends"]
        if t["figure"] == "copies"
    )
    assert trend["reported_by"] == [5, 4]


# -- 6. a broken file in an unrelated collective stops no command ----------------------------------------------


def test_commitments_and_minutes_go_on_past_a_broken_unrelated_file(tmp_path):
    repo = example_repo(tmp_path, drop_reports=None)
    asked = [("commitments", "india"), ("minutes", "show", "ic-2026-06"), ("agenda", "ic-2026-06")]
    before = {args: rc(repo, *args) for args in asked}
    assert all(done.returncode == 0 for done in before.values()), {a: d.stderr for a, d in before.items()}

    # France takes no part in ic-2026-06 and owes India nothing: a member's half-typed edit of its members
    # file and a broken collective.toml stop none of these, each says so in one note and shows the same
    france = repo.root / "collectives/france"
    (france / "members.toml").write_text('[[member]]\nhandle = "half-typed\n', encoding="utf-8")
    (france / "collective.toml").write_text((france / "collective.toml").read_text("utf-8") + "\nname = [\n", "utf-8")
    repo.commit("france: half-typed edits", date="2026-11-21T12:00:00+00:00")
    for args in asked:
        after = rc(repo, *args)
        assert after.returncode == 0, (args, after.stderr)
        assert after.stdout == before[args].stdout, args  # nothing it shows comes from the broken files
        assert "problem(s) in files this command does not read" in after.stderr, (args, after.stderr)
    assert rc(repo, "validate").returncode == 1  # validate still reads every file and fails
    # a broken file the command reads still stops it: India's own file, for India's commitments
    india = repo.root / "collectives/india/collective.toml"
    india.write_text(india.read_text("utf-8") + "\nname = [\n", "utf-8")
    stopped = rc(repo, "commitments", "india")
    assert stopped.returncode == 1 and "collectives/india/collective.toml" in stopped.stderr


# -- 5. summary counts reports only for meetings that take them -----------------------------------------------


def test_summary_counts_reports_only_where_they_are_due(tmp_path):
    repo = example_repo(tmp_path)
    lines = rc(repo, "summary").stdout.splitlines()
    study = lines[next(i for i, line in enumerate(lines) if line.strip().startswith("la-study-group")) + 1]
    assert "reports filed" not in study, study  # a study group takes no reports: no "0/1"
    data = {m["id"]: m for m in json.loads(rc(repo, "summary", "--format", "json").stdout)["meetings"]}
    assert data["la-study-group"]["takes_reports"] is False and data["ic-2026-12"]["takes_reports"] is True

    _edit(repo, STUDY, "reminders_minutes = [120]\n", "reminders_minutes = [120]\nreports = true\n")
    repo.commit("the study group takes reports", date="2026-11-20T12:00:00+00:00")
    lines = rc(repo, "summary").stdout.splitlines()
    study = lines[next(i for i, line in enumerate(lines) if line.strip().startswith("la-study-group")) + 1]
    assert study.rstrip().endswith("0/1 report filed"), study  # now it asks for one, and none is filed
