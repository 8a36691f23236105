"""SEQUENCE rises with `invite --bump` (comments kept), and a time change against git HEAD
without a bump is reported."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
from conftest import need

MEETING = Path("collectives/international-committee/meetings/ic-2026-12.toml")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(org_copy: Path) -> Path:
    need(shutil.which("git") is not None, "git")
    _git(org_copy, "init", "-q")
    _git(org_copy, "add", ".")
    _git(org_copy, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "init")
    return org_copy


def _sequence(text: str) -> int:
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    return int(event["SEQUENCE"])


def test_time_change_without_bump_warns_then_bump_fixes(run, repo):
    path = repo / MEETING
    path.write_text(path.read_text().replace("start = 2026-12-12T07:00:00", "start = 2026-12-12T08:00:00"))
    result = run("invite", "ic-2026-12", "--root", str(repo))
    assert result.exit_code == 0
    assert "start changed since the last commit but sequence is still 0" in result.stderr
    assert _sequence(result.stdout) == 0

    result = run("invite", "ic-2026-12", "--bump", "--root", str(repo))
    assert result.exit_code == 0, result.stderr
    assert _sequence(result.stdout) == 1 and "changed since" not in result.stderr
    text = path.read_text()
    assert "sequence = 1\n" in text
    assert text.startswith("# The December 2026 International Committee meeting.")
    assert "# start is the local wall time" in text and text.count("[[item]]") == 8
    again = run("invite", "ic-2026-12", "--root", str(repo))
    assert _sequence(again.stdout) == 1 and "changed since" not in again.stderr


def test_no_warning_when_only_text_changes(run, repo):
    path = repo / MEETING
    path.write_text(path.read_text().replace('title = "International', 'title = "The International'))
    result = run("invite", "ic-2026-12", "--root", str(repo))
    assert "changed since" not in result.stderr


def test_cancel_bump_records_the_status(run, repo):
    result = run("invite", "ic-2026-12", "--method", "cancel", "--bump", "--root", str(repo))
    assert result.exit_code == 0, result.stderr
    assert _sequence(result.stdout) == 1 and "--bump" not in result.stderr
    text = (repo / MEETING).read_text()
    assert 'status = "cancelled"' in text and "sequence = 1" in text
    again = run("invite", "ic-2026-12", "--method", "cancel", "--root", str(repo))
    assert _sequence(again.stdout) == 1  # recorded: later runs agree
    feed = run("calendar", "--root", str(repo)).stdout
    assert "STATUS:CANCELLED" in feed


def test_bump_adds_a_missing_sequence(run, repo):
    path = repo / "collectives/los-angeles/meetings/la-study-group.toml"
    assert "sequence" not in path.read_text()
    result = run("invite", "la-study-group", "--bump", "--root", str(repo))
    assert result.exit_code == 0 and _sequence(result.stdout) == 1
    text = path.read_text()
    assert "sequence = 1" in text.split("[recurrence]")[0] and text.startswith("# Weekly study group")
    assert run("validate", str(repo)).exit_code == 0
