"""Bad relationship data: `validate` reports each problem with its file and key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import seal_private

LA = ("collectives", "los-angeles", "relationships.toml")


def edit(root: Path, old: str, new: str) -> None:
    path = root.joinpath(*LA)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    seal_private(root)  # the example lists recipients: a plain note there is an error


def problems(run, root: Path) -> list[dict]:
    result = run("validate", str(root), "--format", "json")
    return json.loads(result.stdout)


def only(found: list[dict], code: str) -> list[tuple[str, str]]:
    return [(p["key"], p["severity"]) for p in found if p["code"] == code and p["file"] == "/".join(LA)]


def test_comrade_not_a_member(run, org_copy):
    edit(org_copy, 'comrade = "don-luis"', 'comrade = "marisol"')
    found = problems(run, org_copy)
    assert only(found, "unresolved-ref") == [("relationship[4].comrade", "error")]
    message = next(p["message"] for p in found if p["code"] == "unresolved-ref")
    assert "no member 'marisol'" in message and "'el-salvador'" in message


def test_stage_backwards_without_a_note(run, org_copy):
    # Prima: reader -> writer; make the second step go back to contact, with no note
    edit(org_copy, 'date = 2026-09-13\nstage = "writer"', 'date = 2026-09-13\nstage = "contact"')
    found = problems(run, org_copy)
    assert only(found, "stage-backwards") == [("relationship[5].history[1].stage", "error")]
    # the relationship still says writer: the last history entry disagrees
    assert only(found, "stage-mismatch") == [("relationship[5].stage", "warning")]


def test_stage_backwards_with_a_note_is_fine(run, org_copy):
    edit(
        org_copy,
        'date = 2026-09-13\nstage = "writer"',
        'date = 2026-09-13\nstage = "contact"\nnote = "moved away; keeps in touch"',
    )
    edit(org_copy, 'stage = "writer"\ncomrade = "carmen"', 'stage = "contact"\ncomrade = "carmen"')
    assert only(problems(run, org_copy), "stage-backwards") == []
    assert run("validate", str(org_copy)).exit_code == 0


@pytest.mark.parametrize(
    "old,new,key",
    [
        ("since = 2026-10-15", "since = 2026-12-01", "relationship[0].since"),
        ("last_contact = 2026-11-26", "last_contact = 2026-11-28", "relationship[1].last_contact"),
        ("date = 2026-11-19", "date = 2027-01-05", "relationship[0].history[1].date"),
    ],
)
def test_dates_in_the_future(run, org_copy, old, new, key):
    edit(org_copy, old, new)
    found = problems(run, org_copy)
    assert (key, "error") in only(found, "future-date")
    assert "today is 2026-11-27" in next(p["message"] for p in found if p["code"] == "future-date")


def test_history_before_since(run, org_copy):
    edit(org_copy, "date = 2024-11-30", "date = 2024-10-01")
    found = problems(run, org_copy)
    assert only(found, "date-order") == [("relationship[5].history[0].date", "error")]


def test_each_problem_in_one_run(run, org_copy):
    edit(org_copy, 'comrade = "don-luis"', 'comrade = "nobody"')
    edit(org_copy, 'date = 2026-09-13\nstage = "writer"', 'date = 2026-09-13\nstage = "contact"')
    edit(org_copy, "since = 2026-10-15", "since = 2026-12-01")
    result = run("validate", str(org_copy))
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("collectives/los-angeles/relationships.toml:")]
    codes = {ln.split("[", 1)[1].split("]", 1)[0] for ln in lines}
    assert {"unresolved-ref", "stage-backwards", "future-date"} <= codes
    assert all(ln.split(":")[1].isdigit() for ln in lines)  # each with its line number
