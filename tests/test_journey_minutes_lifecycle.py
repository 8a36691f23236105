"""Journey: minutes through their life, and the roles rota that names who chairs, in a temporary git
repository through the console script (issue 32).

June's minutes are circulated → the December agenda proposes approving them and names the rota's
holders → December's minutes approve them → an edit to the approved minutes is refused by `validate`
(uncommitted, committed, with the status flipped back in the same commit, or deleted and written anew)
→ the same edit recorded as an amendment with December's minutes is accepted. Minutes that name
another chair than the rota's are warned about until a swap records it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from git_helpers import Repo, example_repo
from icalendar import Calendar

EXE = shutil.which("redflag-coord", path=str(Path(sys.executable).parent)) or shutil.which("redflag-coord")
IC = "collectives/international-committee"
JUNE = f"{IC}/minutes/ic-2026-06.toml"
DECEMBER = f"{IC}/minutes/ic-2026-12.toml"
NOTE = "El Salvador opened on distributing Red Flag in the maquilas under the emergency decree."

DECEMBER_MINUTES = """status = "draft"
approves = ["ic-2026-06"]
chair = "thabo"
minute_taker = "asha"
roles = { timekeeper = "tere" }

[attendance]
present = ["international-committee", "south-africa", "el-salvador", "india", "mexico"]

[[item]]
item = 1
note = "South Africa opened on the personal relationships needed to develop communist leaders."
"""


def cli(root: Path, *args: str, code: int | None = 0) -> str:
    env = {**os.environ, "REDFLAG_TODAY": "2026-12-13", "REDFLAG_NOW": "2026-12-13T12:00:00Z"}
    proc = subprocess.run([EXE, *args], cwd=root, capture_output=True, text=True, env=env, timeout=120)
    if code is not None:
        assert proc.returncode == code, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc.stdout + proc.stderr


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _approved(repo: Repo) -> str:
    """December's minutes approve June's, June's say approved: committed on main. Returns the commit."""
    repo.write(DECEMBER, DECEMBER_MINUTES)
    _replace(repo.root / JUNE, 'status = "circulated"', 'status = "approved"')
    repo.commit("minutes of ic-2026-12: June's approved", date="2026-12-13T10:00:00+00:00")
    return repo.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    if EXE is None:
        pytest.skip("the console script is not installed")
    return example_repo(tmp_path, drop_reports=None)


def test_circulated_minutes_are_approved_then_only_amended(repo: Repo) -> None:
    root = repo.root
    # 1. June's minutes are circulated: December's agenda proposes approving them and names the holders.
    agenda = json.loads(cli(root, "agenda", "ic-2026-12", "--format", "json"))
    assert agenda["approve_minutes"] == ["ic-2026-06"]
    assert [r["holder"] for r in agenda["roles"]] == ["south-africa", "india", "mexico"]
    # the invite's description, read back by an independent reader (icalendar)
    event = next(iter(Calendar.from_ical(cli(root, "invite", "ic-2026-12")).walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    assert "Minutes to approve  ic-2026-06" in description and "Chair               South Africa" in description

    # 2. The meeting approves them: clean.
    approved = _approved(repo)
    out = cli(root, "validate")
    assert "approved-changed" not in out and "minutes-status" not in out and "role-holder" not in out
    later = json.loads(cli(root, "agenda", "ic-2026-12", "--format", "json"))
    assert later["approve_minutes"] == ["ic-2026-06"]  # the past meeting's agenda keeps its item

    # 3. An edit to the approved minutes, not yet committed: refused.
    _replace(root / JUNE, NOTE, "El Salvador opened.")
    assert "approved-changed" in cli(root, "validate", code=1)
    # ... and committed: still refused.
    repo.commit("shorter note", date="2026-12-14T10:00:00+00:00")
    assert "approved-changed" in cli(root, "validate", code=1)

    # 4. The intruder flips the status back to draft in the same commit as the edit: refused.
    repo.git("reset", "-q", "--hard", approved)
    _replace(root / JUNE, NOTE, "El Salvador opened.")
    _replace(root / JUNE, 'status = "approved"', 'status = "draft"')
    _replace(root / DECEMBER, 'approves = ["ic-2026-06"]\n', "")
    repo.commit("rework June", date="2026-12-14T10:00:00+00:00")
    out = cli(root, "validate", code=1)
    assert "approved-changed" in out and "status has since gone back" in out

    # 5. ... or deletes them, then writes them anew as a draft: the whole history still judges them.
    repo.git("reset", "-q", "--hard", approved)
    text = (root / JUNE).read_text(encoding="utf-8")
    (root / JUNE).unlink()
    _replace(root / DECEMBER, 'approves = ["ic-2026-06"]\n', "")
    repo.commit("remove June", date="2026-12-14T10:00:00+00:00")
    repo.write(JUNE, text.replace(NOTE, "El Salvador opened.").replace('status = "approved"', 'status = "draft"'))
    repo.commit("June again", date="2026-12-15T10:00:00+00:00")
    assert "approved-changed" in cli(root, "validate", code=1)

    # 6. The same edit recorded as an amendment with the meeting that approved them: accepted.
    repo.git("reset", "-q", "--hard", approved)
    _replace(root / JUNE, NOTE, "El Salvador opened.")
    with open(root / DECEMBER, "a", encoding="utf-8") as f:
        f.write('\n[[amendment]]\nminutes = "ic-2026-06"\ntext = "The note on item 1 shortened, as agreed."\n')
    repo.commit("amend June's minutes", date="2026-12-14T10:00:00+00:00")
    out = cli(root, "validate")
    assert "approved-changed" not in out
    # a second edit needs a second amendment
    _replace(root / JUNE, "El Salvador opened.", "El Salvador opened the meeting.")
    assert "approved-changed" in cli(root, "validate", code=1)
    # and --changed (the pre-commit hook) refuses it too
    assert "approved-changed" in cli(root, "validate", "--changed", "HEAD", code=1)


def test_locked_minutes_never_change(repo: Repo) -> None:
    root = repo.root
    _approved(repo)
    _replace(root / JUNE, 'status = "approved"', 'status = "locked"')
    repo.commit("lock June", date="2026-12-20T10:00:00+00:00")
    cli(root, "validate")
    _replace(root / JUNE, NOTE, "El Salvador opened.")
    with open(root / DECEMBER, "a", encoding="utf-8") as f:
        f.write('\n[[amendment]]\nminutes = "ic-2026-06"\ntext = "Shortened."\n')
    assert "are locked and were changed" in cli(root, "validate", code=1)


def test_approval_must_match_the_status(repo: Repo) -> None:
    root = repo.root
    repo.write(DECEMBER, DECEMBER_MINUTES)  # approves June's, which still say circulated
    out = cli(root, "validate", code=1)
    assert "minutes-status" in out and "set status = 'approved'" in out
    _replace(root / DECEMBER, 'approves = ["ic-2026-06"]\n', 'approves = ["ic-2026-12"]\n')
    assert "not an earlier meeting" in cli(root, "validate", code=1)


def test_minutes_naming_another_chair_are_warned_until_a_swap_records_it(repo: Repo) -> None:
    root = repo.root
    only_chair = DECEMBER_MINUTES.replace('minute_taker = "asha"\nroles = { timekeeper = "tere" }\n', "")
    repo.write(DECEMBER, only_chair.replace('chair = "thabo"', 'chair = "ravi"'))  # India, not South Africa
    _replace(root / JUNE, 'status = "circulated"', 'status = "approved"')
    out = cli(root, "validate")
    assert "role-holder" in out and "'south-africa'" in out
    with open(root / IC / "roles.toml", "a", encoding="utf-8") as f:
        f.write('\n[[swap]]\nmeeting = "ic-2026-12"\nrole = "chair"\nfrom = "south-africa"\nto = "india"\n')
    assert "role-holder" not in cli(root, "validate")
    shown = cli(root, "roles", "next", "ic-2026-12")
    assert "swap recorded: South Africa gives it to India" in shown
    assert "the minutes name ravi" in shown
    # India chairs now, so the minutes go to Mexico rather than to India twice over
    assert "Minute taker: Mexico" in shown


def test_validate_changed_checks_a_changed_rota(repo: Repo) -> None:
    """The pre-commit hook (`validate --changed`) reads a changed roles.toml against the whole organisation."""
    roles = repo.root / IC / "roles.toml"
    _replace(roles, 'pool = ["el-salvador", "mexico", "los-angeles"]', 'pool = ["el-salvador", "mexico", "atlantis"]')
    out = cli(repo.root, "validate", "--changed", "HEAD", code=1)
    assert "'atlantis' in the pool of 'timekeeper' is neither a collective nor a member's handle" in out
